"""Tag counts over published content only, and a slug for every tag."""
import hashlib
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from taggit.models import Tag, TaggedItem

from . import cache, redirects
from .history import recorded_tags
from .kinds import TAGGED
from .models import SlugRedirect
from .search import index

# Tags A to Z whatever their case ("ai" beside "AI"), the name breaking ties.
A_TO_Z = (Lower("name"), "name")


def published_tag_counts():
    """Tags carried by at least one published item, with how many (one grouped query), A to Z
    whatever their case."""
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
        .order_by(*A_TO_Z)
    )


def public_tags():
    """`published_tag_counts()` as a list, worked out once per content generation: counting
    every tag's items reads the whole content."""
    return cache.remembered("public-tags", lambda: list(published_tag_counts()))


def most_used(tags):
    """`tags` (A to Z) with the most used first; equal counts stay A to Z."""
    return sorted(tags, key=lambda tag: -tag.item_count)


def published_tags(by_use=False):
    """The public tags A to Z, or the most used first (pages and the API alike)."""
    tags = public_tags()
    return most_used(tags) if by_use else tags


def prefetch_tags(items):
    """Read the tags of `items` (of one tagged model) in one query, as `prefetch_related("tags")`
    would, without the queryset per item that taggit's prefetch builds (a cost that shows in
    bulk work: indexing or exporting thousands of items)."""
    items = list(items)
    if not items:
        return items
    content_type = ContentType.objects.get_for_model(type(items[0]))
    by_item = defaultdict(list)
    links = TaggedItem.objects.filter(content_type=content_type, object_id__in=[item.pk for item in items])
    for link in links.select_related("tag").order_by("tag__name"):
        by_item[link.object_id].append(link.tag)
    for item in items:
        tags = Tag.objects.all()
        tags._result_cache, tags._prefetch_done = by_item[item.pk], True
        item._prefetched_objects_cache = {**getattr(item, "_prefetched_objects_cache", {}), "tags": tags}
    return items


def give_every_tag_a_slug(sender, instance, raw=False, **kwargs):
    """pre_save of a Tag: a name of symbols alone ("+++") slugifies to nothing, which no URL can
    hold; such a tag gets a slug made from its name instead."""
    if not raw and not instance.slug:
        instance.slug = "tag-" + hashlib.sha1(instance.name.encode()).hexdigest()[:10]


@transaction.atomic
def merge_tags(tags, name, user=None):
    """Merge `tags` into the tag called `name` (made if none is): every item that carried one
    of them carries that tag instead, with a history entry saying so and its search row
    rewritten; the merged tags' pages redirect to its page. Returns the tag merged into."""
    target = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    merged = [tag for tag in tags if tag.pk != target.pk]
    affected = set()
    for tag in merged:
        for tagged in TaggedItem.objects.filter(tag=tag):
            affected.add((tagged.content_type_id, tagged.object_id))
            duplicate = TaggedItem.objects.filter(
                tag=target, content_type_id=tagged.content_type_id, object_id=tagged.object_id
            )
            if duplicate.exists():
                tagged.delete()
            else:
                tagged.tag = target
                tagged.save()
        SlugRedirect.objects.filter(content_type=ContentType.objects.get_for_model(Tag), object_id=tag.pk).update(
            object_id=target.pk
        )
        redirects.remember(Tag, tag.slug, target.pk)
        tag.delete()
    names = ", ".join(f"“{tag.name}”" for tag in merged)
    reason = f"Tag{'s' if len(merged) > 1 else ''} {names} merged into “{target.name}”"
    with index.deferred():
        for kind in TAGGED:
            content_type = ContentType.objects.get_for_model(kind.model)
            pks = [object_id for type_id, object_id in affected if type_id == content_type.pk]
            for item in kind.model._default_manager.filter(pk__in=pks).prefetch_related("tags"):
                kind.model.history.bulk_history_create(
                    [item], default_user=user, default_change_reason=reason,
                    custom_historical_attrs={"tag_names": recorded_tags(item)},
                )
            index.reindex(kind, pks)
    cache.bump()
    return target
