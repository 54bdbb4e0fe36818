"""History of tags beside the fields: django-simple-history records fields only, so the
historical models get a `tag_names` column filled from the item's tags."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.models import Tag

from . import tagging


class HistoricalTags(models.Model):
    tag_names = models.TextField(blank=True, default="", help_text=_("The item's tags at that moment."))

    class Meta:
        abstract = True


def recorded_tags(instance):
    """The tags as the admin's tag field writes them: `Crisis management, Data, "Health, education"`."""
    if not hasattr(instance, "tags") or instance.pk is None:
        return ""
    return tagging.string_from_tags(instance.tags.all())


def tags_from_string(tag_names):
    """Unsaved Tag objects for a recorded string, as the admin's tag field shows them.

    Entries recorded before findings.tagging quoted every name with a space
    (`"Crisis management", Data`); the parser reads both."""
    return [Tag(name=name) for name in tagging.parse_tags(tag_names)]


def record_tags(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record: keep the tags in every history entry."""
    history_instance.tag_names = recorded_tags(instance)


def _complete_latest_entry(instance):
    """The save's history entry was written before its tags were set: give it the new tags."""
    latest = instance.history.first()
    if latest is not None:
        latest.tag_names = recorded_tags(instance)
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


def tag_renaming(sender, instance, raw=False, **kwargs):
    """pre_save of a Tag: note the name it had, for `record_tag_rename`."""
    if not raw and instance.pk is not None:
        instance._renamed_from = sender._default_manager.filter(pk=instance.pk).values_list("name", flat=True).first()


def record_tag_rename(sender, instance, raw=False, **kwargs):
    """post_save of a Tag: every item carrying a renamed tag gets a history entry with its tags
    as they now read (the search index follows through findings.search.index)."""
    from .kinds import TAGGED  # the kinds are declared after the models this module serves

    old = getattr(instance, "_renamed_from", None)
    if raw or old is None or old == instance.name or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    request = getattr(HistoricalRecords.context, "request", None)
    user = request.user if request is not None and request.user.is_authenticated else None
    for kind in TAGGED:
        for item in kind.model._default_manager.filter(tags=instance).prefetch_related("tags"):
            kind.model.history.bulk_history_create(
                [item],
                default_user=user,
                default_change_reason=f"Tag “{old}” renamed “{instance.name}”",
                custom_historical_attrs={"tag_names": recorded_tags(item)},
            )
