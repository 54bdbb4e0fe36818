"""Full-text queries over the search index, with each database's own engine.

PostgreSQL: `websearch_to_tsquery` against a weighted tsvector (trigger-kept, GIN-indexed),
`ts_rank`, `ts_headline`, and pg_trgm for "did you mean". SQLite: an FTS5 table with
porter stemming, `bm25`, `snippet`, and difflib over the indexed words. The query syntax
is the same on both: words (all required), "quoted phrases", -excluded words, and OR.
"""
import difflib
import functools
import operator
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..forms import MAX_QUERY_LENGTH
from ..models import SearchDocument, SearchTerm
from . import COMMON_WORDS, WORD

# Weights of title, body and extra (parents and tags): a match in the title counts most.
SQLITE_BM25 = "bm25(findings_searchdocument_fts, 10.0, 4.0, 1.0)"
_START, _STOP = "\x02", "\x03"  # highlight markers no real text contains; escaped, then turned into <mark>
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _postgres():
    return connection.vendor == "postgresql"


# Queries -------------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """What a search asks for: any of the `alternatives` (each a group of terms that must all
    match: words and phrases), none of the `negative` terms; `ignored` holds the common words
    left out."""

    text: str
    alternatives: list[list[str]]
    negative: list[str]
    ignored: list[str]

    @property
    def positive(self):
        return [term for group in self.alternatives for term in group]

    @property
    def is_empty(self):
        return not self.positive

    @property
    def uses_or(self):
        return len(self.alternatives) > 1


def parse_query(text):
    """Read websearch-style input: words and "phrases" (all required), OR between them (AND
    binds first: `a b OR c` is (a and b) or c), and -word or -"phrase" to leave out what has it,
    whichever alternative matched. Common words alone are left out and listed in `ignored`."""
    text = (text or "").replace("\x00", "")[:MAX_QUERY_LENGTH].strip()
    alternatives, negative, ignored = [[]], [], []
    for minus, phrase, bare in _TOKEN.findall(text):
        if bare:
            minus, term = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            if term.lower() == "or" and not minus:
                alternatives.append([])
                continue
        else:
            term = phrase
        words = WORD.findall(term)
        if len(words) == 1 and words[0].lower() in COMMON_WORDS:
            if words[0].lower() not in ignored:
                ignored.append(words[0].lower())
            continue
        if words:
            (negative if minus else alternatives[-1]).append(" ".join(words))
    return ParsedQuery(text, [group for group in alternatives if group], negative, ignored)


def _fts5_expression(parsed):
    """The query in FTS5 syntax, parenthesised so that it means what parse_query read."""

    def quoted(term):
        return '"' + term.replace('"', "") + '"'

    groups = ["(" + " AND ".join(quoted(term) for term in group) + ")" for group in parsed.alternatives]
    expression = "(" + " OR ".join(groups) + ")"
    for term in parsed.negative:
        expression = f"({expression} NOT {quoted(term)})"
    return expression


_FTS5_MATCHES = "SELECT rowid FROM findings_searchdocument_fts WHERE findings_searchdocument_fts MATCH %s"


def _search_query(parsed):
    """The same query as PostgreSQL tsqueries: phrases (a single word is a phrase of one)."""

    def phrase(term):
        return SearchQuery(term, search_type="phrase", config="english")

    query = functools.reduce(
        operator.or_, (functools.reduce(operator.and_, map(phrase, group)) for group in parsed.alternatives)
    )
    for term in parsed.negative:
        query &= ~phrase(term)
    return query


def matching_documents(parsed):
    """SearchDocument rows matching the query (unranked: safe to use inside subqueries)."""
    if _postgres():
        return SearchDocument.objects.filter(search_vector=_search_query(parsed))
    return SearchDocument.objects.filter(id__in=RawSQL(_FTS5_MATCHES, [_fts5_expression(parsed)]))


def matching_ids(kind, parsed):
    """The ids of `kind`'s items matching the query, as a subquery for list pages."""
    return matching_documents(parsed).filter(kind=kind.name).values("object_id")


def best_first(documents, parsed):
    """PostgreSQL: search documents sorted by relevance, best first (the outer query of the
    search page). SQLite ranks with ranked_ids() instead (ranks_in_python())."""
    rank = SearchRank(F("search_vector"), _search_query(parsed))
    return documents.annotate(rank=rank).order_by("-rank", "pk")


def ranked_ids(parsed):
    """SQLite: the ids of every document matching the query, best first (bm25, then id), ranked
    by FTS5 in its own table: joined to the documents, the same ranking cost three times as much."""
    with connection.cursor() as cursor:
        cursor.execute(f"{_FTS5_MATCHES} ORDER BY {SQLITE_BM25}, rowid", [_fts5_expression(parsed)])
        return [row[0] for row in cursor.fetchall()]


def ranks_in_python():
    """Whether best_first() leaves the ranking to ranked_ids() (SQLite) rather than to the query."""
    return not _postgres()


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
    """{document id: (field, safe HTML excerpt with <mark>ed matches)} for a page of documents;
    field is "title", "body" or "extra" (a match only in the parents' titles or the tags)."""
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
            extra_excerpt=SearchHeadline("extra", query, config="english", **options),
        ).values_list("pk", "title_excerpt", "body_excerpt", "extra_excerpt")
        pieces = {pk: fields for pk, *fields in rows}
    else:
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(
                "SELECT rowid, highlight(findings_searchdocument_fts, 0, %s, %s),"
                " snippet(findings_searchdocument_fts, 1, %s, %s, '…', 24),"
                " snippet(findings_searchdocument_fts, 2, %s, %s, '…', 24)"
                " FROM findings_searchdocument_fts WHERE findings_searchdocument_fts MATCH %s"
                f" AND rowid IN ({placeholders})",
                [_START, _STOP, _START, _STOP, _START, _STOP, _fts5_expression(parsed), *ids],
            )
            pieces = {pk: fields for pk, *fields in cursor.fetchall()}
    return {pk: _marked(*fields) for pk, fields in pieces.items()}


def _marked(title, body, extra):
    """(the field whose excerpt shows a match, that excerpt escaped with its matches marked):
    the title when it matches, else the body, else the parents' titles and tags."""
    field, excerpt = next(
        ((name, text) for name, text in (("title", title), ("body", body), ("extra", extra)) if _START in (text or "")),
        ("title", title),
    )
    html = escape(excerpt).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return field, mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags are added


def did_you_mean(parsed):
    """The query with each unknown word replaced by the closest indexed word, or None.

    The same on both databases: difflib over the indexed words that share the word's first
    letter and nearly its length (a bounded set, whatever the size of the index).
    """
    changed = False

    def corrected(term):
        nonlocal changed
        words = []
        for word in term.split():
            suggestion = None
            if len(word) >= 3 and not SearchTerm.objects.filter(word=word.lower()).exists():
                suggestion = _closest_word(word.lower())
            changed |= bool(suggestion)
            words.append(suggestion or word)
        joined = " ".join(words)
        return f'"{joined}"' if " " in joined else joined

    alternatives = [" ".join(corrected(term) for term in group) for group in parsed.alternatives]
    negative = [f"-{term}" if " " not in term else f'-"{term}"' for term in parsed.negative]
    if not changed:
        return None
    suggestion = " ".join([" OR ".join(alternatives), *negative])
    # Drafts are indexed too: a correction that finds nothing published would reveal their words.
    return suggestion if matching_documents(parse_query(suggestion)).published().exists() else None


# How many indexed words "did you mean" compares a word with, at most.
CANDIDATE_WORDS = 2000


def _closest_word(word):
    candidates = (
        SearchTerm.objects.filter(word__startswith=word[0])
        .annotate(length=Length("word"))
        .filter(length__range=(len(word) - 2, len(word) + 2))
        .order_by("word")
        .values_list("word", flat=True)[:CANDIDATE_WORDS]
    )
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return matches[0] if matches else None
