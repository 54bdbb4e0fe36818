"""Full-text queries over the search index, with each database's own engine.

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
from django.db.models import F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..forms import MAX_QUERY_LENGTH
from ..models import SearchDocument, SearchTerm
from . import WORD

# Weights of title, body and extra (parents and tags): a match in the title counts most.
SQLITE_BM25 = "bm25(findings_searchdocument_fts, 10.0, 4.0, 1.0)"
_START, _STOP = "\x02", "\x03"  # highlight markers no real text contains; escaped, then turned into <mark>
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _postgres():
    return connection.vendor == "postgresql"


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
        words = " ".join(WORD.findall(term))
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


def matching_ids(kind, parsed):
    """The ids of `kind`'s items matching the query, as a subquery for list pages."""
    return matching_documents(parsed).filter(kind=kind.name).values("object_id")


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
    """A list of `kind`'s items sorted by the relevance of their search rows."""
    if _postgres():
        rank = (
            SearchDocument.objects.filter(kind=kind.name, object_id=OuterRef("pk"))
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
        params=[kind.name, _fts5_expression(parsed)],
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
    return suggestion if matching_documents(parse_query(suggestion)).published().exists() else None


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
