"""Edits to published items go through review.

When an Editor changes an item the public can see, the change is kept as a pending Revision
and the item stays as published; a Publisher reads what would change and publishes it (or
rejects it). A Publisher's own edits go live at once. Both show in the item's history: the
proposals beside its versions, and the publication as a version whose reason names the
proposer (findings.workflow decides who must propose).
"""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from taggit.managers import TaggableManager

from .models import Revision


def _fields(model, names):
    for name in names:
        try:
            yield name, model._meta.get_field(name)
        except LookupError:
            continue  # a form field that is not the model's


def values_of(model, cleaned_data, names):
    """The values a form proposes for `names`, as JSON can hold them: links as primary keys,
    tags as names."""
    data = {}
    for name, field in _fields(model, names):
        value = cleaned_data[name]
        if isinstance(field, TaggableManager):
            data[name] = sorted({str(tag) for tag in value}, key=str.casefold)
        elif field.many_to_many:
            data[name] = sorted(item.pk for item in value)
        elif field.many_to_one:
            data[name] = value.pk if value is not None else None
        else:
            data[name] = value
    return data


def pending(item):
    """The proposal waiting for a Publisher on `item`, or None."""
    return _for(item).filter(state=Revision.State.PENDING).first()


def for_item(item):
    """Every proposal ever made for `item`, the latest first (its history page lists them)."""
    return _for(item).select_related("proposed_by", "decided_by")


def _for(item):
    return Revision.objects.filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)


@transaction.atomic
def propose(item, data, user):
    """Keep `data` as the pending change of `item` (it replaces any earlier pending proposal)."""
    _for(item).filter(state=Revision.State.PENDING).update(
        state=Revision.State.REPLACED, decided_at=timezone.now()
    )
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk, data=data, proposed_by=user
    )


def propose_tags(item, names, user):
    """An Editor's tag change to a published item: the pending proposal, with these tags."""
    current = pending(item)
    data = dict(current.data) if current else {}
    data["tags"] = sorted(set(names), key=str.casefold)
    return propose(item, data, user)


def changes(revision):
    """[(field label, the published value, the proposed value)] for each field that differs,
    as text a reviewer reads."""
    item = revision.item
    rows = []
    for name, field in _fields(type(item), revision.data):
        now, proposed = _shown(item, field, _current(item, field)), _shown(item, field, revision.data[name])
        if now != proposed:
            rows.append((str(field.verbose_name).capitalize(), now, proposed))
    return rows


def _current(item, field):
    if isinstance(field, TaggableManager):
        return sorted((tag.name for tag in item.tags.all()), key=str.casefold)
    if field.many_to_many:
        return sorted(getattr(item, field.name).values_list("pk", flat=True))
    return getattr(item, field.attname)


def _shown(item, field, value):
    if isinstance(field, TaggableManager):
        return ", ".join(value)
    if field.many_to_many:
        return "; ".join(str(linked) for linked in field.related_model._default_manager.filter(pk__in=value))
    if field.many_to_one:
        linked = field.related_model._default_manager.filter(pk=value).first() if value is not None else None
        return str(linked) if linked is not None else ""
    value = field.to_python(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)


@transaction.atomic
def publish(revision, user):
    """Apply the proposal to its item: one history entry by `user` naming the proposer."""
    item = type(revision.item)._default_manager.select_for_update().get(pk=revision.object_id)
    later = {}
    for name, field in _fields(type(item), revision.data):
        value = revision.data[name]
        if isinstance(field, TaggableManager) or field.many_to_many:
            later[name] = value
        elif field.many_to_one:
            setattr(item, field.attname, value)
        else:
            setattr(item, name, field.to_python(value))
    proposer = revision.proposed_by.get_username() if revision.proposed_by else "a deleted user"
    item._change_reason = f"Published the change proposed by {proposer} on {revision.proposed_at:%Y-%m-%d %H:%M}"
    item._history_user = user
    item._tags_recorded_with_save = True  # one history entry, with the new tags (findings.history)
    item.full_clean(validate_unique=True, validate_constraints=True)
    item.save()
    for name, value in later.items():
        getattr(item, name).set(value)
    revision.state, revision.decided_by, revision.decided_at = Revision.State.PUBLISHED, user, timezone.now()
    revision.save()
    return item


def reject(revision, user):
    revision.state, revision.decided_by, revision.decided_at = Revision.State.REJECTED, user, timezone.now()
    revision.save()
