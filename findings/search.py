"""Full-text search over every public kind, with each database's own engine.

PostgreSQL: `websearch_to_tsquery` against a weighted tsvector (trigger-kept, GIN-indexed),
`ts_rank`, `ts_headline`, and pg_trgm for "did you mean". SQLite: an FTS5 table with
porter stemming, `bm25`, `snippet`, and difflib over the indexed words. The query syntax
is the same on both: words (all required), "quoted phrases", -excluded words, and OR.
"""
import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .forms import MAX_QUERY_LENGTH
from .models import Chapter, Contribution, Finding, SearchDocument, SearchTerm, Suggestion, Topic

SEARCHABLE = {model.kind: model for model in (Finding, Suggestion, Topic, Contribution, Chapter)}
_SEARCHABLE_MODELS = tuple(SEARCHABLE.values())
# Weights of title, body and extra (parents and tags): a match in the title counts most.
SQLITE_BM25 = "bm25(findings_searchdocument_fts, 10.0, 4.0, 1.0)"
_START, _STOP = "\x02", "\x03"  # highlight markers no real text contains; escaped, then turned into <mark>
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def _postgres():
    return connection.vendor == "postgresql"


# Indexing ------------------------------------------------------------------------------------


def _document_text(obj):
    """(title, body, extra) for one item; `extra` holds what finds it without defining it.

    Related authors, topics and dimensions count only when published: a draft's words must
    not find an item, nor be offered by "did you mean".
    """
    tags = " ".join(tag.name for tag in obj.tags.all()) if hasattr(obj, "tags") else ""
    if isinstance(obj, Chapter):
        return f"Chapter {obj.number}: {obj.title}", obj.source_note, obj.report.title
    if isinstance(obj, Contribution):
        authors = " ".join(author.name for author in obj.authors.all() if author.is_published)
        return obj.title, f"{obj.summary} {authors}".strip(), f"{obj.chapter.title} {tags}"
    if isinstance(obj, Topic):
        dimension = obj.dimension.title if obj.dimension.is_published else ""
        return obj.title, dimension, f"{obj.chapter.title} {tags}"
    if isinstance(obj, Finding):
        return obj.text, obj.source_note, f"{obj.topic.title} {tags}"
    topics = " ".join(topic.title for topic in obj.related_topics.all() if topic.is_published)
    return obj.text, obj.source_note, f"{topics} {tags}"


_RELATED = {
    "chapter": (["report"], []),
    "contribution": (["chapter"], ["tags", "authors"]),
    "topic": (["chapter", "dimension"], ["tags"]),
    "finding": (["topic"], ["tags"]),
    "suggestion": ([], ["tags", "related_topics"]),
}


def index_items(model, pks=None, batch_size=2000):
    """(Re)write the search rows of `model`'s items (all of them when `pks` is None)."""
    select, prefetch = _RELATED[model.kind]
    queryset = model._default_manager.select_related(*select).prefetch_related(*prefetch).order_by("pk")
    documents = SearchDocument.objects.filter(kind=model.kind)
    if pks is not None:
        queryset = queryset.filter(pk__in=pks)
        documents = documents.filter(object_id__in=pks)
    documents.delete()
    batch, words = [], set()
    for obj in queryset.iterator(chunk_size=batch_size):
        title, body, extra = _document_text(obj)
        batch.append(SearchDocument(kind=model.kind, object_id=obj.pk, title=title, body=body or "", extra=extra))
        words.update(word.lower() for word in _WORD.findall(f"{title} {body}") if 3 <= len(word) <= 60)
        if len(batch) >= batch_size:
            SearchDocument.objects.bulk_create(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)
    SearchTerm.objects.bulk_create([SearchTerm(word=word) for word in words], ignore_conflicts=True)


def unindex(model, pk):
    SearchDocument.objects.filter(kind=model.kind, object_id=pk).delete()


def rebuild_index():
    """Every searchable item, from scratch (after loading fixtures or synthetic data)."""
    for model in SEARCHABLE.values():
        index_items(model)


# Queries -------------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str
    positive: list[str]  # words and "phrases" a result must match
    negative: list[str]
    uses_or: bool

    @property
    def is_empty(self):
        return not self.positive


def parse_query(text):
    """Split websearch-style input into required terms, phrases, exclusions and OR."""
    text = (text or "").replace("\x00", "")[:MAX_QUERY_LENGTH].strip()
    positive, negative, uses_or = [], [], False
    for minus, phrase, bare in _TOKEN.findall(text):
        if bare:
            minus, term = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            if term.lower() == "or" and not minus:
                uses_or = True
                positive.append("OR")
                continue
        else:
            term = phrase
        words = " ".join(_WORD.findall(term))
        if words:
            (negative if minus else positive).append(words)
    while positive and positive[0] == "OR":
        positive.pop(0)
    while positive and positive[-1] == "OR":
        positive.pop()
    return ParsedQuery(text, positive, negative, uses_or)


def _fts5_expression(parsed):
    parts, joiner = [], " AND "
    for term in parsed.positive:
        if term == "OR":
            joiner = " OR "
            continue
        if parts:
            parts.append(joiner)
        parts.append(f'"{term}"')
        joiner = " AND "
    expression = "".join(parts)
    return expression + "".join(f' NOT "{term}"' for term in parsed.negative)


_FTS5_MATCHES = "SELECT rowid FROM findings_searchdocument_fts WHERE findings_searchdocument_fts MATCH %s"


def _search_query(parsed):
    return SearchQuery(parsed.text, search_type="websearch", config="english")


def matching_documents(parsed):
    """SearchDocument rows matching the query (unranked: safe to use inside subqueries)."""
    if _postgres():
        return SearchDocument.objects.filter(search_vector=_search_query(parsed))
    return SearchDocument.objects.filter(id__in=RawSQL(_FTS5_MATCHES, [_fts5_expression(parsed)]))


def published_documents(documents, kinds=SEARCHABLE):
    """Only the rows of published items (each kind's `published()`): all that search may show."""
    published = Q(pk__in=[])
    for kind, model in kinds.items():
        published |= Q(kind=kind, object_id__in=model.objects.published().values("pk"))
    return documents.filter(published)


def matching_ids(kind, parsed):
    """The ids of `kind` items matching the query, as a subquery for list pages."""
    return matching_documents(parsed).filter(kind=kind).values("object_id")


def best_first(documents, parsed):
    """Search documents sorted by relevance, best first (the outer query of the search page).

    SQLite joins its FTS5 table here, in the outer query, so bm25 is read once per match.
    """
    if _postgres():
        rank = SearchRank(F("search_vector"), _search_query(parsed))
        return documents.annotate(rank=rank).order_by("-rank", "pk")
    return documents.extra(
        select={"rank": f"-{SQLITE_BM25}"},
        tables=["findings_searchdocument_fts"],
        where=[
            "findings_searchdocument_fts.rowid = findings_searchdocument.id",
            "findings_searchdocument_fts MATCH %s",
        ],
        params=[_fts5_expression(parsed)],
    ).order_by("-rank", "pk")


def items_best_first(queryset, kind, parsed):
    """A list of `kind` items sorted by the relevance of their search rows."""
    if _postgres():
        rank = (
            SearchDocument.objects.filter(kind=kind, object_id=OuterRef("pk"))
            .annotate(rank=SearchRank(F("search_vector"), _search_query(parsed)))
            .values("rank")[:1]
        )
        return queryset.annotate(rank=Subquery(rank)).order_by("-rank", "pk")
    table = queryset.model._meta.db_table
    return queryset.extra(
        select={"rank": f"-{SQLITE_BM25}"},
        tables=["findings_searchdocument", "findings_searchdocument_fts"],
        where=[
            "findings_searchdocument.kind = %s",
            f'findings_searchdocument.object_id = "{table}"."id"',
            "findings_searchdocument_fts.rowid = findings_searchdocument.id",
            "findings_searchdocument_fts MATCH %s",
        ],
        params=[kind, _fts5_expression(parsed)],
    ).order_by("-rank", "pk")


def highlights(parsed, documents):
    """{document id: (field, safe HTML excerpt with <mark>ed matches)} for a page of documents."""
    ids = [document.pk for document in documents]
    if not ids:
        return {}
    if _postgres():
        query = _search_query(parsed)
        options = {"start_sel": _START, "stop_sel": _STOP, "max_words": 30, "min_words": 12,
                   "max_fragments": 2, "fragment_delimiter": " … "}
        rows = SearchDocument.objects.filter(pk__in=ids).annotate(
            # The whole title: it is the result's link text, so it must not be cut short.
            title_excerpt=SearchHeadline(
                "title", query, config="english", start_sel=_START, stop_sel=_STOP, highlight_all=True
            ),
            body_excerpt=SearchHeadline("body", query, config="english", **options),
        ).values_list("pk", "title_excerpt", "body_excerpt")
        pieces = {pk: (title, body) for pk, title, body in rows}
    else:
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(
                "SELECT rowid, highlight(findings_searchdocument_fts, 0, %s, %s),"
                " snippet(findings_searchdocument_fts, 1, %s, %s, '…', 24)"
                " FROM findings_searchdocument_fts WHERE findings_searchdocument_fts MATCH %s"
                f" AND rowid IN ({placeholders})",
                [_START, _STOP, _START, _STOP, _fts5_expression(parsed), *ids],
            )
            pieces = {pk: (title, body) for pk, title, body in cursor.fetchall()}
    return {pk: _marked(title, body) for pk, (title, body) in pieces.items()}


def _marked(title, body):
    """("title" or "body", the excerpt that shows a match, escaped, with matches marked)."""
    field, excerpt = ("body", body) if _START not in title and _START in (body or "") else ("title", title)
    html = escape(excerpt).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return field, mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags are added


def did_you_mean(parsed):
    """The query with each unknown word replaced by the closest indexed word, or None."""
    corrected, changed = [], False
    for term in parsed.positive:
        words = []
        for word in term.split():
            if term == "OR" or len(word) < 3 or SearchTerm.objects.filter(word=word.lower()).exists():
                words.append(word)
                continue
            suggestion = _closest_word(word.lower())
            changed |= bool(suggestion)
            words.append(suggestion or word)
        joined = " ".join(words)
        corrected.append(f'"{joined}"' if " " in joined else joined)
    corrected += [f"-{term}" if " " not in term else f'-"{term}"' for term in parsed.negative]
    if not changed:
        return None
    suggestion = " ".join(corrected)
    # Drafts are indexed too: a correction that finds nothing published would reveal their words.
    return suggestion if published_documents(matching_documents(parse_query(suggestion))).exists() else None


def _closest_word(word):
    if _postgres():
        match = (
            SearchTerm.objects.annotate(similarity=TrigramSimilarity("word", word))
            .filter(similarity__gt=0.3)
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
        return match
    words = SearchTerm.objects.filter(word__startswith=word[0]).values_list("word", flat=True)
    matches = difflib.get_close_matches(word, list(words), n=1, cutoff=0.7)
    return matches[0] if matches else None


# Keeping the index current -------------------------------------------------------------------


def _dependents(instance):
    """Items whose search rows include this instance's title (their `extra` or `body`)."""
    from .models import Author, Dimension

    if isinstance(instance, Topic):
        return [(Finding, instance.findings.values_list("pk", flat=True)), (Suggestion, instance.related_suggestions.values_list("pk", flat=True))]
    if isinstance(instance, Chapter):
        return [(Topic, instance.topics.values_list("pk", flat=True)), (Contribution, instance.contributions.values_list("pk", flat=True))]
    if isinstance(instance, Dimension):
        return [(Topic, instance.topics.values_list("pk", flat=True))]
    if isinstance(instance, Author):
        return [(Contribution, instance.contributions.values_list("pk", flat=True))]
    return []


def reindex_saved(sender, instance, raw=False, **kwargs):
    """post_save: rewrite the item's row and those that quote it (not during loaddata)."""
    if raw:
        return
    if isinstance(instance, _SEARCHABLE_MODELS):
        index_items(type(instance), [instance.pk])
    for model, pks in _dependents(instance):
        pks = list(pks)
        if pks:
            index_items(model, pks)


def unindex_deleted(sender, instance, **kwargs):
    if isinstance(instance, _SEARCHABLE_MODELS):
        unindex(type(instance), instance.pk)


def reindex_related_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed (tags, authors, related topics): the item's row lists them."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse and isinstance(instance, _SEARCHABLE_MODELS):
        index_items(type(instance), [instance.pk])
    elif reverse and getattr(model, "kind", None) in SEARCHABLE and pk_set:
        index_items(model, list(pk_set))
