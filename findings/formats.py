"""The forms a page comes in besides HTML, each declared once, and the one place that
answers a request for one of them.

JSON is the page shown; CSV, BibTeX and RIS are the whole result, cut at `ROW_LIMIT` rows
(the `X-Rows-Truncated` header then says how many there were); Atom is the first
`feeds.FEED_SIZE` items; PDF is the page itself printed (findings.pdf), a list's whole result
on it, cut at `PDF_ROW_LIMIT` items with a note that says so.
"""
import functools
import threading
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

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
    # Written for people in the page's language (HTML, the feed's title, the PDF); the machine
    # formats (JSON, CSV, BibTeX, RIS) say the same in every language: English labels, English URLs.
    translated: bool = False
    # The page's own template renders it (HTML, and PDF through the print stylesheet).
    renders_page: bool = False

    @property
    def is_download(self):
        return self.write is not None


HTML = Format("html", _("Web page"), translated=True, renders_page=True)
JSON = Format("json", _("JSON"))
ATOM = Format("atom", _("Atom feed"), translated=True)
CSV = Format("csv", _("CSV"), "csv", "text/csv; charset=utf-8", exports.csv_writer)
BIBTEX = Format("bibtex", _("BibTeX"), "bib", "application/x-bibtex; charset=utf-8", exports.bibtex_writer)
RIS = Format("ris", _("RIS"), "ris", "application/x-research-info-systems; charset=utf-8", exports.ris_writer)
PDF = Format("pdf", _("PDF"), "pdf", "application/pdf", translated=True, renders_page=True)

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
            if fmt.translated:
                return view(request, *args, **kwargs)
            with translation.override(settings.LANGUAGE_CODE):
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
    return download(state.format, faceted.as_items(ordered), request, filename, faceted.count)


def download(fmt, items, request, filename, total):
    """`items` as a CSV, BibTeX or RIS file of at most ROW_LIMIT rows, streamed a chunk at a
    time; when there are more, `X-Rows-Truncated` says how many (`total()`). A download of more
    than PORTAL_LARGE_EXPORT_ROWS rows waits for one of this process's few places for large
    downloads, or is told to come back later (429)."""
    count = total()
    headers = {"Content-Disposition": content_disposition_header(True, f"{filename}.{fmt.extension}")}
    if count > ROW_LIMIT:
        headers["X-Rows-Truncated"] = str(count)
    place = _LargeDownloads.take() if count > settings.PORTAL_LARGE_EXPORT_ROWS else _NO_PLACE
    if place is None:
        return _come_back_later(request)
    rows = _Rows(fmt, items[:ROW_LIMIT], request, place)
    # Under ASGI (gunicorn.conf.py) the rows are read on the request's thread a chunk at a time;
    # Django would otherwise read a plain iterator whole before sending any of it.
    content = _AsyncRows(rows) if isinstance(request, ASGIRequest) else rows
    return StreamingHttpResponse(content, content_type=fmt.content_type, headers=headers)


class _Rows:
    """The file's text, one chunk of items at a time. The server closes it when the download
    ends, even early (the visitor left), and the place it held is given back then."""

    def __init__(self, fmt, items, request, place):
        self.fmt, self.items, self.request, self.place = fmt, items, request, place

    def __iter__(self):
        # The rows are written after the view has returned, so in English again here (the
        # machine formats are the same in every language); never across a yield.
        out = _Pieces()
        with translation.override(settings.LANGUAGE_CODE):
            write = self.fmt.write(out, self.request)
        items = self.items
        if isinstance(items, QuerySet):
            # In chunks, so that a large export does not hold every row at once.
            items = items.iterator(chunk_size=CHUNK_SIZE)
        for position, item in enumerate(items, start=1):
            with translation.override(settings.LANGUAGE_CODE):
                write(item)
            if position % CHUNK_SIZE == 0:
                yield out.take()
        yield out.take()
        self.close()

    def close(self):
        self.place.give_back()


class _AsyncRows:
    """`rows` for an event loop: each chunk is made on the request's thread."""

    def __init__(self, rows):
        self.rows = rows

    async def __aiter__(self):
        chunks = iter(self.rows)
        next_chunk = sync_to_async(next, thread_sensitive=True)
        while (chunk := await next_chunk(chunks, None)) is not None:
            yield chunk

    def close(self):
        self.rows.close()


class _Pieces:
    """What the writers write to: text kept until the next chunk is sent."""

    def __init__(self):
        self.pieces = []

    def write(self, text):
        self.pieces.append(text)

    def take(self):
        text = "".join(self.pieces)
        self.pieces.clear()
        return text.encode()


class _Place:
    """One of the places for large downloads, given back once however the download ends."""

    def __init__(self, semaphore):
        self.semaphore = semaphore
        self.held = semaphore is not None
        self.lock = threading.Lock()

    def give_back(self):
        with self.lock:
            if self.held:
                self.held = False
                self.semaphore.release()


class _LargeDownloads:
    """This process's places for large downloads (PORTAL_LARGE_EXPORTS_AT_ONCE)."""

    semaphore, size = None, None
    lock = threading.Lock()

    @classmethod
    def take(cls):
        """A place, or None when all are taken."""
        with cls.lock:
            if cls.size != settings.PORTAL_LARGE_EXPORTS_AT_ONCE:
                cls.size = settings.PORTAL_LARGE_EXPORTS_AT_ONCE
                cls.semaphore = threading.BoundedSemaphore(cls.size)
            semaphore = cls.semaphore
        return _Place(semaphore) if semaphore.acquire(blocking=False) else None


_NO_PLACE = _Place(None)

# Seconds a visitor whose large download was refused is asked to wait.
RETRY_AFTER = 30


def _come_back_later(request):
    # A page for people: in the language of the page they came from, not the download's English.
    with translation.override(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)):
        response = render(request, "findings/too_many_downloads.html", {"retry_after": RETRY_AFTER}, status=429)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
