"""What the machine-readable forms say of each item: its JSON record, its CSV row, its
BibTeX entry and RIS record (findings.formats decides when each is answered).

Callers pass published, filtered items with their `parents` and `source` selected and their
tags (and a contribution's authors) prefetched; nothing here then runs a query per item.
Every URL written is absolute, built from the request.

CSV is written for spreadsheets: a byte-order mark first, so that Excel reads UTF-8 (accents
and all), and no cell that a spreadsheet would run as a formula (`spreadsheet_text`).
"""
import csv
import re

from django.http import JsonResponse
from django.urls import reverse

from .citations import Reports, bibtex_entry, named_authors, ris_record, sorted_tags
from .models import Contribution

CSV_COLUMNS = [
    "id", "kind", "title", "url", "tags", "parent_titles", "parent_urls", "source_title", "source_url",
    "authors", "publication_date", "external_url", "summary",
]
# Joins the several values of one CSV cell (tags, parents, authors).
CSV_SEPARATOR = "; "
BYTE_ORDER_MARK = "\ufeff"

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"); a quote first makes it text. Cells that start with a quote get
# one more, so that reading a file back (findings.resources) removes exactly what was added.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
# A plain number such as "-3" or "+1.5" is no formula and keeps its form.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def item_record(item, request) -> dict:
    """One item as the JSON results and the CSV rows describe it.

    `title` is what the item's page heading shows; `text` is the item's body
    (a finding's or suggestion's text, a contribution's summary) or None.
    """
    return {
        "id": f"{item.kind.name}:{item.slug}",
        "kind": item.kind.name,
        "title": str(item),
        "text": item_text(item),
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in sorted_tags(item)],
        "parents": [
            {
                "kind": parent.kind.name if parent.kind else parent._meta.model_name,
                "title": str(parent),
                "url": request.build_absolute_uri(parent.get_absolute_url()),
            }
            for parent in item.parents
        ],
        "source": source_record(item.source),
        **_contribution_details(item),
    }


def source_record(source) -> dict:
    """A source's title and link; a source still in review is not public: nothing of it is said."""
    if not source.is_published:
        return {"title": None, "url": None}
    return {"title": source.title, "url": source.url or None}


def _contribution_details(item):
    """What only a contribution has: its authors' names, its publication date as stored
    ("October 2023"), its own link and its summary. None where unknown, and for other kinds."""
    if not isinstance(item, Contribution):
        return {"authors": None, "publication_date": None, "external_url": None, "summary": None}
    return {
        "authors": named_authors(item),
        "publication_date": item.publication_date or None,
        "external_url": item.url or None,
        "summary": item.summary or None,
    }


def item_text(item):
    """The body under the title: a finding's or suggestion's text, a contribution's summary, or None."""
    return getattr(item, "text", None) or getattr(item, "summary", None) or None


def json_response(page, request, state, facet_views) -> JsonResponse:
    """A page of results, its facets, and links to the pages before and after it."""

    def page_url(number):
        return request.build_absolute_uri(state.page_url(number, format="json"))

    record = results_record(
        request,
        page.object_list,
        page.paginator.count,
        page_url(page.next_page_number()) if page.has_next() else None,
        page_url(page.previous_page_number()) if page.has_previous() else None,
        facet_views,
    )
    return JsonResponse(record, json_dumps_params={"ensure_ascii": False})


def results_record(request, items, count, next_url, previous_url, facet_views) -> dict:
    """One slice of a list or search: how many results in all, the URLs of the slices before
    and after it, its items' records, and every facet's values with their counts and the URL
    of the HTML page each gives. What `?format=json` and the API's lists answer."""
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "results": [item_record(item, request) for item in items],
        "facets": {
            view.name: [
                {
                    "value": value.value,
                    "label": str(value.label),
                    "count": value.count,
                    "url": request.build_absolute_uri(value.url),
                }
                for value in view.values
            ]
            for view in facet_views
        },
    }


def tag_record(tag, request) -> dict:
    """A tag (annotated with `item_count`, as `published_tag_counts()` gives it) and its page."""
    return {
        "slug": tag.slug,
        "name": tag.name,
        "count": tag.item_count,
        "url": request.build_absolute_uri(reverse("findings:tag-detail", kwargs={"slug": tag.slug})),
    }


def csv_writer(out, request):
    """Writes the byte-order mark and the header row now, and returns what writes one item's row."""
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    return lambda item: writer.writerow([spreadsheet_text(cell) for cell in _csv_row(item_record(item, request))])


def spreadsheet_text(value):
    """`value` as a CSV cell that a spreadsheet shows as text, never runs as a formula:
    `=1+2` becomes `'=1+2`. Numbers, and text that is no formula, are left as they are."""
    return _QUOTE + value if looks_like_formula(value) else value


def from_spreadsheet_text(value):
    """The value that `spreadsheet_text` turned into `value` (the quote it added removed)."""
    if isinstance(value, str) and value.startswith(_QUOTE) and looks_like_formula(value[1:]):
        return value[1:]
    return value


def looks_like_formula(value):
    """Whether a spreadsheet would run `value` as a formula (or it starts with the quote that stops one)."""
    return isinstance(value, str) and value.startswith((*_FORMULA_START, _QUOTE)) and not _NUMBER.fullmatch(value)


def bibtex_writer(out, request):
    reports = Reports()
    return lambda item: out.write(bibtex_entry(item, request, reports) + "\n")


def ris_writer(out, request):
    reports = Reports()
    # RIS records end with CR LF.
    return lambda item: out.write(ris_record(item, request, reports) + "\r\n")


def _csv_row(record):
    return [
        record["id"],
        record["kind"],
        record["title"],
        record["url"],
        CSV_SEPARATOR.join(tag["name"] for tag in record["tags"]),
        CSV_SEPARATOR.join(parent["title"] for parent in record["parents"]),
        CSV_SEPARATOR.join(parent["url"] for parent in record["parents"]),
        record["source"]["title"] or "",
        record["source"]["url"] or "",
        CSV_SEPARATOR.join(record["authors"] or []),
        record["publication_date"] or "",
        record["external_url"] or "",
        record["summary"] or "",
    ]
