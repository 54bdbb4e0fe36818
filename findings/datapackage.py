"""The whole published content as a Frictionless Data Package (https://datapackage.org):
`datapackage.json` describing one CSV per public kind and one of the links between them, with
each field's type, the primary and foreign keys, the publisher and the sources. Only what
`published()` gives is written; the licence is stated only if a source states one (none does).

Each kind's CSV names its parent by slug (a foreign key to the parent kind's CSV); `links.csv`
holds the many-to-many links between kinds (a contribution's or suggestion's related topics),
one per row, each end a foreign key to its kind's CSV.
"""
import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from .exports import CSV_SEPARATOR, item_record
from .kinds import BY_MODEL, BY_NAME, KINDS
from .models import Report, Source

NAME = "wpsr-2023-findings"
LINKS = "links"
NO_LICENCE = (
    "Licence: none is known. None of the sources this portal checked states a licence for the report or its "
    "content, so none is given here; ask the publisher before reusing the text beyond quotation. The tags and the "
    "links marked editorial were added by the portal's editors."
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer
    description: str
    value: Callable  # (item, its JSON record) -> the cell
    format: str = ""
    required: bool = False


def _text(value):
    return value or ""


def _columns(kind):
    """The columns of a kind's CSV: what its JSON record says, its parent as a key, its position."""
    parent = BY_NAME.get(kind.parent)
    position = kind.order[0]
    columns = [
        Column("slug", "string", "the item's identifier, as in its URL", lambda item, record: item.slug, required=True),
        Column("title", "string", "what the item's page heading shows", lambda item, record: record["title"]),
        Column(
            "text", "string", "a finding's or suggestion's text, a contribution's summary",
            lambda item, record: _text(record["text"]),
        ),
        Column("url", "string", "the item's page on the portal", lambda item, record: record["url"], format="uri"),
    ]
    if parent:
        columns.append(
            Column(
                parent.name, "string", f"the slug of the {parent.noun} it belongs to (in {parent.path}.csv)",
                lambda item, record: getattr(item, kind.parent).slug, required=True,
            )
        )
    columns.append(
        Column(
            position, "integer", f"its position under its {kind.parent}, as in the report",
            lambda item, record: getattr(item, position),
        )
    )
    if kind.tagged:
        columns.append(
            Column(
                "tags", "string", f"editorial tags, A to Z, separated by “{CSV_SEPARATOR}”",
                lambda item, record: CSV_SEPARATOR.join(tag["name"] for tag in record["tags"]),
            )
        )
    columns += [
        Column(
            "source_title", "string", "the source it is taken from",
            lambda item, record: _text(record["source"]["title"]),
        ),
        Column(
            "source_url", "string", "the source's address, where it has one",
            lambda item, record: _text(record["source"]["url"]), format="uri",
        ),
    ]
    return columns + _EXTRA_COLUMNS.get(kind.name, [])


_EXTRA_COLUMNS = {
    "contribution": [
        Column(
            "authors", "string",
            f"the named authors, separated by “{CSV_SEPARATOR}” (empty where no source names them)",
            lambda item, record: CSV_SEPARATOR.join(record["authors"]),
        ),
        Column(
            "publication_date", "string", "as precise as the source (“October 2023”)",
            lambda item, record: _text(record["publication_date"]),
        ),
        Column(
            "external_url", "string", "the contribution's own address",
            lambda item, record: _text(record["external_url"]), format="uri",
        ),
    ],
    "topic": [
        Column(
            "dimension", "string", "the slug of the dimension of innovation it is grouped under (editorial)",
            lambda item, record: item.dimension.slug if item.dimension.is_published else "",
        ),
        Column(
            "dimension_title", "string", "that dimension's title (editorial)",
            lambda item, record: item.dimension.title if item.dimension.is_published else "",
        ),
    ],
}


def _many_to_many():
    """[(kind, field, the kind it links to)] for every many-to-many link between public kinds."""
    return [
        (kind, field, BY_MODEL[field.related_model])
        for kind in KINDS
        for field in kind.model._meta.many_to_many
        if field.related_model in BY_MODEL
    ]


def _link_kinds():
    """The kinds at either end of a link, in the registry's order: the columns of links.csv."""
    ends = {kind.name for link in _many_to_many() for kind in (link[0], link[2])}
    return [kind for kind in KINDS if kind.name in ends]


class DataPackage:
    """The package for one request (its URLs are absolute): the descriptor and each CSV."""

    def __init__(self, request):
        self.request = request

    def descriptor(self) -> dict:
        report = Report.objects.published().first()
        sources = Source.objects.published().exclude(url="")
        return {
            "name": NAME,
            "title": f"{report.full_title if report else 'World Public Sector Report 2023'}: findings",
            "description": (
                "The published content of the WPSR 2023 innovation portal: the chapters, expert contributions, "
                "topics, key findings and suggestions of the United Nations World Public Sector Report 2023, as on "
                "the portal's pages, one CSV per kind, and the links between them. " + NO_LICENCE
            ),
            "homepage": self.request.build_absolute_uri(reverse("findings:home")),
            **({"contributors": [{"title": report.publisher, "role": "publisher"}]} if report else {}),
            "sources": [{"title": source.title, "path": source.url} for source in sources],
            "resources": [self._resource(kind) for kind in KINDS] + [self._links_resource()],
        }

    def _resource(self, kind):
        columns = _columns(kind)
        parent = BY_NAME.get(kind.parent)
        schema = {"fields": [_field(column) for column in columns], "primaryKey": ["slug"]}
        if parent:
            reference = {"resource": parent.path, "fields": ["slug"]}
            schema["foreignKeys"] = [{"fields": [parent.name], "reference": reference}]
        return {
            "name": kind.path,
            "path": f"{kind.path}.csv",
            "title": str(kind.plural),
            "description": f"Every published {kind.noun}.",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }

    def _links_resource(self):
        kinds = _link_kinds()
        fields = [
            {"name": kind.name, "type": "string", "description": f"a {kind.noun}'s slug (in {kind.path}.csv)"}
            for kind in kinds
        ]
        fields += [
            {"name": "relation", "type": "string", "description": "what the link is, e.g. related_topics"},
            {
                "name": "basis", "type": "string", "constraints": {"enum": ["editorial", "source"]},
                "description": "editorial: added by the portal's editors; source: stated by a source",
            },
        ]
        return {
            "name": LINKS,
            "path": f"{LINKS}.csv",
            "title": "Links between items",
            "description": "Each many-to-many link between two published items, one per row: the two items' slugs in "
            "the columns of their kinds. (Each item's parent is a column of its own CSV.)",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": fields,
                "foreignKeys": [
                    {"fields": [kind.name], "reference": {"resource": kind.path, "fields": ["slug"]}} for kind in kinds
                ],
            },
        }

    def csv_names(self):
        return [kind.path for kind in KINDS] + [LINKS]

    def csv(self, name) -> str:
        """The CSV called `name` (a kind's path, or `links`)."""
        if name == LINKS:
            return self._links_csv()
        kind = next(kind for kind in KINDS if kind.path == name)
        columns = _columns(kind)
        rows = []
        for item in kind.model.objects.published().for_listing():
            record = item_record(item, self.request)
            rows.append([column.value(item, record) for column in columns])
        return _write([column.name for column in columns], rows)

    def _links_csv(self):
        kinds = _link_kinds()
        rows = []
        for kind, field, target in _many_to_many():
            linked = Prefetch(field.name, queryset=target.model.objects.published().order_by(*target.order, "pk"))
            for item in kind.model.objects.published().order_by(*kind.order, "pk").prefetch_related(linked):
                for other in getattr(item, field.name).all():
                    ends = {kind.name: item.slug, target.name: other.slug}
                    basis = "editorial" if field.name.startswith("related_") else "source"
                    rows.append([ends.get(column.name, "") for column in kinds] + [field.name, basis])
        return _write([kind.name for kind in kinds] + ["relation", "basis"], rows)

    def zip(self) -> bytes:
        """The descriptor and every CSV in one ZIP file."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{NAME}/datapackage.json", json.dumps(self.descriptor(), ensure_ascii=False, indent=2))
            for name in self.csv_names():
                archive.writestr(f"{NAME}/{name}.csv", self.csv(name))
        return buffer.getvalue()


def _field(column):
    field = {"name": column.name, "type": column.type, "description": column.description}
    if column.format:
        field["format"] = column.format
    if column.required:
        field["constraints"] = {"required": True}
    return field


def _write(header, rows):
    """CSV as Python's csv module writes it (RFC 4180 quoting, CRLF line ends), values exactly as stored."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
