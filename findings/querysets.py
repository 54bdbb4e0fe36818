"""Read logic for the content models: what each page asks the database for.

`published()` is the one gate for everything public: pages, lists, counts and
related items all go through it, so a draft cannot leak by a side door.
"""
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

PUBLISHED = "published"


class CuratedQuerySet(models.QuerySet):
    def published(self):
        """Published items whose parents (the model's `public_parents`) are published too."""
        conditions = {"status": PUBLISHED}
        for parent in self.model.public_parents:
            conditions[f"{parent}__status"] = PUBLISHED
        return self.filter(**conditions)

    def for_detail(self):
        return self

    def visible_to(self, user):
        """What a visitor may open: curators also see drafts (as previews)."""
        if user.is_active and user.is_staff and user.has_perm(f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"):
            return self
        return self.published()


def _published_count(relation):
    """Count only the published rows of a reverse relation, in the same query."""
    return Count(relation, filter=Q(**{f"{relation}__status": PUBLISHED}), distinct=True)


class ChapterQuerySet(CuratedQuerySet):
    def for_detail(self):
        return self.select_related("report", "source")

    def for_listing(self):
        """Chapters with their contribution and topic counts (the chapter list)."""
        return (
            self.select_related("report", "source")
            .annotate(contribution_count=_published_count("contributions"), topic_count=_published_count("topics"))
            .order_by("report", "number")
        )


class ContributionQuerySet(CuratedQuerySet):
    def for_listing(self):
        from .models import Author

        return (
            self.select_related("chapter", "source")
            .prefetch_related("tags", Prefetch("authors", queryset=Author.objects.published()))
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
        """Topics in report order with how many published findings each has.

        A subquery rather than a GROUP BY, so the list can still be sorted by SQLite's bm25.
        """
        from .models import Finding

        counts = (
            Finding.objects.published()
            .filter(topic=OuterRef("pk"))
            .order_by()
            .values("topic")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(finding_count=Coalesce(Subquery(counts), 0)).order_by("order", "pk")

    def for_listing(self):
        return self.with_finding_counts().select_related("chapter", "dimension", "source").prefetch_related("tags")

    def for_detail(self):
        from .models import Contribution, Finding, Suggestion

        return self.select_related("chapter__report", "dimension", "source").prefetch_related(
            "tags",
            Prefetch("findings", queryset=Finding.objects.published().for_listing()),
            Prefetch("related_contributions", queryset=Contribution.objects.published().for_listing()),
            Prefetch(
                "related_suggestions",
                queryset=Suggestion.objects.published().prefetch_related("tags").order_by("order", "pk"),
            ),
        )


class FindingQuerySet(CuratedQuerySet):
    def for_listing(self):
        return (
            self.select_related("topic", "topic__chapter", "source")
            .prefetch_related("tags")
            .order_by("topic__order", "topic_id", "order", "pk")
        )

    def for_detail(self):
        return self.for_listing().select_related("topic__dimension", "topic__chapter__report")


class SuggestionQuerySet(CuratedQuerySet):
    def for_listing(self):
        from .models import Topic

        return (
            self.select_related("source", "report")
            .prefetch_related("tags", Prefetch("related_topics", queryset=Topic.objects.published()))
            .order_by("order", "pk")
        )

    def for_detail(self):
        from .models import Topic

        return self.select_related("report", "source").prefetch_related(
            "tags", Prefetch("related_topics", queryset=Topic.objects.published().select_related("dimension"))
        )
