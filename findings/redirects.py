"""Old slugs keep working: when the slug of an item or a tag changes (or a tag is merged into
another), its old URL answers 301 to the new one. Slugs are the URLs people cite."""
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.http import Http404
from django.shortcuts import redirect
from taggit.models import Tag

from .kinds import KINDS
from .models import SlugRedirect


def remember(model, old_slug, target_pk):
    """From now on, `old_slug` of `model` names the item `target_pk`."""
    content_type = ContentType.objects.get_for_model(model)
    SlugRedirect.objects.update_or_create(
        content_type=content_type, old_slug=old_slug, defaults={"object_id": target_pk}
    )


def _slug_changing(sender, instance, raw=False, **kwargs):
    """pre_save: remember the slug being replaced; a slug in use again stops redirecting."""
    if raw or instance.pk is None:
        return
    old = getattr(instance, "_loaded_slug", None)  # kept by Sourced.from_db; a Tag asks the database
    if old is None:
        old = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    instance._loaded_slug = instance.slug
    if old is None or old == instance.slug:
        return
    remember(sender, old, instance.pk)
    content_type = ContentType.objects.get_for_model(sender)
    SlugRedirect.objects.filter(content_type=content_type, old_slug=instance.slug).delete()


def moved_or_404(queryset, slug):
    """A 301 to where an item once at `slug` now is (among `queryset`), or Http404."""
    return redirect(moved_item(queryset, slug).get_absolute_url(), permanent=True)


def moved_item(queryset, slug):
    """The item of `queryset` that was once at `slug`, or Http404."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    target = SlugRedirect.objects.filter(content_type=content_type, old_slug=slug).values_list("object_id", flat=True)
    item = queryset.filter(pk__in=target).first()
    if item is None:
        raise Http404(f"Nothing is at “{slug}”.")
    return item


def connect_signals():
    for model in [*(kind.model for kind in KINDS), Tag]:
        pre_save.connect(_slug_changing, sender=model, dispatch_uid=f"findings-old-slug-{model.__name__}")
