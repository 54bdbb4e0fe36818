"""Read logic for the content models: what each page asks the database for."""
from django.db import models
from django.db.models import Count, Prefetch


class ChapterQuerySet(models.QuerySet):
    def for_listing(self):
        """Chapters with their contribution and topic counts (the chapter list)."""
        return self.annotate(
            contribution_count=Count("contributions", distinct=True),
            topic_count=Count("topics", distinct=True),
        ).order_by("report", "number")


class TaggedQuerySet(models.QuerySet):
    """Shared by the tagged kinds: filtering by one or several tag slugs."""

    def with_all_tags(self, slugs):
        """Items that carry every tag in `slugs` (one join per tag)."""
        queryset = self
        for slug in slugs:
            queryset = queryset.filter(tags__slug=slug)
        return queryset


class ContributionQuerySet(TaggedQuerySet):
    def for_listing(self):
        return (
            self.select_related("chapter", "source")
            .prefetch_related("tags", "authors")
            .order_by("chapter__number", "order", "pk")
        )

    def for_detail(self):
        from .models import Topic

        return self.select_related("chapter", "chapter__report", "source").prefetch_related(
            "tags",
            "authors",
            Prefetch("related_topics", queryset=Topic.objects.select_related("dimension")),
        )


class TopicQuerySet(TaggedQuerySet):
    def with_finding_counts(self):
        """Topics in report order with how many findings each has (home and chapter pages)."""
        return self.annotate(finding_count=Count("findings", distinct=True)).order_by("order", "pk")

    def for_listing(self):
        return self.with_finding_counts().select_related("chapter", "dimension", "source").prefetch_related("tags")


class FindingQuerySet(TaggedQuerySet):
    def for_listing(self):
        return (
            self.select_related("topic", "topic__chapter", "source")
            .prefetch_related("tags")
            .order_by("topic__order", "topic", "order", "pk")
        )


class SuggestionQuerySet(TaggedQuerySet):
    def for_listing(self):
        return self.select_related("source").prefetch_related("tags", "related_topics").order_by("order", "pk")
