"""How the report and each item in it are cited: who wrote it, where it sits in the report,
and its citation as plain text, as a BibTeX entry and as an RIS record.

Nothing is invented: no page numbers, no DOI, no dates beyond the report's year.
The report is cited as a book by UN DESA; each item as a part of it (chapter, contribution,
topic, key finding or suggestion) by UN DESA, after the item's named authors where a
source names them. The three forms name the same authors, title, container, year and URL.
"""
import datetime
import re

from django.conf import settings
from django.utils import translation

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


def cited_authors(item):
    """Who an item is cited as by: its named authors, family name first, then UN DESA."""
    return [*(inverted_name(name) for name in named_authors(item)), CORPORATE_AUTHOR]


def inverted_name(name):
    """A name family name first ("Jonathan Fox" -> "Fox, Jonathan"), taking the last word as BibTeX does."""
    if "," in name or " " not in name.strip():
        return name.strip()
    given, family = name.strip().rsplit(" ", 1)
    return f"{family}, {given}"


def placement(item, reports=None):
    """The item's (report, chapter); chapter is None for a suggestion and for the report itself.

    Taken from `parents` (and their parents, as far as the chapter), so it costs nothing
    more when the caller selected them; a chapter's report comes from `reports` (a
    `Reports`) in bulk, else from the chapter.
    """
    chapter = next((obj for obj in _lineage(item) if isinstance(obj, Chapter)), None)
    report = next((obj for obj in [item, *getattr(item, "parents", [])] if isinstance(obj, Report)), None)
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


def citation_text(item, request, accessed: datetime.date, reports=None) -> str:
    """The citation of the report or an item as a reader would paste it, e.g. into a bibliography
    (`reports`: a `Reports` shared by the items of a list).

    In English on every page, as the report is, with the English address: the one permanent
    address of the item, whatever the language it was read in."""
    report, chapter = placement(item, reports)
    if item is report:
        cited = _sentence(_cited_title(item))
    else:
        cited = f"“{_cited_title(item)}”. In {_sentence(report.full_title + _chapter_phrase(item, chapter))}"
    with translation.override(settings.LANGUAGE_CODE):
        permalink = request.build_absolute_uri(item.get_absolute_url())
    return _one_line(
        f"{'; '.join(cited_authors(item))} ({report.year}). {cited} "
        f"{permalink}. Accessed {accessed.day} {accessed:%B %Y}."
    )


def bibtex_key(item, report):
    """A stable key, e.g. "wpsr-2023-finding-ai-to-identify-corruption-in-procurement", or
    "wpsr-2023" for the report."""
    key = report.slug if item is report else f"{report.slug}-{item.kind.name}-{item.slug}"
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)


def bibtex_entry(item, request, reports=None) -> str:
    """One BibTeX entry: a @book for the report, an @incollection of it for every item."""
    report, chapter = placement(item, reports)
    fields = [
        ("author", " and ".join(_bibtex_name(name) for name in cited_authors(item))),
        # Double braces keep the title's capitals (AI, SDGs, COVID-19) through styles that recase.
        ("title", "{" + _bibtex_escape(_cited_title(item)) + "}"),
    ]
    if item is not report:
        fields += [
            ("booktitle", "{" + _bibtex_escape(report.full_title) + "}"),
            ("chapter", str(chapter.number) if chapter else ""),
        ]
    fields += [
        ("year", str(report.year)),
        ("publisher", _bibtex_escape(report.publisher)),
        ("isbn", _bibtex_escape(report.isbn)),
        # URLs stay verbatim: the url field and \url read them that way.
        ("url", request.build_absolute_uri(item.get_absolute_url())),
        ("note", _bibtex_escape(_note(item, chapter))),
        ("keywords", _bibtex_escape(", ".join(tag.name for tag in sorted_tags(item)))),
    ]
    entry_type = "book" if item is report else "incollection"
    lines = [f"  {name} = {{{value}}}," for name, value in fields if value]
    return "\n".join([f"@{entry_type}{{{bibtex_key(item, report)},", *lines, "}"]) + "\n"


def ris_record(item, request, reports=None) -> str:
    """One RIS record: BOOK for the report, CHAP (a part of it) for every item."""
    report, chapter = placement(item, reports)
    lines = [
        ("TY", "BOOK" if item is report else "CHAP"),
        ("TI", _cited_title(item)),
        ("T2", "" if item is report else report.full_title),
        *[("AU", name) for name in cited_authors(item)],
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
    """The report is cited by its full title, a chapter by its question, the other kinds by
    their title (or text)."""
    return _one_line(item.full_title if isinstance(item, Report) else item.title)


def _chapter_phrase(item, chapter):
    """Where in the report: ", chapter 3: <question>", or ", chapter 3" for the chapter itself."""
    if chapter is None:
        return ""
    if chapter is item:
        return f", chapter {chapter.number}"
    return f", chapter {chapter.number}: {chapter.title}"


def _note(item, chapter):
    """What the item is and where, e.g. "Key finding, chapter 3: What assets ...?"; nothing for the report."""
    if isinstance(item, Report):
        return ""
    if chapter is item:
        return f"{item.kind.label} {chapter.number}"
    return item.kind.label + _chapter_phrase(item, chapter)


def _sentence(text):
    """`text` ending with a full stop, unless it already ends with a sentence's punctuation."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _one_line(text):
    return " ".join(text.split())


def _bibtex_name(name):
    """A name for an author field; the corporate one braced, so that BibTeX takes it whole
    instead of splitting it at its "and" and into first and last names."""
    escaped = _bibtex_escape(name)
    return "{" + escaped + "}" if name == CORPORATE_AUTHOR else escaped


def _bibtex_escape(text):
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], _one_line(text))
