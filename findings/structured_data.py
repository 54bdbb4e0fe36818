"""schema.org JSON-LD for the report's page and each detail page, so that search engines and
reference tools read what a page is: the report as a `Report` with its ISBN and publisher,
each item as a `CreativeWork` that `isPartOf` it. Only what the content holds is said."""
import json

from django.utils.safestring import mark_safe

from .citations import CORPORATE_AUTHOR, named_authors, placement, sorted_tags
from .exports import item_text

# What json_script escapes: the JSON cannot end the <script> element or start a comment or CDATA.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script(data) -> str:
    """`data` as a `<script type="application/ld+json">` element (not run: the policy allows it)."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # escaped above


def report_data(report, request) -> dict:
    url = request.build_absolute_uri(report.get_absolute_url())
    identifiers = [("ISBN", report.isbn), ("eISBN", report.eisbn)]
    return {
        "@context": "https://schema.org",
        **_report(report, url),
        "url": url,
        "identifier": [
            {"@type": "PropertyValue", "propertyID": name, "value": value} for name, value in identifiers if value
        ],
    }


def item_data(item, request) -> dict:
    report, _ = placement(item)
    url = request.build_absolute_uri(item.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": str(item),
        "author": [{"@type": "Person", "name": name} for name in named_authors(item)]
        + [{"@type": "Organization", "name": CORPORATE_AUTHOR}],
        "isPartOf": _report(report, request.build_absolute_uri(report.get_absolute_url())),
    }
    text = item_text(item)
    if text and text != data["name"]:
        data["text"] = text
    tags = [tag.name for tag in sorted_tags(item)]
    if tags:
        data["keywords"] = tags
    return data


def _report(report, url):
    data = {
        "@type": "Report",
        "@id": url,
        "name": report.full_title,
        "alternateName": report.title,
        "datePublished": str(report.year),
        "author": {"@type": "Organization", "name": CORPORATE_AUTHOR},
        "publisher": {"@type": "Organization", "name": report.publisher},
    }
    if report.isbn:
        data["isbn"] = report.isbn
    return data
