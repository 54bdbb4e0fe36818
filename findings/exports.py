"""What the machine-readable forms say of each item: its JSON record, its CSV row, its
BibTeX entry and RIS record (findings.formats decides when each is answered).

Callers pass published, filtered items with their `parents` and `source` selected and their
tags (and a contribution's authors) prefetched; nothing here then runs a query per item.
Every URL written is absolute, built from the request.
"""
import csv

from django.http import JsonResponse

from .citations import Reports, bibtex_entry, ris_record, sorted_tags

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
        # A source still in review is not public: the record says nothing of it.
        "source": {"title": item.source.title, "url": item.source.url or None}
        if item.source.is_published
        else {"title": None, "url": None},
    }


def item_text(item):
    """The body under the title: a finding's or suggestion's text, a contribution's summary, or None."""
    return getattr(item, "text", None) or getattr(item, "summary", None) or None


def json_response(page, request, state, facet_views) -> JsonResponse:
    """A page of results, its facets, and links to the pages before and after it."""

    def page_url(number):
        return request.build_absolute_uri(state.page_url(number, format="json"))

    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [item_record(item, request) for item in page.object_list],
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
        },
        json_dumps_params={"ensure_ascii": False},
    )


def csv_writer(response, request):
    """Writes the header row now, and returns what writes one item's row."""
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    return lambda item: writer.writerow(_csv_row(item_record(item, request)))


def bibtex_writer(response, request):
    reports = Reports()
    return lambda item: response.write(bibtex_entry(item, request, reports) + "\n")


def ris_writer(response, request):
    reports = Reports()
    # RIS records end with CR LF.
    return lambda item: response.write(ris_record(item, request, reports) + "\r\n")


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
