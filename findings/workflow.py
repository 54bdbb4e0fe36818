"""Who may change an item's status, and what a change records: the one rule behind the
admin's forms and bulk actions and the bulk import.

Editors move content between draft and review; publishing and unpublishing need the
model's `publish_<model>` permission (the Publishers group).
"""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Status

PUBLISHING_ONLY = _("Only Publishers can publish or unpublish. Send it to review instead.")


def can_publish(user, model):
    """Whether `user` may publish and unpublish items of `model`."""
    return user is not None and user.has_perm(f"{model._meta.app_label}.publish_{model._meta.model_name}")


def may_change_status(user, model, stored, wanted):
    """Whether `user` may move an item of `model` from `stored` to `wanted` (None: a new item)."""
    touches_public = wanted != stored and Status.PUBLISHED in {stored, wanted}
    return not touches_public or can_publish(user, model)


def set_status(item, status, user=None):
    """Move `item` to `status`, recording who published it and when (cleared on unpublishing)."""
    if status == Status.PUBLISHED and not item.is_published:
        item.published_at, item.published_by = timezone.now(), user
    elif status != Status.PUBLISHED:
        item.published_at, item.published_by = None, None
    item.status = status


def must_propose(user, model, stored):
    """Whether `user`'s edit of an item of `model` whose stored status is `stored` waits for
    a Publisher (findings.revisions) instead of going live: only Publishers change what the
    public sees."""
    return stored == Status.PUBLISHED and not can_publish(user, model)
