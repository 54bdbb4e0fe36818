"""The tagged kinds and tag counts over published content only."""
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from taggit.models import Tag

from .models import Contribution, Finding, Suggestion, Topic


@dataclass(frozen=True)
class TaggedKind:
    model: type
    label: str
    list_name: str


TAGGED_KINDS = [
    TaggedKind(Topic, "Topics", "findings:topic-list"),
    TaggedKind(Finding, "Key findings", "findings:finding-list"),
    TaggedKind(Suggestion, "Suggestions", "findings:suggestion-list"),
    TaggedKind(Contribution, "Expert contributions", "findings:contribution-list"),
]


def published_tag_counts():
    """Tags carried by at least one published item, with how many (one grouped query)."""
    content_types = ContentType.objects.get_for_models(*(kind.model for kind in TAGGED_KINDS))
    published = Q()
    for kind in TAGGED_KINDS:
        published |= Q(
            taggit_taggeditem_items__content_type=content_types[kind.model],
            taggit_taggeditem_items__object_id__in=kind.model.objects.published().values("pk"),
        )
    return (
        Tag.objects.annotate(item_count=Count("taggit_taggeditem_items", filter=published))
        .filter(item_count__gt=0)
        .order_by("name")
    )
