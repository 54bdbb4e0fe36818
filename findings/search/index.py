"""The search index: one SearchDocument row per item of every public kind, kept current.

Each item's row holds its `search_text()`. Signals rewrite the rows of an item when it, its
tags or its links change, and the rows of the items that quote it (a topic's title is in its
findings' rows): which relations those are comes from each kind's `search_select` and
`search_prefetch` in findings.kinds. Inside `deferred()`, rewrites wait and run once, together,
when the block ends (bulk actions, imports, test factories).
"""
from contextlib import contextmanager
from threading import local

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .. import cache
from ..kinds import BY_MODEL, KINDS
from ..models import SearchDocument, SearchTerm
from . import WORD

_pending = local()


def index_items(kind, pks=None, batch_size=2000):
    """(Re)write the search rows of `kind`'s items (all of them when `pks` is None)."""
    from ..tags import prefetch_tags  # findings.tags reads the index's signals' kinds too

    queryset = kind.model._default_manager.select_related(*kind.search_select).prefetch_related(
        *(name for name in kind.search_prefetch if name != "tags")
    )
    documents = SearchDocument.objects.filter(kind=kind.name)
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
        documents = documents.filter(object_id__in=pks)
    documents.delete()
    all_pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    words = set()
    for start in range(0, len(all_pks), batch_size):
        items = list(queryset.filter(pk__in=all_pks[start : start + batch_size]).order_by("pk"))
        if kind.tagged:
            prefetch_tags(items)
        batch = []
        for item in items:
            title, body, extra = item.search_text()
            batch.append(
                SearchDocument(
                    kind=kind.name, object_id=item.pk, title=title, body=body or "", extra=extra,
                    published_at=item.published_at,
                )
            )
            words.update(word.lower() for word in WORD.findall(f"{title} {body}") if 3 <= len(word) <= 60)
        SearchDocument.objects.bulk_create(batch)
    SearchTerm.objects.bulk_create([SearchTerm(word=word) for word in words], ignore_conflicts=True)
    cache.bump()  # search pages read the rows just written


def rebuild_index():
    """Every item of every kind, from scratch (after loading fixtures or synthetic data)."""
    for kind in KINDS:
        index_items(kind)


@contextmanager
def deferred():
    """Collect the rewrites the signals ask for and run them once, when the block ends."""
    if getattr(_pending, "items", None) is not None:  # already inside a deferred block
        yield
        return
    _pending.items = {}
    try:
        yield
        pending, _pending.items = _pending.items, None
        for kind, pks in pending.items():
            index_items(kind, pks)
    finally:
        _pending.items = None


def reindex(kind, pks):
    """Rewrite the rows of these items of `kind` now, or at the end of a `deferred()` block."""
    pks = set(pks)
    if not pks:
        return
    pending = getattr(_pending, "items", None)
    if pending is None:
        index_items(kind, pks)
    else:
        pending.setdefault(kind, set()).update(pks)


def _related_model(model, path):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


# {model: [(kind, lookup)]}: the items of `kind` whose rows quote an instance of `model`
# through `lookup` (a topic's findings: Topic -> [(finding, "topic")]).
QUOTED_BY = {}
for _kind in KINDS:
    for _path in _kind.search_relations:
        QUOTED_BY.setdefault(_related_model(_kind.model, _path), []).append((_kind, _path))


def _quoting(instance):
    for kind, lookup in QUOTED_BY.get(type(instance), []):
        yield kind, kind.model._default_manager.filter(**{lookup: instance}).values_list("pk", flat=True)


def _saved(sender, instance, raw=False, **kwargs):
    """post_save: rewrite the item's row and those that quote it (not during loaddata)."""
    if raw:
        return
    kind = BY_MODEL.get(sender)
    if kind is not None:
        reindex(kind, [instance.pk])
    for quoting_kind, pks in _quoting(instance):
        reindex(quoting_kind, pks)


def _deleting(sender, instance, **kwargs):
    """pre_delete: note which rows quote the instance while the links still exist."""
    instance._quoted_in = [(kind, list(pks)) for kind, pks in _quoting(instance)]


def _deleted(sender, instance, **kwargs):
    kind = BY_MODEL.get(sender)
    if kind is not None:
        SearchDocument.objects.filter(kind=kind.name, object_id=instance.pk).delete()
    for quoting_kind, pks in getattr(instance, "_quoted_in", []):
        reindex(quoting_kind, pks)


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed (tags, authors, related topics): the item's row names them."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse and type(instance) in BY_MODEL:
        reindex(BY_MODEL[type(instance)], [instance.pk])
    elif reverse and model in BY_MODEL and pk_set:
        reindex(BY_MODEL[model], pk_set)


def connect_signals():
    """Keep the index current on every save, delete and link change that its rows depend on."""
    for model in {*BY_MODEL, *QUOTED_BY}:
        post_save.connect(_saved, sender=model, dispatch_uid=f"findings-index-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"findings-unindex-{model.__name__}")
    for model in QUOTED_BY:
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"findings-unquote-{model.__name__}")
    for kind in KINDS:
        for name in kind.search_prefetch:
            through = getattr(kind.model, name).through
            m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"findings-index-{through.__name__}")
