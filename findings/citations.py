"""How an item is cited: who wrote it, where it sits in the report, and its citation
as plain text, as a BibTeX entry and as an RIS record.

Nothing is invented: no page numbers, no DOI, no dates beyond the report's year.
An item is cited as the report's, with UN DESA as its author, except an expert
contribution with named authors, which is cited as theirs.
"""
import datetime
import re

from .models import Chapter, Contribution, Report

# The report's corporate author. `Report.publisher` adds the division that produced it,
# which belongs in a publisher field, not in an author's name.
CORPORATE_AUTHOR = "United Nations Department of Economic and Social Affairs"

# One pass, so the braces an escape adds are not escaped again.
_BIBTEX_SPECIAL = re.compile(r'[\\{}&%$#_~^"]')
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # Braced, a straight quote is only a character: it cannot end a "..." value or
    # start a babel shorthand.
    '"': '{"}',
}


class Reports(dict):
    """Reports by primary key, each read once: a bulk export shares them between its items."""

    def __missing__(self, pk):
        report = self[pk] = Report.objects.get(pk=pk)
        return report


def sorted_tags(item):
    """An item's tags by name (chapters have none); uses the prefetched tags when there are."""
    if not hasattr(item, "tags"):
        return []
    return sorted(item.tags.all(), key=lambda tag: tag.name.casefold())


def named_authors(item):
    """The names of a contribution's authors as stored ("Jonathan Fox"); empty for other kinds."""
    if not isinstance(item, Contribution):
        return []
    return [author.name for author in item.authors.all()]


def inverted_name(name):
    """A name family name first ("Jonathan Fox" -> "Fox, Jonathan"), taking the last word as BibTeX does."""
    if "," in name or " " not in name.strip():
        return name.strip()
    given, family = name.strip().rsplit(" ", 1)
    return f"{family}, {given}"


def placement(item, reports=None):
    """The item's (report, chapter); chapter is None for a suggestion.

    Taken from `parents` (and their parents, as far as the chapter), so it costs nothing
    more when the caller selected them; a chapter's report comes from `reports` (a
    `Reports`) in bulk, else from the chapter.
    """
    chapter = next((obj for obj in _lineage(item) if isinstance(obj, Chapter)), None)
    report = next((obj for obj in [item, *item.parents] if isinstance(obj, Report)), None)
    if report is None:
        if reports is None or Chapter.report.is_cached(chapter):
            report = chapter.report
        else:
            report = reports[chapter.report_id]
    return report, chapter


def _lineage(item):
    """The item, then its parents and theirs, nearest first, read only as far as asked."""
    yield item
    for parent in getattr(item, "parents", []):
        yield from _lineage(parent)


def citation_text(item, request, accessed: datetime.date) -> str:
    """The item's citation as a reader would paste it, e.g. into a bibliography."""
    report, chapter = placement(item)
    authors = [inverted_name(name) for name in named_authors(item)] or [CORPORATE_AUTHOR]
    container = report.full_title + _chapter_phrase(item, chapter)
    permalink = request.build_absolute_uri(item.get_absolute_url())
    return _one_line(
        f"{'; '.join(authors)} ({report.year}). “{_cited_title(item)}”. In {_sentence(container)} "
        f"{permalink}. Accessed {accessed.day} {accessed:%B %Y}."
    )


def bibtex_key(item, report):
    """A stable key, e.g. "wpsr-2023-finding-ai-to-identify-corruption-in-procurement"."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{report.slug}-{item.kind.name}-{item.slug}")


def bibtex_entry(item, request, reports=None) -> str:
    """One BibTeX entry: @incollection for a contribution, @misc for the other kinds."""
    report, chapter = placement(item, reports)
    permalink = request.build_absolute_uri(item.get_absolute_url())
    authors = " and ".join(_bibtex_escape(inverted_name(name)) for name in named_authors(item))
    # Double braces keep the title's capitals (AI, SDGs, COVID-19) through styles that recase.
    title = "{" + _bibtex_escape(_cited_title(item)) + "}"
    common = [
        ("year", str(report.year)),
        ("publisher", _bibtex_escape(report.publisher)),
        ("isbn", _bibtex_escape(report.isbn)),
        # URLs stay verbatim: the url field and \url read them that way.
        ("url", permalink),
        ("note", _bibtex_escape(_note(item, chapter))),
        ("keywords", _bibtex_escape(", ".join(tag.name for tag in sorted_tags(item)))),
    ]
    if isinstance(item, Contribution):
        entry_type = "incollection"
        fields = [
            ("author", authors),
            ("title", title),
            ("booktitle", "{" + _bibtex_escape(report.full_title) + "}"),
            ("chapter", str(chapter.number)),
            *common,
        ]
    else:
        entry_type = "misc"
        fields = [("title", title), ("howpublished", rf"\url{{{permalink}}}"), *common]
    lines = [f"  {name} = {{{value}}}," for name, value in fields if value]
    return "\n".join([f"@{entry_type}{{{bibtex_key(item, report)},", *lines, "}"]) + "\n"


def ris_record(item, request, reports=None) -> str:
    """One RIS record: CHAP for a contribution, GEN for the other kinds."""
    report, chapter = placement(item, reports)
    lines = [
        ("TY", "CHAP" if isinstance(item, Contribution) else "GEN"),
        ("TI", _cited_title(item)),
        ("T2", report.full_title),
        *[("AU", inverted_name(name)) for name in named_authors(item)],
        ("PB", report.publisher),
        ("PY", str(report.year)),
        ("UR", request.build_absolute_uri(item.get_absolute_url())),
        ("SN", report.isbn),
        *[("KW", tag.name) for tag in sorted_tags(item)],
        ("N1", _note(item, chapter)),
    ]
    # RIS lines end with CR LF; the closing "ER  - " keeps its trailing space.
    record = [f"{tag}  - {_one_line(value)}" for tag, value in lines if value]
    return "\r\n".join([*record, "ER  - ", ""])


def _cited_title(item):
    """A chapter is cited by its question; the other kinds by their title (or text)."""
    return _one_line(item.title)


def _chapter_phrase(item, chapter):
    """Where in the report: ", chapter 3: <question>", or ", chapter 3" for the chapter itself."""
    if chapter is None:
        return ""
    if chapter is item:
        return f", chapter {chapter.number}"
    return f", chapter {chapter.number}: {chapter.title}"


def _note(item, chapter):
    """What the item is and where, e.g. "Key finding, chapter 3: What assets ...?"."""
    if chapter is item:
        return f"{item.kind.label} {chapter.number}"
    return item.kind.label + _chapter_phrase(item, chapter)


def _sentence(text):
    """`text` ending with a full stop, unless it already ends with a sentence's punctuation."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _one_line(text):
    return " ".join(text.split())


def _bibtex_escape(text):
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], _one_line(text))
