"""The search index: one SearchDocument row per item of every public kind, kept current.

Each item's row holds its `search_text()`, whether the item is public, its chapter and its
tags. Signals rewrite the rows of an item when it, its tags or its links change, and the rows
of the items that quote it (a topic's title is in its findings' rows): which relations those
are comes from each kind's `search_select` and `search_prefetch` in findings.kinds. A parent's
save (a report, a chapter, a topic) sets again whether each item under it is public, in two
UPDATEs that touch only the rows that change. Inside `deferred()`, rewrites wait and run once,
together, when the block ends (bulk actions, imports, test factories).
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

    # The parents that decide whether the item is public come with it (is_public reads them).
    queryset = kind.model._default_manager.select_related(
        *kind.search_select, *kind.model.public_parents
    ).prefetch_related(*(name for name in kind.search_prefetch if name != "tags"))
    documents = SearchDocument.objects.filter(kind=kind.name)
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
        documents = documents.filter(object_id__in=pks)
    # A rewritten row keeps its id: equal ranks are ordered by it, so that a save does not
    # reorder search results.
    row_ids = dict(documents.values_list("object_id", "pk"))
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
                    pk=row_ids.get(item.pk), kind=kind.name, object_id=item.pk,
                    title=title, body=body or "", extra=extra,
                    published_at=item.published_at, public=item.is_public, chapter_id=_chapter_of(kind, item),
                    tag_ids=sorted(tag.pk for tag in item.tags.all()) if kind.tagged else [],
                )
            )
            words.update(word.lower() for word in WORD.findall(f"{title} {body}") if 3 <= len(word) <= 60)
        SearchDocument.objects.bulk_create(batch)
    SearchTerm.objects.bulk_create([SearchTerm(word=word) for word in words], ignore_conflicts=True)
    cache.bump()  # search pages read the rows just written


def _chapter_of(kind, item):
    """The pk of `item`'s chapter (its own, for a chapter), or None under no chapter."""
    if kind.chapter is None:
        return None
    for name in filter(None, kind.chapter.split("__")):
        item = getattr(item, name)
    return item.pk


def refresh_public(kind, path, parent_pks):
    """Set again whether each item of `kind` under these parents (`path`: a public parent's
    lookup) is public, as `published()` decides: only the rows that change are written."""
    under = kind.model._default_manager.filter(**{f"{path}__in": parent_pks}).values("pk")
    rows = SearchDocument.objects.filter(kind=kind.name, object_id__in=under)
    public = kind.model.objects.published(parents_as_list=True).values("pk")
    changed = rows.filter(public=False, object_id__in=public).update(public=True)
    changed += rows.filter(public=True).exclude(object_id__in=public).update(public=False)
    if changed:
        cache.bump()


def rebuild_index():
    """Every item of every kind, from scratch (after loading fixtures or synthetic data)."""
    for kind in KINDS:
        index_items(kind)


@contextmanager
def deferred():
    """Collect the rewrites the signals ask for and run them once, when the block ends."""
    if getattr(_pending, "jobs", None) is not None:  # already inside a deferred block
        yield
        return
    _pending.jobs = {}
    try:
        yield
        pending, _pending.jobs = _pending.jobs, None
        for (job, *args), pks in pending.items():
            job(*args, pks)
    finally:
        _pending.jobs = None


def _run(job, *args, pks):
    """`job(*args, pks)` now, or once for all the pks asked for, at the end of a `deferred()` block."""
    pks = set(pks)
    if not pks:
        return
    pending = getattr(_pending, "jobs", None)
    if pending is None:
        job(*args, pks)
    else:
        pending.setdefault((job, *args), set()).update(pks)


def reindex(kind, pks):
    """Rewrite the rows of these items of `kind` now, or at the end of a `deferred()` block."""
    _run(index_items, kind, pks=pks)


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
# {model: [(kind, lookup)]}: the items of `kind` that are public only while an instance of
# `model` (reached through `lookup`) is published (a chapter's findings: "topic__chapter").
UNDER = {}
for _kind in KINDS:
    for _path in _kind.model.public_parents:
        UNDER.setdefault(_related_model(_kind.model, _path), []).append((_kind, _path))


def _quoting(instance):
    for kind, lookup in QUOTED_BY.get(type(instance), []):
        yield kind, kind.model._default_manager.filter(**{lookup: instance}).values_list("pk", flat=True)


def _saved(sender, instance, raw=False, **kwargs):
    """post_save: rewrite the item's row and those that quote it, and set again whether the
    items under it are public (not during loaddata)."""
    if raw:
        return
    kind = BY_MODEL.get(sender)
    if kind is not None:
        reindex(kind, [instance.pk])
    for quoting_kind, pks in _quoting(instance):
        reindex(quoting_kind, pks)
    for kind_under, path in UNDER.get(sender, []):
        _run(refresh_public, kind_under, path, pks=[instance.pk])


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
    for model in {*BY_MODEL, *QUOTED_BY, *UNDER}:
        post_save.connect(_saved, sender=model, dispatch_uid=f"findings-index-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"findings-unindex-{model.__name__}")
    for model in QUOTED_BY:
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"findings-unquote-{model.__name__}")
    for kind in KINDS:
        for name in kind.search_prefetch:
            through = getattr(kind.model, name).through
            m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"findings-index-{through.__name__}")
