"""The map of the report: every public topic, grouped by its dimension, against the key
findings listed under it (links the report states) and the suggestions and contributions
linked to it (links the portal's editors made).

Each cell counts key findings and links to the finding list filtered to exactly those, so the
picture and the lists always agree. Five queries, whatever the size of the content.
"""
import math
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from .kinds import BY_NAME
from .models import Contribution, Suggestion, Topic

# Cells are shaded in this many levels, the darkest for the largest count on the map.
HEAT_LEVELS = 4


@dataclass(frozen=True)
class _Wording:
    """How the map names a kind of column, in the interface's words."""

    short: str  # a column's heading, with its `number`: "S1"
    left_out: str  # a plural of `count`: the items of the kind on no column
    all: str  # the link to the kind's whole list


WORDING = {
    "suggestion": _Wording(
        pgettext_lazy("the map's column heading of a suggestion, a letter and a number", "S%(number)s"),
        ngettext_lazy(
            "One other suggestion is linked to no topic, so the map leaves it out.",
            "%(count)s other suggestions are linked to no topic, so the map leaves them out.",
            "count",
        ),
        _("All suggestions"),
    ),
    "contribution": _Wording(
        pgettext_lazy("the map's column heading of an expert contribution, a letter and a number", "C%(number)s"),
        ngettext_lazy(
            "One other contribution is linked to no topic, so the map leaves it out.",
            "%(count)s other contributions are linked to no topic, so the map leaves them out.",
            "count",
        ),
        _("All contributions"),
    ),
}


@dataclass
class Cell:
    count: int | None  # None: the column's item is not linked to the row's topic
    url: str = ""
    level: int = 0


@dataclass
class Column:
    item: object
    wording: _Wording
    number: int  # its position among its kind's columns
    topic_ids: set[int]  # the public topics the item is linked to
    total: Cell

    @property
    def short_label(self):
        """"S1": the column's heading, in the page's language; the key below the table gives the whole text."""
        return self.wording.short % {"number": self.number}


@dataclass
class ColumnGroup:
    kind: object  # findings.kinds.Kind
    columns: list[Column]
    left_out: int  # published items of the kind linked to no public topic

    @property
    def wording(self):
        return WORDING[self.kind.name]


@dataclass
class Row:
    topic: Topic
    findings: Cell  # the findings listed under the topic: stated
    cells: list[Cell]  # one per column, in the column groups' order: editorial


@dataclass
class RowGroup:
    dimension: object  # None for topics whose dimension is not public
    rows: list[Row] = field(default_factory=list)


@dataclass
class Map:
    row_groups: list[RowGroup]
    column_groups: list[ColumnGroup]
    findings_total: Cell

    @property
    def columns(self):
        return [column for group in self.column_groups for column in group.columns]

    @property
    def width(self):
        """Table columns: the topic, its findings, then one per suggestion and contribution."""
        return 2 + len(self.columns)


def findings_url(**filters):
    """The finding list narrowed by `filters` ({facet name: slug}), as its filter form writes it."""
    facets = {facet.name for facet in BY_NAME["finding"].facets}
    assert set(filters) <= facets, f"the finding list has no facet {set(filters) - facets}"
    url = reverse(BY_NAME["finding"].list_url_name)
    return f"{url}?{urlencode(filters)}" if filters else url


def _linked_topics(model, order):
    """Published items of `model` with the published topics they are linked to (two queries)."""
    topics = Prefetch("related_topics", queryset=Topic.objects.published().only("pk"), to_attr="public_topics")
    return model.objects.published().prefetch_related(topics).order_by(*order, "pk")


def build_map():
    """The whole map, read in five queries: topics with their finding counts and dimensions,
    suggestions and contributions each with the topics they are linked to."""
    topics = list(Topic.objects.published().with_finding_counts().select_related("dimension"))
    counts = {topic.pk: topic.finding_count for topic in topics}
    top = max(counts.values(), default=0)

    def cell(count, url):
        level = math.ceil(HEAT_LEVELS * count / top) if count and top else 0
        return Cell(count, url, level)

    column_groups = []
    for kind, items in (
        (BY_NAME["suggestion"], _linked_topics(Suggestion, ["order"])),
        (BY_NAME["contribution"], _linked_topics(Contribution, ["chapter__number", "order"])),
    ):
        linked = [item for item in items if item.public_topics]
        columns = []
        for position, item in enumerate(linked, start=1):
            topic_ids = {topic.pk for topic in item.public_topics}
            # Totals are not shaded: the shades compare cells, and a total sums several.
            total = Cell(sum(counts[pk] for pk in topic_ids), findings_url(**{kind.name: item.slug}))
            columns.append(Column(item, WORDING[kind.name], position, topic_ids, total))
        column_groups.append(ColumnGroup(kind, columns, len(items) - len(linked)))

    row_groups = {}
    for topic in sorted(topics, key=_dimension_order):
        dimension = topic.dimension if topic.dimension.is_published else None
        group = row_groups.setdefault(dimension.pk if dimension else None, RowGroup(dimension))
        cells = []
        for column_group in column_groups:
            facet = column_group.kind.name
            for column in column_group.columns:
                if topic.pk in column.topic_ids:
                    url = findings_url(topic=topic.slug, **{facet: column.item.slug})
                    cells.append(cell(counts[topic.pk], url))
                else:
                    cells.append(Cell(None))
        group.rows.append(Row(topic, cell(counts[topic.pk], findings_url(topic=topic.slug)), cells))
    return Map(list(row_groups.values()), column_groups, Cell(sum(counts.values()), findings_url()))


def _dimension_order(topic):
    """Topics under public dimensions in the dimensions' order, then the others; each group in report order."""
    dimension = topic.dimension
    if not dimension.is_published:
        return (1, 0, 0, topic.order, topic.pk)
    return (0, dimension.order, dimension.pk, topic.order, topic.pk)
