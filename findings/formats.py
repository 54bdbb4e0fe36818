"""The forms a page comes in besides HTML, each declared once, and the one place that
answers a request for one of them.

JSON is the page shown; CSV, BibTeX and RIS are the whole result, cut at `ROW_LIMIT` rows
(the `X-Rows-Truncated` header then says how many there were); Atom is the first
`feeds.FEED_SIZE` items; PDF is the page itself printed (findings.pdf), a list's whole result
on it, cut at `PDF_ROW_LIMIT` items with a note that says so.
"""
import functools
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from . import exports, feeds

# Downloads stop here, so that one request cannot build an unbounded response.
ROW_LIMIT = 10_000
# A PDF lays out every item it holds (about three to a page), which costs far more than a CSV
# row: 100 items, some 34 pages, took 9 seconds on a busy two-core machine, 500 more than the 60
# seconds gunicorn gives a request. A printed list stops here, and says so on its first page.
PDF_ROW_LIMIT = 100
# Items read per database round trip; prefetch_related runs once per chunk.
CHUNK_SIZE = 500


@dataclass(frozen=True)
class Format:
    name: str  # the `format` parameter
    label: str  # its link text
    extension: str = ""  # of the downloaded file
    content_type: str = ""
    write: object = None  # (item, request, context) -> str, for downloads
    # The page's own template renders it (HTML, and PDF through the print stylesheet).
    renders_page: bool = False

    @property
    def is_download(self):
        return self.write is not None


HTML = Format("html", "Web page", renders_page=True)
JSON = Format("json", "JSON")
ATOM = Format("atom", "Atom feed")
CSV = Format("csv", "CSV", "csv", "text/csv; charset=utf-8", exports.csv_writer)
BIBTEX = Format("bibtex", "BibTeX", "bib", "application/x-bibtex; charset=utf-8", exports.bibtex_writer)
RIS = Format("ris", "RIS", "ris", "application/x-research-info-systems; charset=utf-8", exports.ris_writer)
PDF = Format("pdf", "PDF", "pdf", "application/pdf", renders_page=True)

# What every list and search page offers, in the order its links show them.
LIST_FORMATS = (CSV, JSON, ATOM, BIBTEX, RIS, PDF)
# What each detail page offers.
DETAIL_FORMATS = (JSON, BIBTEX, RIS, PDF)
BY_NAME = {fmt.name: fmt for fmt in (HTML, *LIST_FORMATS)}


def offers(*offered):
    """A view that answers in HTML and in the `offered` formats: any other `format` gets a
    400 page naming the formats it does come in. The view reads the one asked for from
    `request.format`."""

    def decorate(view):
        @functools.wraps(view)
        def answer(request, *args, **kwargs):
            name = request.GET.get("format", "")
            fmt = BY_NAME.get(name or HTML.name)
            if fmt is not HTML and fmt not in offered:
                return _unsupported(request, name, offered)
            request.format = fmt
            return view(request, *args, **kwargs)

        return answer

    return decorate


def render_page(request, template, context, filename, truncated_total=None):
    """The page in HTML, or printed as a PDF when `request.format` asks for it (`filename`
    without its extension; `truncated_total`: how many items a cut list had)."""
    if request.format is PDF:
        from . import pdf  # WeasyPrint loads only when a PDF is asked for

        web_url = request.build_absolute_uri(_with_format(request, HTML))
        return pdf.dossier(request, template, context, filename, web_url, truncated_total)
    return render(request, template, context)


def _unsupported(request, name, offered):
    links = [(fmt, _with_format(request, fmt)) for fmt in (HTML, *offered)]
    context = {"name": name[:40], "links": links}
    return render(request, "findings/unsupported_format.html", context, status=400)


def _with_format(request, fmt):
    params = request.GET.copy()
    params.pop("format", None)
    if fmt is not HTML:
        params["format"] = fmt.name
    return f"{request.path}?{params.urlencode()}" if params else request.path


def for_list(request, state, faceted, title, filename):
    """The whole result of a list or search page (`faceted`: its FacetedList or FacetedSearch)
    as a feed, newest first, or as a download in the page's order (`state.format`)."""
    if state.format is ATOM:
        title = feeds.feed_title(title, state, faceted.facet_views(0))
        return feeds.atom_response(faceted.as_items(faceted.newest())[: feeds.FEED_SIZE], request, title, state.url())
    ordered, _ = faceted.ordered()
    return download(state.format, faceted.as_items(ordered), request, filename, faceted.results.count)


def download(fmt, items, request, filename, total):
    """`items` as a CSV, BibTeX or RIS file of at most ROW_LIMIT rows; when there are more,
    `X-Rows-Truncated` says how many (`total()`, counted only then)."""
    response = HttpResponse(
        content_type=fmt.content_type,
        headers={"Content-Disposition": content_disposition_header(True, f"{filename}.{fmt.extension}")},
    )
    write = fmt.write(response, request)
    first = items[: ROW_LIMIT + 1]  # one more than the limit shows a cut
    if isinstance(first, QuerySet):
        # In chunks, so that a large export does not hold every row at once.
        first = first.iterator(chunk_size=CHUNK_SIZE)
    for position, item in enumerate(first):
        if position == ROW_LIMIT:
            response.headers["X-Rows-Truncated"] = str(total())
            break
        write(item)
    return response
