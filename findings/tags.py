"""Tag counts over published content only."""
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from taggit.models import Tag

from .kinds import TAGGED


def published_tag_counts():
    """Tags carried by at least one published item, with how many (one grouped query)."""
    content_types = ContentType.objects.get_for_models(*(kind.model for kind in TAGGED))
    published = Q()
    for kind in TAGGED:
        published |= Q(
            taggit_taggeditem_items__content_type=content_types[kind.model],
            taggit_taggeditem_items__object_id__in=kind.model.objects.published().values("pk"),
        )
    return (
        Tag.objects.annotate(item_count=Count("taggit_taggeditem_items", filter=published))
        .filter(item_count__gt=0)
        .order_by("name")
    )
