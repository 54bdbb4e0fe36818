"""Machine-readable forms of the public lists: JSON, CSV, Atom, BibTeX and RIS.

Callers pass published, filtered items with their `parents` and `source` selected
and their tags (and a contribution's authors) prefetched; nothing here then runs a
query per item. Every URL written is absolute, built from the request.
"""
import csv
import datetime

from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import content_disposition_header

from .citations import CORPORATE_AUTHOR, Reports, bibtex_entry, named_authors, ris_record, sorted_tags
from .richtext import strip_control_characters

# Downloads (CSV, BibTeX, RIS) stop here and say how many items there were
# (`X-Rows-Truncated: <total>`), so one request cannot build an unbounded response.
CSV_ROW_LIMIT = 10_000
# Items read per database round trip; prefetch_related runs once per chunk.
CHUNK_SIZE = 500

# Atom requires an `updated` date on every entry. Content loaded from the fixtures has no
# `published_at`; it gets this fixed date (the start of the report's year, 2023) rather than
# "now", so that feed readers do not see every entry as changed on every fetch.
ATOM_UNDATED = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)

CSV_COLUMNS = [
    "id", "kind", "title", "url", "tags", "parent_titles", "parent_urls", "source_title", "source_url",
]
# Joins the several values of one CSV cell (tags, parents).
CSV_SEPARATOR = "; "


def item_record(item, request) -> dict:
    """One item as the JSON results and the CSV rows describe it.

    `title` is what the item's page heading shows; `text` is the item's body
    (a finding's or suggestion's text, a contribution's summary) or None.
    """
    return {
        "id": f"{item.kind}:{item.slug}",
        "kind": item.kind,
        "title": str(item),
        "text": item_text(item),
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in sorted_tags(item)],
        "parents": [
            {
                "kind": getattr(parent, "kind", parent._meta.model_name),
                "title": str(parent),
                "url": request.build_absolute_uri(parent.get_absolute_url()),
            }
            for parent in item.parents
        ],
        # A source still in review is not public: the record says nothing of it.
        "source": {"title": item.source.title, "url": item.source.url or None}
        if item.source.is_published
        else {"title": None, "url": None},
    }


def item_text(item):
    """The body under the title: a finding's or suggestion's text, a contribution's summary, or None."""
    return getattr(item, "text", None) or getattr(item, "summary", None) or None


def json_response(page, request, facets) -> JsonResponse:
    """A page of results with links to its neighbours (page 1's link has no `page`)."""
    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
            "results": [item_record(item, request) for item in page.object_list],
            "facets": facets,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def csv_response(items, request, filename) -> HttpResponse:
    """A CSV download: a header row, then one row per item (at most CSV_ROW_LIMIT)."""
    response = _attachment(filename, "text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    _write_limited(items, response, lambda item: writer.writerow(_csv_row(item_record(item, request))))
    return response


def bibtex_response(items, request, filename) -> HttpResponse:
    """A BibTeX download: one entry per item (at most CSV_ROW_LIMIT)."""
    response = _attachment(filename, "application/x-bibtex; charset=utf-8")
    reports = Reports()
    _write_limited(items, response, lambda item: response.write(bibtex_entry(item, request, reports) + "\n"))
    return response


def ris_response(items, request, filename) -> HttpResponse:
    """An RIS download: one record per item (at most CSV_ROW_LIMIT)."""
    response = _attachment(filename, "application/x-research-info-systems; charset=utf-8")
    reports = Reports()
    _write_limited(items, response, lambda item: response.write(ris_record(item, request, reports) + "\r\n"))
    return response


def atom_response(items, request, title, html_url) -> HttpResponse:
    """An Atom feed of `items` (the caller limits them), linking to the HTML list at `html_url`."""
    here = request.build_absolute_uri()
    feed = Atom1Feed(
        title=strip_control_characters(title),
        link=request.build_absolute_uri(html_url),
        description="",  # RSS only; Atom has no required description.
        language="en",
        # Also on the feed, so that an empty feed is still valid Atom.
        author_name=CORPORATE_AUTHOR,
        feed_url=here,
        feed_guid=here,
    )
    for item in items:
        url = request.build_absolute_uri(item.get_absolute_url())
        text = item_text(item)
        feed.add_item(
            title=strip_control_characters(str(item)),
            link=url,
            unique_id=url,
            # The summary is typed "html": escaping the plain text keeps "<" and "&" literal.
            description=escape(strip_control_characters(text)) if text else None,
            categories=[strip_control_characters(tag.name) for tag in sorted_tags(item)],
            author_name=", ".join(named_authors(item)) or CORPORATE_AUTHOR,
            pubdate=item.published_at,
            updateddate=item.published_at or ATOM_UNDATED,
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response


def _page_url(request, number):
    params = request.GET.copy()
    if number == 1:
        params.pop("page", None)
    else:
        params["page"] = str(number)
    query = params.urlencode()
    return request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)


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
    ]


def _attachment(filename, content_type):
    return HttpResponse(
        content_type=content_type, headers={"Content-Disposition": content_disposition_header(True, filename)}
    )


def _write_limited(items, response, write):
    """Write the first CSV_ROW_LIMIT items; when there are more, say how many in a header.

    One row over the limit is read to know whether there are more; the total is
    counted only then.
    """
    first = items[: CSV_ROW_LIMIT + 1]
    if isinstance(first, QuerySet):
        # In chunks, so a large export does not hold every row at once.
        first = first.iterator(chunk_size=CHUNK_SIZE)
    for position, item in enumerate(first):
        if position == CSV_ROW_LIMIT:
            total = items.count() if isinstance(items, QuerySet) else len(items)
            response.headers["X-Rows-Truncated"] = str(total)
            break
        write(item)
