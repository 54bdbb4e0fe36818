"""Facets: the values a list can be narrowed by, each with exactly how many results its
link gives.

Rules: `tag` requires every chosen tag (or any, with `match=any`); other facets accept any of
their chosen values; facets combine with AND. Counts come from grouped queries, one per
facet, never one per value.
"""
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from . import cache
from .kinds import BY_NAME, TAG, TAGGED, Facet
from .models import Chapter, SearchDocument
from .query_state import PageState
from .querysets import SearchDocumentList
from .search.query import (
    best_first,
    items_best_first,
    matching_documents,
    matching_ids,
    ranked_ids,
    ranks_in_python,
)
from .tags import public_tags


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    facet_name: str
    state: "PageState"
    known: bool = True

    # A page builds only the addresses it shows (the HTML form needs none but the chosen
    # values' removal links), not two for every value of every facet.
    @cached_property
    def url(self):
        """The page with this value chosen too."""
        return self.state.url_adding(self.facet_name, self.value)

    @cached_property
    def remove_url(self):
        """The page without this value."""
        return self.state.url_removing(self.facet_name, self.value)


# A list (not search, whose words' matches come first) whose smallest chosen set, by the whole
# table's counts, is at most this large reads its results' ids once; its other queries start
# from them.
SMALL_RESULTS = 2000

# A facet shows at most this many values (those chosen always show), so that a page's size and
# cost stay the same however many topics or tags the data holds; the rest are counted in `more`.
FACET_SIZE = 50


@dataclass
class FacetView:
    facet: Facet
    values: list[FacetValue] = field(default_factory=list)
    more: int = 0  # values left out, the least frequent

    @property
    def name(self):
        return self.facet.name

    @property
    def label(self):
        return self.facet.label


def _path_model(model, path):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


class _Faceted:
    """Items narrowed by the page state's facet values, with counts for every facet."""

    def __init__(self, base, facets, state, parsed, counted_base=None):
        """`base`: the items a page lists; `counted_base`: the same items, in the form the
        database counts fastest (FacetedList's), for the result count and the facets."""
        self.model, self.facets, self.state, self.parsed = base.model, facets, state, parsed
        self._per_queryset = {}
        self.base = base if counted_base is None else counted_base
        self.results = self._narrow(base)
        self.counted = self.results if counted_base is None else self._narrow(counted_base)
        # Nothing chosen and no words: the counts are the whole table's, worked out once per
        # content generation rather than on every visit (findings.cache.remembered).
        self.unfiltered = parsed.is_empty and not any(state.selected.get(facet.name) for facet in facets)

    def count(self):
        """How many results."""
        if self.unfiltered:
            return cache.remembered(f"count:{self.model._meta.label}", self.counted.count)
        return self.counted.count()

    def _table_counts(self, facet):
        """{value: (raw label, n)} over every published item: the unfiltered list's counts, and
        how large each chosen value's set is (once per content generation)."""
        name = f"facet:{self.model._meta.label}:{facet.name}"
        # Asked for again by each narrowing of the page: read from the cache once per page.
        everything = self._everything
        return self._once(name, everything, lambda: cache.remembered(name, lambda: self._grouped(facet, everything)))

    @cached_property
    def _everything(self):
        """Every published item (one queryset, so that its items per parent are counted once)."""
        return self.model.objects.published(parents_as_list=True)

    def _public(self, facet, under=""):
        """Conditions that `facet`'s relations on the way are published: from the items, or
        from their relation `under` (for the relations that go through it)."""
        prefix = f"{under}__" if under else ""
        return {
            f"{relation.removeprefix(prefix)}__in": _path_model(self.model, relation).objects.published()
            for relation in facet.public
        }

    def _matching(self, facet, values, per_row=False):
        """Q for items with any of `values` for `facet` (through published relations only): as
        the list of such items, which the database reads first, or (`per_row`) as a check of
        each row it already has, through the indexes."""
        if facet is TAG:
            # Through the tagged items alone (their index by tag), not joined back to the items.
            tagged = self._tagged_items().filter(tag__slug__in=values)
            if per_row:
                return Q(Exists(tagged.filter(object_id=OuterRef("pk"))))
            return Q(pk__in=tagged.values("object_id"))
        head, _, rest = facet.lookup.partition("__")
        field = self.model._meta.get_field(head)
        if rest and field.many_to_one and all(relation.startswith(f"{head}__") for relation in facet.public):
            # Through one parent per item (a finding's topic): the parents that give one of the
            # values, a small subquery each row's parent is checked against, where the items
            # having them would be read first. One filter(), so that a value and its publication
            # are the same related row's.
            conditions = {f"{rest}__in": values, **self._public(facet, under=head)}
            return Q(**{f"{head}__in": field.related_model._default_manager.filter(**conditions).values("pk")})
        conditions = {f"{facet.lookup}__in": values, **self._public(facet)}
        having = self.model._default_manager.filter(**conditions)
        if per_row:
            return Q(Exists(having.filter(pk=OuterRef("pk"))))
        return Q(pk__in=having.values("pk"))

    def _tagged_items(self):
        """taggit's links from this list's kind to its tags."""
        return TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(self.model))

    def _requires_all(self, facet):
        return facet.requires_all and not self.state.match_any

    def _conditions(self, skip=None):
        """[(facet, values)] the results must meet: one per chosen tag when all are required."""
        conditions = []
        for facet in self.facets:
            values = self.state.selected.get(facet.name)
            if facet.name == skip or not values:
                continue
            if self._requires_all(facet):
                conditions += [(facet, [value]) for value in values]
            else:
                conditions.append((facet, values))
        return conditions

    def _narrow(self, queryset, skip=None):
        """`queryset` meeting every condition. The one with the fewest items (by the whole
        table's counts) is the list the database starts from; the others are checked row by row,
        so that the work follows the smallest chosen set, not the largest."""
        conditions = self._conditions(skip)
        driver = min(range(len(conditions)), key=lambda n: self._size(*conditions[n]), default=None)
        for position, (facet, values) in enumerate(conditions):
            queryset = queryset.filter(self._matching(facet, values, per_row=position != driver))
        return queryset

    def _size(self, facet, values):
        counts = self._table_counts(facet)
        return sum(counts[value][1] if value in counts else 0 for value in values)

    def _grouped(self, facet, queryset):
        """{value: (its raw label, how many items of `queryset` have it)}.

        A facet whose values hang from a parent of each item (a finding's topic, chapter,
        dimension and the contributions and suggestions linked to its topic) is counted from
        how many items each parent has, one grouped query over the items shared by every such
        facet, and each parent's values, read once per content generation (the parents are
        few); the others (tags) in one grouped query of their own."""
        via = self._via(facet)
        if via is None:
            return self._grouped_directly(facet, queryset)
        counts = {}
        values = self._values_by_parent(via, facet)
        for parent, n in self._count_by_parent(via, queryset).items():
            for value, raw in values.get(parent, ()):
                counts[value] = (raw, counts[value][1] + n if value in counts else n)
        return counts

    def _via(self, facet):
        """The many-to-one relation of the items that `facet`'s values are reached through, when
        other facets go through it too (so that its count per parent serves them all), or None."""
        head, _, rest = facet.lookup.partition("__")
        if not rest or not self.model._meta.get_field(head).many_to_one:
            return None
        sharing = [other for other in self.facets if other.lookup.startswith(f"{head}__")]
        return head if len(sharing) > 1 else None

    def _once(self, name, queryset, compute):
        """`compute()` about `queryset`, worked out once per queryset of this page (the facets
        of a page share their querysets)."""
        key = (name, id(queryset))
        if key not in self._per_queryset:
            self._per_queryset[key] = queryset, compute()  # kept with it, so that its id stays its own
        return self._per_queryset[key][1]

    def _count_by_parent(self, via, queryset):
        """{parent pk: how many items of `queryset` it has}."""

        def count():
            rows = queryset.order_by().values(via).annotate(n=Count("pk", distinct=True))
            return {row[via]: row["n"] for row in rows}

        return self._once(via, queryset, count)

    def _values_by_parent(self, via, facet):
        """{parent pk: [(value, raw label)]}: the values of `facet` each parent gives its items,
        through published relations only (once per content generation)."""

        def read():
            parents = _path_model(self.model, via)._default_manager.all()
            for relation in facet.public:
                if relation == via:
                    parents = parents.published()
                else:
                    rest = relation.partition("__")[2]
                    parents = parents.filter(**{f"{rest}__in": _path_model(self.model, relation).objects.published()})
            lookups = facet.lookup.partition("__")[2], facet.label_lookup.partition("__")[2]
            values = {}
            for parent, value, raw in parents.order_by().values_list("pk", *lookups).distinct():
                if value:
                    values.setdefault(parent, []).append((value, raw))
            return values

        return cache.remembered(f"facet-values:{self.model._meta.label}:{facet.name}", read)

    def _grouped_directly(self, facet, queryset):
        """{value: (its raw label, how many items of `queryset` have it)} in one grouped query."""
        if facet is TAG:
            # From the tagged items (one per item and tag), through their index by item: joined
            # from the items, the id's cast to the tagged item's type would read them all.
            rows = (
                self._tagged_items()
                .filter(object_id__in=queryset.values("pk"))
                .order_by()
                .values_list("tag__slug", "tag__name")
                .annotate(n=Count("pk"))
            )
            return {slug: (name, n) for slug, name, n in rows}
        rows = (
            queryset.order_by()
            .filter(**self._public(facet))
            .values(facet.lookup, facet.label_lookup)
            .annotate(n=Count("pk", distinct=True))
        )
        return {row[facet.lookup]: (row[facet.label_lookup], row["n"]) for row in rows if row[facet.lookup]}

    def facet_views(self, total):
        """Every facet with its values; `total` is the result count (already counted by the paginator).

        All-of facet: a value's count is how many current results carry it. Any-of facet with
        nothing chosen: how many items (under the other facets) carry it. Any-of facet with
        choices: the current results plus the items only this value would add.
        """
        views = []
        for facet in self.facets:
            selected = self.state.selected.get(facet.name, [])
            if self.unfiltered:
                counts = self._table_counts(facet)
            elif self._requires_all(facet) or not selected:
                # Nothing of this facet chosen: leaving it out narrows the items no less.
                counts = self._grouped(facet, self.counted)
            else:
                others = self._narrow(self.base, skip=facet.name).exclude(self._matching(facet, selected))
                counts = {value: (label, total + n) for value, (label, n) in self._grouped(facet, others).items()}
            views.append(self._view(facet, counts, selected, total))
        return views

    def _view(self, facet, counts, selected, total):
        """Values by count, most first, then A to Z (or in the report's order, for a facet in
        `in_order`); a chosen value's URL is this page, so its count is `total`."""
        missing = [value for value in selected if value not in counts]
        labels = self._labels(facet, missing)
        for value in selected:
            counts[value] = (counts[value][0] if value in counts else labels.get(value, value), total)

        def order(item):
            raw, count = item[1]
            if facet.in_order:  # unknown values (their slug stands as the label) go last
                return (isinstance(raw, str), raw if not isinstance(raw, str) else 0, str(raw))
            return (-count, str(facet.label_for(raw)).casefold())

        ranked = sorted(counts.items(), key=order)
        shown = [item for position, item in enumerate(ranked) if position < FACET_SIZE or item[0] in selected]
        view = FacetView(facet, more=len(ranked) - len(shown))
        for value, (raw, count) in shown:
            view.values.append(
                FacetValue(
                    value, facet.label_for(raw), count, value in selected, facet.name, self.state,
                    known=value not in missing or value in labels,
                )
            )
        return view

    def _labels(self, facet, values):
        """Raw labels of chosen values that no result carries (one query, only when needed);
        a value the public cannot see (a tag only drafts carry) stays unknown."""
        if not values:
            return {}
        if facet is TAG:
            return _public_tag_names(values)
        via = self._via(facet)
        if via is not None:
            # Each parent's values and labels are already kept for the counts: a query only for
            # a value no public parent gives (a chapter without public topics, or none at all).
            known = {value: raw for pairs in self._values_by_parent(via, facet).values() for value, raw in pairs}
            labels = {value: known[value] for value in values if value in known}
            if len(labels) == len(set(values)):
                return labels
        target = _path_model(self.model, facet.lookup.rsplit("__", 1)[0])
        label_field = facet.label_lookup.rsplit("__", 1)[1]
        return dict(target.objects.published().filter(slug__in=values).values_list("slug", label_field))


class FacetedList(_Faceted):
    """A kind's published items, narrowed by its facets and by words."""

    def __init__(self, kind, state, parsed):
        listed, counted = kind.model.objects.published(), kind.model.objects.published(parents_as_list=True)
        if not parsed.is_empty:
            listed, counted = (items.filter(pk__in=matching_ids(kind, parsed)) for items in (listed, counted))
        super().__init__(listed, kind.facets, state, parsed, counted_base=counted)
        self.kind = kind
        self._ids = None
        conditions = self._conditions()
        if conditions and min(self._size(*condition) for condition in conditions) <= SMALL_RESULTS:
            # Few results whatever the data's size: read their ids once, and let the page's
            # other queries (its items, the facets over them) start from that list.
            self._ids = list(self.counted.order_by().values_list("pk", flat=True))
            self.results, self.counted = listed.filter(pk__in=self._ids), counted.filter(pk__in=self._ids)

    def count(self):
        if self._ids is not None:
            return len(self._ids)
        return super().count()

    def ordered(self):
        """(the results ready for a list page in the order asked for, that order's name):
        relevance needs words; title; or the report's order (`for_listing`'s)."""
        sort = self.state.sort or ("order" if self.parsed.is_empty else "relevance")
        results = self.results.for_listing()
        if sort == "relevance" and not self.parsed.is_empty:
            return items_best_first(results, self.kind, self.parsed), "relevance"
        if sort == "title":
            return results.order_by(self.kind.title_field, "pk"), "title"
        if sort == "newest":
            return results.newest_first(), "newest"
        return results, "order"

    def newest(self):
        """The results, ready for a list, the most recently published first (as a feed lists them)."""
        return self.results.for_listing().newest_first()

    def as_items(self, results):
        return results


# Search results are SearchDocument rows of every kind; their tag and chapter facets reach
# each kind's items through that kind's own lookups, and only published items are counted.
def _kind_label(name):
    """A kind as a facet value names it: "Key finding" (a name no kind has stands as it is)."""
    return BY_NAME[name].label if name in BY_NAME else name


KIND = Facet("kind", _("Kind"), "kind", "kind", _kind_label)
CHAPTER = Facet("chapter", _("Chapter"), "slug", "number", Chapter.label_for, in_order=True)
SEARCH_FACETS = (KIND, TAG, CHAPTER)
# What a search result's row is read for: its item's key, and its date (for `sort=newest`).
_DOCUMENT_KEYS = ("kind", "object_id", "published_at")

def _published_chapters():
    """{chapter pk: (slug, number)} of the published chapters (once per content generation):
    the chapter facet's values, which a public search row's chapter always is."""
    return cache.remembered(
        "search-chapters", lambda: {pk: (slug, number) for pk, slug, number in
                                    Chapter.objects.published().values_list("pk", "slug", "number")}
    )


class FacetedSearch(_Faceted):
    """The published items that match the words, as search documents of every kind, narrowed
    by kind, tag and chapter."""

    def __init__(self, state, parsed):
        super().__init__(matching_documents(parsed).published(), SEARCH_FACETS, state, parsed)

    def ordered(self):
        """(the matching documents in the order asked for, that order's name)."""
        if self.state.sort == "newest":
            return self.newest(), "newest"
        if ranks_in_python():
            # The words' matches ranked once, kept to this page's results (published, narrowed
            # by the facets), whose ids are read once for the page (self._document_ids).
            results = self._document_ids(self.results)
            return _BestFirst([pk for pk in ranked_ids(self.parsed) if pk in results]), "relevance"
        # Only the keys: the database sorts every match, and a page reads its items by them.
        return best_first(self.results.only(*_DOCUMENT_KEYS), self.parsed), "relevance"

    def newest(self):
        return self.results.only(*_DOCUMENT_KEYS).newest_first()

    def as_items(self, documents):
        """The items of (slices of) `documents`, in their order, as downloads and feeds read them."""
        return _Items(documents)

    def _public(self, facet, under=""):
        return {}

    def _size(self, facet, values):
        return 0  # the words' matches come first; the facets are checked among them

    def _matching(self, facet, values, per_row=False):
        if facet is KIND:
            return Q(kind__in=values)
        if facet is CHAPTER:  # each row knows its chapter
            return Q(chapter__in=Chapter.objects.filter(slug__in=values).values("pk"))
        condition = Q(pk__in=[])
        for kind in TAGGED:
            having = kind.model._default_manager.filter(**{f"{TAG.lookup}__in": values}).values("pk")
            condition |= Q(kind=kind.name, object_id__in=having)
        return condition

    def count(self):
        return sum(n for (_kind, _chapter, _tags), n in self._groups(self.results))

    def _groups(self, documents):
        """[((kind, chapter pk, tag ids), how many of `documents`)]: one grouped query per
        queryset of this page, which the words' matches are read by once; the result count and
        the kind, chapter and tag facets are all summed from it (the groups are few: the kinds
        times the chapters times the sets of tags that items carry)."""

        def read():
            rows = documents.order_by().values_list("kind", "chapter_id", "tag_ids").annotate(n=Count("pk"))
            return [((kind, chapter, tags), n) for kind, chapter, tags, n in rows]

        return self._once("groups", documents, read)

    def _document_ids(self, documents):
        """The ids of `documents` (a set), for ranking in Python (SQLite)."""
        return self._once("ids", documents, lambda: set(documents.order_by().values_list("pk", flat=True)))

    def _grouped(self, facet, documents):
        counts = Counter()
        for (kind, chapter, tags), n in self._groups(documents):
            if facet is KIND:
                counts[kind] += n
            elif facet is CHAPTER:
                counts[chapter] += n
            else:
                for tag in tags:
                    counts[tag] += n
        if facet is KIND:
            return {kind: (kind, n) for kind, n in counts.items()}
        # A public row's chapter and tags are public; an id that is not (a tag deleted since
        # the row was written) is left out.
        values = _published_chapters() if facet is CHAPTER else _public_tag_values()
        return {values[pk][0]: (values[pk][1], n) for pk, n in counts.items() if pk in values}

    def _labels(self, facet, values):
        if not values:
            return {}
        if facet is KIND:
            return {name: name for name in values if name in BY_NAME}
        if facet is TAG:
            return _public_tag_names(values)
        return dict(Chapter.objects.published().filter(slug__in=values).values_list("slug", "number"))


def _public_tag_values():
    """{tag pk: (slug, name)} of the tags published items carry (once per content generation)."""
    return {tag.pk: (tag.slug, tag.name) for tag in public_tags()}


def _public_tag_names(slugs):
    """{slug: name} of the tags among `slugs` that published items carry."""
    return {tag.slug: tag.name for tag in public_tags() if tag.slug in slugs}


class _BestFirst:
    """Search documents in a given order (their ids), for a paginator and for downloads: a
    slice reads only its own documents."""

    def __init__(self, ids):
        self.ids = ids

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        by_id = SearchDocument.objects.only(*_DOCUMENT_KEYS).in_bulk(ids) if ids else {}
        return SearchDocumentList(by_id[pk] for pk in ids if pk in by_id)


class _Items:
    """The items of a slice of search documents, in the documents' order."""

    def __init__(self, documents):
        self.documents = documents

    def __getitem__(self, index):
        return [item for _, item in self.documents[index].with_items()]


def unknown_values(views):
    """Chosen values that exist nowhere: the page says so, and the result is empty."""
    return [(view.facet, value) for view in views for value in view.values if not value.known]
