"""History of tags beside the fields: django-simple-history records fields only, so the
historical models get a `tag_names` column filled from the item's tags."""
from django.conf import settings
from django.db import models
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags


class HistoricalTags(models.Model):
    tag_names = models.TextField(blank=True, default="", help_text="The item's tags at that moment.")

    class Meta:
        abstract = True


def tag_string(instance):
    """The tags as the admin's tag field writes them: `"Crisis management", Data`."""
    if not hasattr(instance, "tags") or instance.pk is None:
        return ""
    return edit_string_for_tags(instance.tags.all())


def tags_from_string(tag_names):
    """Unsaved Tag objects for a recorded string, as the admin's tag field shows them."""
    return [Tag(name=name) for name in parse_tags(tag_names)]


def record_tags(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record: keep the tags in every history entry."""
    history_instance.tag_names = tag_string(instance)


def _complete_latest_entry(instance):
    """The save's history entry was written before its tags were set: give it the new tags."""
    latest = instance.history.first()
    if latest is not None:
        latest.tag_names = tag_string(instance)
        latest.save(update_fields=["tag_names"])


def record_tag_change(sender, instance, action, reverse, pk_set=None, **kwargs):
    """m2m_changed on tags: the change is part of a save that set `_tags_recorded_with_save`
    (an admin form, a revert, an import row), whose entry then gets the new tags; otherwise
    (shell, bulk actions) it is a history entry of its own."""
    if reverse or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when nothing was added
    if not hasattr(instance, "history"):
        return
    if getattr(instance, "_tags_recorded_with_save", False):
        _complete_latest_entry(instance)
        return
    instance._change_reason = "Tags changed"
    instance.save()
