"""Read logic for the content models: what each page asks the database for.

`published()` is the one gate for everything public: pages, lists, counts and
related items all go through it, so a draft cannot leak by a side door.
"""
from itertools import islice

from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable

PUBLISHED = "published"
# How many items sharing a tag a detail page weighs to pick its related items.
RELATED_CANDIDATES = 200


class CuratedQuerySet(models.QuerySet):
    # with_tags(): each item's tags are read with the items, one query for all of them.
    _tags_at_once = False

    def with_tags(self):
        """The items with their tags (A to Z), read in one query when the items are: what
        `prefetch_related("tags")` gives, without the queryset per item that taggit's prefetch
        builds (a third of a list page's time). `iterator()` reads them chunk by chunk."""
        clone = self._chain()
        clone._tags_at_once = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._tags_at_once = self._tags_at_once
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if self._tags_at_once and not fetched and self._iterable_class is ModelIterable:
            from .tags import prefetch_tags  # findings.tags reads the models, which read this module

            prefetch_tags(self._result_cache)

    def _iterator(self, use_chunked_fetch, chunk_size):
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if not self._tags_at_once or self._iterable_class is not ModelIterable:
            yield from rows
            return
        from .tags import prefetch_tags

        while chunk := list(islice(rows, chunk_size or 2000)):
            yield from prefetch_tags(chunk)

    def published(self, parents_as_list=False):
        """Published items whose parents (the model's `public_parents`) are published too.

        The parents are joined, so that a list in the report's order is read parent by parent
        through the indexes and stops at the page's end. For counting (facets), `parents_as_list`
        checks the nearest parent against the list of published parents instead (a subquery the
        database works out once, which holds the parents' own parents): joined, SQLite walked the
        counted items once per chapter."""
        conditions = {"status": PUBLISHED}
        parents = self.model.public_parents
        if parents_as_list and parents:
            nearest = self.model._meta.get_field(parents[0]).related_model
            conditions[f"{parents[0]}__in"] = nearest.objects.published(parents_as_list=True)
            covered = {parents[0], *(f"{parents[0]}__{parent}" for parent in nearest.public_parents)}
            parents = [parent for parent in parents if parent not in covered]
        for parent in parents:
            conditions[f"{parent}__status"] = PUBLISHED
        return self.filter(**conditions)

    def for_listing(self):
        """What a list of items shows: their source and tags (kinds add their parents)."""
        listed = self.select_related("source")
        return listed.with_tags() if hasattr(self.model, "tags") else listed

    def for_detail(self):
        return self

    def visible_to(self, user):
        """What a visitor may open: curators also see drafts (as previews)."""
        opts = self.model._meta
        if user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self
        return self.published()

    def newest_first(self):
        """The most recently published first (content loaded unpublished-dated last, in order)."""
        return self.order_by(F("published_at").desc(nulls_last=True), "pk")

    def published_under(self, parent_name, parent):
        """`published()` among the items whose `parent_name` is `parent`, a loaded item with its
        own public parents selected: their statuses are read from it rather than joined, so that
        a detail page's neighbours and children are read through the parent's index alone (and
        PostgreSQL plans a one-table query). Joined as `published()` does when the parent's chain
        is not the items' whole gate."""
        under = self.filter(**{parent_name: parent})
        chain = (parent_name, *(f"{parent_name}__{name}" for name in type(parent).public_parents))
        if tuple(self.model.public_parents) != chain:
            return under.published()
        return under.filter(status=PUBLISHED) if parent.is_public else under.none()

    def published_siblings(self, item):
        """The published items under `item`'s parent, in the kind's order (pk breaks ties)."""
        kind = self.model.kind
        return self.published_under(kind.parent, getattr(item, kind.parent)).order_by(*kind.order, "pk")

    def neighbours(self, item):
        """(previous, next): the items of this queryset (one parent's: `published_siblings`)
        before and after `item` in the kind's order (pk breaks ties), each by an indexed,
        LIMITed query."""
        names = [*self.model.kind.order, "pk"]
        key = [getattr(item, name) for name in names]
        after, before = Q(), Q()
        for index, name in enumerate(names):
            equal = {names[i]: key[i] for i in range(index)}
            after |= Q(**equal, **{f"{name}__gt": key[index]})
            before |= Q(**equal, **{f"{name}__lt": key[index]})
        previous = self.filter(before).order_by(*[f"-{name}" for name in names]).first()
        following = self.filter(after).order_by(*names).first()
        return previous, following

    def related_by_tags(self, item, limit=5, candidates=RELATED_CANDIDATES):
        """Items of this queryset (other than `item`) sharing the most tags with it, as
        `shared_tags`. They are chosen among at most `candidates` items that share a tag (read
        through the tag index, LIMITed), so that a detail page reads the same number of rows
        however many items carry its tags; below that many, the choice is exact."""
        from taggit.models import TaggedItem

        tag_ids = [tag.pk for tag in item.tags.all()] if hasattr(item, "tags") else []
        if not tag_ids:
            return self.none()
        # Read through the tag index (by tag alone: the model is checked by the join below).
        sharing = TaggedItem.objects.filter(tag_id__in=tag_ids).exclude(object_id=item.pk).values("object_id")
        return (
            self.filter(pk__in=sharing.distinct()[:candidates], tags__in=tag_ids)
            .annotate(shared_tags=Count("pk"))
            .order_by("-shared_tags", *self.model.kind.order, "pk")[:limit]
        )


def _published_count(model, link):
    """How many published items of `model` point at the row through `link`: a subquery rather
    than a GROUP BY, so that a list can still be sorted by SQLite's bm25."""
    counts = (
        model.objects.published()
        .filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


class ChapterQuerySet(CuratedQuerySet):
    def for_detail(self):
        return self.select_related("report", "source")

    def for_listing(self):
        """Chapters with their contribution and topic counts (the chapter list)."""
        from .models import Contribution, Topic

        return (
            self.select_related("report", "source")
            .annotate(
                contribution_count=_published_count(Contribution, "chapter"),
                topic_count=_published_count(Topic, "chapter"),
            )
            .order_by("report", "number")
        )


class ContributionQuerySet(CuratedQuerySet):
    def for_listing(self):
        from .models import Author

        return (
            self.select_related("chapter", "source")
            .with_tags()
            .prefetch_related(Prefetch("authors", queryset=Author.objects.published()))
            .order_by("chapter__number", "order", "pk")
        )

    def for_detail(self):
        from .models import Author, Topic

        return self.select_related("chapter", "chapter__report", "source").prefetch_related(
            "tags",
            Prefetch("authors", queryset=Author.objects.published()),
            Prefetch("related_topics", queryset=Topic.objects.published().select_related("dimension")),
        )


class TopicQuerySet(CuratedQuerySet):
    def with_finding_counts(self):
        """Topics in report order with how many published findings each has."""
        from .models import Finding

        return self.annotate(finding_count=_published_count(Finding, "topic")).order_by("order", "pk")

    def for_listing(self):
        return self.with_finding_counts().select_related("chapter", "dimension", "source").with_tags()

    def for_detail(self):
        from .models import Contribution, Finding, Suggestion

        return self.select_related("chapter__report", "dimension", "source").prefetch_related(
            "tags",
            Prefetch("findings", queryset=Finding.objects.published().for_listing()),
            Prefetch("related_contributions", queryset=Contribution.objects.published().for_listing()),
            Prefetch(
                "related_suggestions",
                queryset=Suggestion.objects.published().with_tags().order_by("order", "pk"),
            ),
        )


class FindingQuerySet(CuratedQuerySet):
    def for_listing(self):
        return (
            self.select_related("topic", "topic__chapter", "source")
            .with_tags()
            .order_by("topic__order", "topic_id", "order", "pk")
        )

    def for_detail(self):
        return self.for_listing().select_related("topic__dimension", "topic__chapter__report")


class SuggestionQuerySet(CuratedQuerySet):
    def for_listing(self):
        from .models import Topic

        return (
            self.select_related("source", "report")
            .with_tags()
            .prefetch_related(Prefetch("related_topics", queryset=Topic.objects.published()))
            .order_by("order", "pk")
        )

    def for_detail(self):
        """A suggestion with its evidence chain: the topics it is linked to, the findings listed
        under each, and the presentation's slides that list the suggestion and the topics."""
        from .models import Finding, Slide, Topic

        def slides():
            return Prefetch("slides", queryset=Slide.objects.published().order_by("number"))

        findings = Prefetch("findings", queryset=Finding.objects.published().order_by("order", "pk"))
        topics = Topic.objects.published().select_related("dimension").prefetch_related(findings, slides())
        return self.select_related("report", "source").prefetch_related(
            "tags", slides(), Prefetch("related_topics", queryset=topics)
        )


class SearchDocumentQuerySet(models.QuerySet):
    newest_first = CuratedQuerySet.newest_first

    def published(self):
        """Only the rows of public items (published under published parents): all that search
        may count. Each row knows it (findings.search.index keeps it), so the cost follows the
        rows the words match, with no lookup of their items."""
        return self.filter(public=True)

    def with_items(self):
        """[(document, item)] in this queryset's order, each item ready for a result list (one
        query per kind present, plus its prefetches). Documents whose item is gone are left out."""
        return with_items(list(self))


class SearchDocumentList(list):
    """Search documents already read, in their order (a page of ranked results)."""

    def with_items(self):
        return with_items(self)


def with_items(documents):
    """[(document, item)] of `documents`, in their order (SearchDocumentQuerySet.with_items).
    The items are read through `published()`: what a page shows is checked on the items
    themselves, not only on their rows."""
    from .kinds import BY_NAME

    wanted = {}
    for document in documents:
        wanted.setdefault(document.kind, []).append(document.object_id)
    items = {}
    for name, ids in wanted.items():
        for item in BY_NAME[name].model.objects.published().filter(pk__in=ids).for_listing():
            items[(name, item.pk)] = item
    return [
        (document, items[(document.kind, document.object_id)])
        for document in documents
        if (document.kind, document.object_id) in items
    ]
