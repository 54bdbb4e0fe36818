"""The state of a list or search page, held in its URL: facets, text, sort, page, format.

Facet rules: `tag` requires every chosen tag (or any, with `match=any`); other facets
accept any of their chosen values; facets combine with AND. Each value's count is exactly
the number of results its URL gives, computed with grouped queries, never one per value.
"""
import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils.functional import cached_property
from django.http import QueryDict

from .forms import read_params
from .search import published_documents

MAX_VALUES = 10  # per facet: more is a malformed URL, not a real choice
_SLUG = re.compile(r"^[-\w]{1,100}$")


@dataclass(frozen=True)
class Facet:
    name: str  # its query parameter
    label: str
    lookup: str  # from the listed model to the value's slug
    label_lookup: str  # from the listed model to what people read
    label_format: str = "{}"
    public: tuple[str, ...] = ()  # relations on the way whose items must be published too

    def label_for(self, raw):
        return self.label_format.format(raw)


TAG = Facet("tag", "Tag", "tags__slug", "tags__name")

LIST_FACETS = {
    "finding": [
        TAG,
        Facet("topic", "Topic", "topic__slug", "topic__title"),
        Facet("chapter", "Chapter", "topic__chapter__slug", "topic__chapter__number", "Chapter {}"),
        Facet("dimension", "Dimension", "topic__dimension__slug", "topic__dimension__title", public=("topic__dimension",)),
    ],
    "suggestion": [
        TAG,
        Facet("topic", "Related topic", "related_topics__slug", "related_topics__title", public=("related_topics",)),
        Facet(
            "dimension", "Dimension", "related_topics__dimension__slug", "related_topics__dimension__title",
            public=("related_topics", "related_topics__dimension"),
        ),
    ],
    "contribution": [
        TAG,
        Facet("chapter", "Chapter", "chapter__slug", "chapter__number", "Chapter {}"),
        Facet("topic", "Related topic", "related_topics__slug", "related_topics__title", public=("related_topics",)),
    ],
    "topic": [
        TAG,
        Facet("chapter", "Chapter", "chapter__slug", "chapter__number", "Chapter {}"),
        Facet("dimension", "Dimension", "dimension__slug", "dimension__title", public=("dimension",)),
        Facet(
            "contribution", "Related contribution", "related_contributions__slug", "related_contributions__title",
            public=("related_contributions",),
        ),
    ],
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str
    remove_url: str
    known: bool = True


@dataclass
class FacetView:
    facet: Facet
    values: list[FacetValue] = field(default_factory=list)

    @property
    def name(self):
        return self.facet.name

    @property
    def label(self):
        return self.facet.label


class PageState:
    """What the query string asks for, validated; builds the URLs that change it."""

    def __init__(self, params: QueryDict, path: str, facet_names):
        self.params, self.path = params, path
        clean, self.messages = read_params(params)
        self.q, self.match_any = clean["q"], clean["match"] == "any"
        self.sort, self.format = clean["sort"], clean["format"] or "html"
        self.selected = {}
        for name in facet_names:
            values, given = [], params.getlist(name)
            if len(given) > MAX_VALUES:
                self.messages.append(f"Ignored {len(given) - MAX_VALUES} of the {len(given)} {name} values: at most {MAX_VALUES} are used.")
            for value in given[:MAX_VALUES]:
                value = value.strip()
                if not value or value in values:
                    continue
                if _SLUG.match(value):
                    values.append(value)
                else:
                    self.messages.append(f"Ignored {name}=“{value[:100]}”: not a valid {name}.")
            self.selected[name] = values
        # Links from this page carry only what was understood, so a warning is not repeated.
        self.params = self._understood(params, clean)

    def _understood(self, params, clean):
        understood = params.copy()
        for name, values in self.selected.items():
            understood.setlist(name, values)
        for name in ("q", "sort", "match", "format", "page"):
            if name in understood and name != "page" and not clean.get(name):
                understood.pop(name)
        if "page" in understood and not understood.get("page", "").isdigit():
            understood.pop("page")
        return understood

    @property
    def has_filters(self):
        return any(self.selected.values())

    def url(self, changes=None, drop=("page", "format")):
        """This page's URL with `changes` ({name: [values]}) applied and `drop` removed."""
        params = self.params.copy()
        for name in drop:
            params.pop(name, None)
        for name, values in (changes or {}).items():
            params.setlist(name, values)
        for name in [key for key, values in params.lists() if not any(values)]:
            params.pop(name)
        return f"{self.path}?{params.urlencode()}" if params else self.path

    def url_adding(self, name, value):
        values = self.selected[name]
        return self.url({name: values if value in values else [*values, value]})

    def url_removing(self, name, value):
        return self.url({name: [v for v in self.selected[name] if v != value]})

    def page_url(self, number):
        """This view at page `number` (page 1 has no `page` parameter)."""
        return self.url({"page": [str(number)] if number > 1 else []}, drop=("format",))

    @property
    def url_without_q(self):
        return self.url({"q": []})

    @property
    def clear_url(self):
        """Every filter and the search text removed; sort kept."""
        return self.url({**{name: [] for name in self.selected}, "q": [], "match": []})

    def format_url(self, fmt):
        return self.url({"format": [fmt]}, drop=("page",))

    @property
    def format_urls(self):
        """This view as each take-away format (JSON keeps the page; the others are the whole result)."""
        urls = {fmt: self.format_url(fmt) for fmt in ("csv", "atom", "bibtex", "ris")}
        urls["json"] = self.url({"format": ["json"]}, drop=())
        return urls

    @property
    def chosen(self):
        """(parameter, value) pairs of every chosen facet value, for the removable list."""
        return [(name, value) for name, values in self.selected.items() for value in values]


def _path_model(model, path):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


class FacetedList:
    """A model's published items narrowed by the page state, with counts for every facet."""

    def __init__(self, base, facets, state, text_ids=None):
        self.model, self.facets, self.state = base.model, facets, state
        self.base = base if text_ids is None else base.filter(pk__in=text_ids)
        self.results = self._narrow(self.base)

    def _public(self, facet):
        return {
            f"{relation}__in": _path_model(self.model, relation).objects.published() for relation in facet.public
        }

    def _matching(self, facet, values):
        """Q for items with any of `values` for `facet` (through published relations only)."""
        conditions = {f"{facet.lookup}__in": values, **self._public(facet)}
        return Q(pk__in=self.model._default_manager.filter(**conditions).values("pk"))

    def _requires_all(self, facet):
        return facet is TAG and not self.state.match_any

    def _narrow(self, queryset, skip=None):
        for facet in self.facets:
            values = self.state.selected.get(facet.name)
            if facet.name == skip or not values:
                continue
            if self._requires_all(facet):
                for value in values:
                    queryset = queryset.filter(self._matching(facet, [value]))
            else:
                queryset = queryset.filter(self._matching(facet, values))
        return queryset

    def _grouped(self, facet, queryset):
        """{value: (label, how many items of `queryset` have it)} in one grouped query."""
        rows = (
            queryset.order_by()
            .filter(**self._public(facet))
            .values(facet.lookup, facet.label_lookup)
            .annotate(n=Count("pk", distinct=True))
        )
        return {row[facet.lookup]: (facet.label_for(row[facet.label_lookup]), row["n"]) for row in rows if row[facet.lookup]}

    def facet_views(self, total):
        """Every facet with its values; `total` is the result count (already counted by the paginator).

        All-of facet: a value's count is how many current results carry it. Any-of facet with
        nothing chosen: how many items (under the other facets) carry it. Any-of facet with
        choices: the current results plus the items only this value would add.
        """
        views = []
        for facet in self.facets:
            selected = self.state.selected.get(facet.name, [])
            if self._requires_all(facet):
                counts = self._grouped(facet, self.results)
            elif not selected:
                counts = self._grouped(facet, self._narrow(self.base, skip=facet.name))
            else:
                others = self._narrow(self.base, skip=facet.name).exclude(self._matching(facet, selected))
                counts = {value: (label, total + n) for value, (label, n) in self._grouped(facet, others).items()}
            views.append(self._view(facet, counts, selected, total))
        return views

    def _view(self, facet, counts, selected, total):
        """Values sorted by count; a chosen value's URL is this page, so its count is `total`."""
        missing = [value for value in selected if value not in counts]
        labels = self._labels(facet, missing)
        for value in selected:
            counts[value] = (counts[value][0] if value in counts else labels.get(value, value), total)
        view = FacetView(facet)
        for value, (label, count) in sorted(counts.items(), key=lambda item: (-item[1][1], str(item[1][0]))):
            view.values.append(
                FacetValue(
                    value, label, count, value in selected,
                    self.state.url_adding(facet.name, value), self.state.url_removing(facet.name, value),
                    known=value not in missing or value in labels,
                )
            )
        return view

    def _labels(self, facet, values):
        """Readable names for chosen values that no result carries (one query, only when needed)."""
        if not values:
            return {}
        target = _path_model(self.model, facet.lookup.rsplit("__", 1)[0])
        label_field = facet.label_lookup.rsplit("__", 1)[1]
        manager = target._default_manager if facet is TAG else target.objects.published()
        rows = manager.filter(slug__in=values).values_list("slug", label_field)
        return {slug: facet.label_for(label) for slug, label in rows}


# Search results are SearchDocument rows of several kinds; their facets reach each kind's
# items through that kind's own lookup, and only published items are ever counted.
KIND = Facet("kind", "Kind", "kind", "kind")
SEARCH_LOOKUPS = {
    "tag": {kind: ("tags__slug", "tags__name") for kind in ("finding", "suggestion", "topic", "contribution")},
    "chapter": {
        "finding": ("topic__chapter__slug", "topic__chapter__number"),
        "topic": ("chapter__slug", "chapter__number"),
        "contribution": ("chapter__slug", "chapter__number"),
        "chapter": ("slug", "number"),
    },
}
SEARCH_FACETS = [KIND, TAG, Facet("chapter", "Chapter", "chapter__slug", "chapter__number", "Chapter {}")]


class FacetedSearch(FacetedList):
    """Ranked search documents narrowed by kind, tag and chapter, published items only."""

    def __init__(self, documents, state, kinds):
        self.kinds = kinds  # {kind: model}
        super().__init__(published_documents(documents, kinds), SEARCH_FACETS, state)

    def _public(self, facet):
        return {}

    def _matching(self, facet, values):
        if facet is KIND:
            return Q(kind__in=values)
        condition = Q(pk__in=[])
        for kind, (lookup, _) in SEARCH_LOOKUPS[facet.name].items():
            model = self.kinds[kind]
            having = model._default_manager.filter(**{f"{lookup}__in": values}).values("pk")
            condition |= Q(kind=kind, object_id__in=having)
        return condition

    def _grouped(self, facet, documents):
        if facet is KIND:
            rows = documents.order_by().values("kind").annotate(n=Count("pk"))
            return {row["kind"]: (self.kinds[row["kind"]].kind_label, row["n"]) for row in rows}
        counts = {}
        for kind, (lookup, label_lookup) in SEARCH_LOOKUPS[facet.name].items():
            items = self.kinds[kind]._default_manager.filter(pk__in=documents.filter(kind=kind).values("object_id"))
            rows = items.order_by().values(lookup, label_lookup).annotate(n=Count("pk", distinct=True))
            for row in rows:
                label, n = counts.get(row[lookup], (facet.label_for(row[label_lookup]), 0))
                counts[row[lookup]] = (label, n + row["n"])
        return counts

    def _labels(self, facet, values):
        if not values:
            return {}
        if facet is KIND:
            return {kind: self.kinds[kind].kind_label for kind in values if kind in self.kinds}
        from taggit.models import Tag

        from .models import Chapter

        if facet is TAG:
            return dict(Tag.objects.filter(slug__in=values).values_list("slug", "name"))
        rows = Chapter.objects.published().filter(slug__in=values).values_list("slug", "number")
        return {slug: facet.label_for(number) for slug, number in rows}


def unknown_values(views):
    """Chosen values that exist nowhere: the page says so, and the result is empty."""
    return [(view.facet, value) for view in views for value in view.values if not value.known]


class _CountedPaginator(Paginator):
    """A paginator told its count: the count of the unsorted result is cheaper than that of
    a relevance-sorted one (which joins the full-text table)."""

    def __init__(self, items, per_page, count):
        super().__init__(items, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count if self.known_count is not None else super().count


def paginate(items, params, per_page, count=None) -> Page:
    """The requested page; a page that is not a number or out of range gives the nearest one."""
    paginator = _CountedPaginator(items, per_page, count)
    try:
        number = int(params.get("page", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), paginator.num_pages)
    return paginator.page(number)


