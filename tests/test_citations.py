"""Citations: the plain text a reader pastes, and BibTeX and RIS files reference managers read,
for the report and every item in it."""
import datetime
import re
from html import unescape

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode
from django.utils import timezone
from pybtex.plugin import find_plugin
from pybtex.style.template import FieldIsMissing

from findings import formats
from findings.citations import citation_text
from findings.kinds import KINDS
from findings.models import Chapter, Contribution, Finding, Report, Suggestion, Topic

from .html import get_page, results_count, visible_text, with_format
from .test_exports import add_contributions_with_authors, download


def bibtex_response(items, request, filename="download"):
    return download(formats.BIBTEX, items, request, filename)


def ris_response(items, request, filename="download"):
    return download(formats.RIS, items, request, filename)

ACCESSED = datetime.date(2025, 3, 5)
AI_FINDING = "ai-to-identify-corruption-in-procurement"
AI_FINDING_TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
FOX_SLUG = "governance-reform-and-public-service-provision"
FOX_TITLE = "Governance reform and public service provision: institutional resilience and State-society synergy"
FULL_TITLE = (
    "World Public Sector Report 2023: Transforming institutions to achieve the Sustainable Development Goals "
    "after the pandemic"
)
CHAPTER_3_QUESTION = (
    "What assets and innovations could Governments mobilize to transform the public sector and achieve the SDGs?"
)
PUBLISHER = (
    "United Nations Department of Economic and Social Affairs (UN DESA), through its Division for Public "
    "Institutions and Digital Government (DPIDG)"
)
ISBN = "9789210029094"
UN_DESA = "United Nations Department of Economic and Social Affairs"
# Braced, BibTeX reads the corporate author as one name instead of two people split at its "and".
UN_DESA_BIBTEX = "{" + UN_DESA + "}"
REPORT_URL = "http://testserver/report/"
# Every BibTeX and RIS download of a list, a search and the report, with how many items each
# holds (None: as many as its HTML page says it found).
LIST_DOWNLOADS = [
    ("/chapters/", 3),
    ("/contributions/", 13),
    ("/topics/", 7),
    ("/findings/", 18),
    ("/suggestions/", 6),
    ("/search/?q=innovation", None),
    ("/report/", 1),
]


def _findings():
    return Finding.objects.published().for_listing()


def _contributions():
    return Contribution.objects.published().for_listing()


def _bibtex(response):
    """Entries by key, each field's value as written between its outer braces."""
    parser = BibTexParser(common_strings=True)
    return {entry["ID"]: entry for entry in bibtexparser.loads(response.getvalue().decode(), parser).entries}


def _ris(response):
    return rispy.loads(response.getvalue().decode())


def test_citation_of_a_finding_reads_as_a_reader_pastes_it(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    assert citation_text(finding, rf.get("/"), ACCESSED) == (
        "United Nations Department of Economic and Social Affairs (2023). "
        f"“{AI_FINDING_TEXT}”. "
        f"In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} "
        f"http://testserver/findings/{AI_FINDING}/. Accessed 5 March 2025."
    )


def test_citation_of_a_contribution_names_its_author_then_un_desa(wpsr, rf):
    contribution = _contributions().get(slug=FOX_SLUG)
    assert citation_text(contribution, rf.get("/"), ACCESSED) == (
        f"Fox, Jonathan; {UN_DESA} (2023). “{FOX_TITLE}”. In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} "
        f"http://testserver/contributions/{FOX_SLUG}/. Accessed 5 March 2025."
    )


def test_citation_of_a_suggestion_and_of_a_chapter_name_no_chapter_they_are_not_in(wpsr, rf):
    suggestion = Suggestion.objects.published().get(slug="consolidate-crisis-innovations")
    chapter = Chapter.objects.published().get(slug="chapter-3")
    assert f"”. In {FULL_TITLE}. http://testserver/suggestions/consolidate-crisis-innovations/. Accessed" in (
        citation_text(suggestion, rf.get("/"), ACCESSED)
    )
    assert citation_text(chapter, rf.get("/"), ACCESSED) == (
        f"United Nations Department of Economic and Social Affairs (2023). “{CHAPTER_3_QUESTION}”. "
        f"In {FULL_TITLE}, chapter 3. http://testserver/chapters/chapter-3/. Accessed 5 March 2025."
    )


def test_citation_of_the_report_is_the_book_by_un_desa(wpsr, rf):
    report = Report.objects.published().get()
    assert citation_text(report, rf.get("/"), ACCESSED) == (
        f"{UN_DESA} (2023). {FULL_TITLE}. {REPORT_URL}. Accessed 5 March 2025."
    )


def test_bibtex_entry_of_a_finding_is_a_part_of_the_report_by_un_desa(wpsr, rf):
    response = bibtex_response(_findings().filter(slug=AI_FINDING), rf.get("/findings/"), "key-findings")

    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="key-findings.bib"'
    assert f"  author = {{{UN_DESA_BIBTEX}}},\n" in response.getvalue().decode()
    assert _bibtex(response) == {
        f"wpsr-2023-finding-{AI_FINDING}": {
            "ENTRYTYPE": "incollection",
            "ID": f"wpsr-2023-finding-{AI_FINDING}",
            "author": UN_DESA_BIBTEX,
            # Braced once more, so that styles which recase titles keep "AI" as it is.
            "title": f"{{{AI_FINDING_TEXT}}}",
            "booktitle": f"{{{FULL_TITLE}}}",
            "chapter": "3",
            "url": f"http://testserver/findings/{AI_FINDING}/",
            "year": "2023",
            "publisher": PUBLISHER,
            "isbn": ISBN,
            "note": f"Key finding, chapter 3: {CHAPTER_3_QUESTION}",
            "keywords": "AI, Corruption, Digital technology, Procurement",
        }
    }


def test_bibtex_entry_of_a_contribution_is_an_incollection_by_its_author_then_un_desa(wpsr, rf):
    response = bibtex_response(_contributions().filter(slug=FOX_SLUG), rf.get("/contributions/"))
    assert f"  author = {{Fox, Jonathan and {UN_DESA_BIBTEX}}},\n" in response.getvalue().decode()
    assert _bibtex(response) == {
        f"wpsr-2023-contribution-{FOX_SLUG}": {
            "ENTRYTYPE": "incollection",
            "ID": f"wpsr-2023-contribution-{FOX_SLUG}",
            "author": f"Fox, Jonathan and {UN_DESA_BIBTEX}",
            "title": f"{{{FOX_TITLE}}}",
            "booktitle": f"{{{FULL_TITLE}}}",
            "chapter": "3",
            "publisher": PUBLISHER,
            "year": "2023",
            "isbn": ISBN,
            "url": f"http://testserver/contributions/{FOX_SLUG}/",
            "note": f"Expert contribution, chapter 3: {CHAPTER_3_QUESTION}",
            "keywords": "Accountability, Civil society, Participation, Resilience",
        }
    }


def test_bibtex_keys_are_unique_across_every_kind(wpsr, rf):
    querysets = [
        Chapter.objects.published().for_detail(),
        _contributions(),
        Topic.objects.published().for_listing(),
        _findings(),
        Suggestion.objects.published().for_listing().select_related("report"),
    ]
    keys = []
    for items in querysets:
        keys += list(_bibtex(bibtex_response(items, rf.get("/"))))
    assert len(keys) == len(set(keys)) == 3 + 13 + 7 + 18 + 6
    assert "wpsr-2023-topic-digital-technology" in keys


def test_bibtex_escapes_special_characters_so_titles_round_trip(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    finding.text = 'R&D: 50% of "spending"'
    entry = _bibtex(bibtex_response([finding], rf.get("/")))[f"wpsr-2023-finding-{AI_FINDING}"]
    assert entry["title"] == r'{R\&D: 50\% of {"}spending{"}}'
    assert latex_to_unicode(entry["title"]) == 'R&D: 50% of "spending"'


def test_bibtex_escapes_every_character_latex_treats_specially(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    finding.text = 'a\\b {c} & % $ # _ ~ ^ "d"'
    response = bibtex_response([finding], rf.get("/"))
    text = response.getvalue().decode()
    assert (
        r'  title = {{a\textbackslash{}b \{c\} \& \% \$ \# \_ \textasciitilde{} \textasciicircum{} {"}d{"}}},'
        in text
    )
    assert len(_bibtex(response)) == 1  # the braces still balance


@pytest.mark.parametrize("respond", [bibtex_response, ris_response], ids=["bibtex", "ris"])
@pytest.mark.parametrize("extra", [0, 20])
def test_citation_downloads_read_related_rows_once(wpsr, rf, django_assert_num_queries, respond, extra):
    add_contributions_with_authors(extra)
    # How many there are, the contributions with chapter and source, their tags, their authors,
    # the report (once).
    with django_assert_num_queries(5):
        response = respond(_contributions(), rf.get("/contributions/"), "contributions")
    assert response.getvalue().decode().count("/contributions/") == 13 + extra


def test_ris_record_of_a_contribution_names_its_author_then_un_desa(wpsr, rf):
    response = ris_response(_contributions().filter(slug=FOX_SLUG), rf.get("/contributions/"), "c")

    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="c.ris"'
    assert _ris(response) == [
        {
            "type_of_reference": "CHAP",
            "title": FOX_TITLE,
            "secondary_title": FULL_TITLE,
            "authors": ["Fox, Jonathan", UN_DESA],
            "publisher": PUBLISHER,
            "year": "2023",
            "urls": [f"http://testserver/contributions/{FOX_SLUG}/"],
            "issn": ISBN,  # rispy names the SN tag "issn"; it holds the ISBN here
            "keywords": ["Accountability", "Civil society", "Participation", "Resilience"],
            "notes": [f"Expert contribution, chapter 3: {CHAPTER_3_QUESTION}"],
        }
    ]


def test_ris_records_of_findings_are_parts_of_the_report_by_un_desa(wpsr, rf):
    records = _ris(ris_response(_findings(), rf.get("/findings/")))
    assert len(records) == 18
    record = next(record for record in records if record["title"] == AI_FINDING_TEXT)
    assert record["type_of_reference"] == "CHAP"
    assert record["secondary_title"] == FULL_TITLE
    assert record["authors"] == [UN_DESA]
    assert record["publisher"] == PUBLISHER
    assert record["urls"] == [f"http://testserver/findings/{AI_FINDING}/"]
    assert record["keywords"] == ["AI", "Corruption", "Digital technology", "Procurement"]


def test_ris_lines_end_with_crlf_and_records_with_er(wpsr, rf):
    text = ris_response(_findings()[:2], rf.get("/findings/")).getvalue().decode()
    assert text.startswith("TY  - CHAP\r\nTI  - ")
    assert text.count("ER  - \r\n") == 2
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize(
    "respond, parse", [(bibtex_response, _bibtex), (ris_response, _ris)], ids=["bibtex", "ris"]
)
def test_citation_downloads_stop_at_the_row_limit(wpsr, rf, monkeypatch, respond, parse):
    monkeypatch.setattr(formats, "ROW_LIMIT", 3)
    response = respond(_findings(), rf.get("/findings/"), "key-findings")
    assert len(parse(response)) == 3
    assert response["X-Rows-Truncated"] == "18"


def _get_bibtex(client, url):
    return get_page(client, with_format(url, "bibtex"))


def _get_ris(client, url):
    return get_page(client, with_format(url, "ris"))


@pytest.fixture
def plain_style(monkeypatch):
    """Renders a BibTeX file as the standard "plain" bibliography style does: {key: text}.

    pybtex raises on a field the style needs and the entry lacks; strict mode turns what it
    would otherwise only warn about (a malformed name, a repeated key) into errors too.
    """
    monkeypatch.setattr(pybtex.errors, "strict", True)
    style = find_plugin("pybtex.style.formatting", "plain")()

    def render(bibtex):
        bibliography = style.format_bibliography(pybtex.database.parse_string(bibtex, "bibtex"))
        return {entry.key: entry.text.render_as("text") for entry in bibliography.entries}

    return render


def _published_item_urls():
    return [item.get_absolute_url() for kind in KINDS for item in kind.model.objects.published()]


def _expected_count(client, url, count):
    return results_count(get_page(client, url).getvalue()) if count is None else count


def test_plain_style_fails_on_an_entry_without_a_field_it_needs(plain_style):
    # What the tests below rely on: a missing booktitle is an error, not a silent gap.
    with pytest.raises(FieldIsMissing, match="missing booktitle in orphan"):
        plain_style("@incollection{orphan, author = {A. Author}, title = {T}, year = {2023}}")


def test_plain_style_renders_the_report_a_finding_and_a_contribution_in_full(wpsr, client, plain_style):
    in_the_report = f"In {FULL_TITLE}, chapter 3. {PUBLISHER}, 2023. URL: http://testserver"
    assert plain_style(_get_bibtex(client, "/report/").getvalue().decode()) == {
        "wpsr-2023": f"{UN_DESA}. {FULL_TITLE}. {PUBLISHER}, 2023. ISBN {ISBN}. URL: {REPORT_URL}.",
    }
    assert plain_style(_get_bibtex(client, f"/findings/{AI_FINDING}/").getvalue().decode()) == {
        f"wpsr-2023-finding-{AI_FINDING}": f"{UN_DESA}. {AI_FINDING_TEXT}. {in_the_report}/findings/{AI_FINDING}/.",
    }
    assert plain_style(_get_bibtex(client, f"/contributions/{FOX_SLUG}/").getvalue().decode()) == {
        f"wpsr-2023-contribution-{FOX_SLUG}": (
            f"Jonathan Fox and {UN_DESA}. {FOX_TITLE}. {in_the_report}/contributions/{FOX_SLUG}/."
        ),
    }


@pytest.mark.parametrize("url, count", LIST_DOWNLOADS)
def test_plain_style_renders_every_entry_of_every_list_and_search_download(wpsr, client, plain_style, url, count):
    response = _get_bibtex(client, url)
    rendered = plain_style(response.getvalue().decode())
    entries = _bibtex(response)
    assert len(rendered) == _expected_count(client, url, count)
    assert sorted(rendered) == sorted(entries)  # the plain style sorts them, but leaves none out
    for key, text in rendered.items():
        assert "World Public Sector Report 2023" in text, key
        assert UN_DESA in text, key
        assert f" {PUBLISHER}, 2023. " in text, key
        assert text.endswith(f" URL: {entries[key]['url']}."), key


def test_plain_style_renders_the_bibtex_of_every_detail_page(wpsr, client, plain_style):
    urls = _published_item_urls()
    assert len(urls) == 3 + 13 + 7 + 18 + 6
    for url in urls:
        [text] = plain_style(_get_bibtex(client, url).getvalue().decode()).values()
        assert "World Public Sector Report 2023" in text, url
        assert UN_DESA in text, url
        assert text.endswith(f" {PUBLISHER}, 2023. URL: http://testserver{url}."), url


@pytest.mark.parametrize("url, count", LIST_DOWNLOADS)
def test_every_download_names_the_report_un_desa_publisher_year_isbn_and_permalink(wpsr, client, url, count):
    entries = _bibtex(_get_bibtex(client, url))
    records = _ris(_get_ris(client, url))
    assert len(entries) == len(records) == _expected_count(client, url, count)
    # The same items in the same order in both files.
    assert [[entry["url"]] for entry in entries.values()] == [record["urls"] for record in records]
    for entry, record in zip(entries.values(), records, strict=True):
        assert entry["author"].endswith(UN_DESA_BIBTEX), entry["ID"]
        assert record["authors"][-1] == UN_DESA, entry["ID"]
        assert (entry["publisher"], entry["year"], entry["isbn"]) == (PUBLISHER, "2023", ISBN)
        assert (record["publisher"], record["year"], record["issn"]) == (PUBLISHER, "2023", ISBN)
        assert entry["url"].startswith("http://testserver/")
        if entry["ENTRYTYPE"] == "book":
            assert (entry["ID"], entry["title"], entry["url"]) == ("wpsr-2023", f"{{{FULL_TITLE}}}", REPORT_URL)
            assert (record["type_of_reference"], record["title"]) == ("BOOK", FULL_TITLE)
            assert "booktitle" not in entry and "secondary_title" not in record
        else:
            assert (entry["ENTRYTYPE"], entry["booktitle"]) == ("incollection", f"{{{FULL_TITLE}}}")
            assert (record["type_of_reference"], record["secondary_title"]) == ("CHAP", FULL_TITLE)


def _cite_this(page):
    """The plain-text citation that a page's "Cite this" shows."""
    match = re.search(r'<p class="cite__text" id="citation" lang="en" dir="ltr">(.*?)</p>', page.getvalue().decode(), re.S)
    return unescape(match.group(1))


def test_cite_this_of_every_page_says_what_its_bibtex_and_ris_say(wpsr, client):
    today = timezone.localdate()
    accessed = f" Accessed {today.day} {today:%B %Y}."
    for url in ["/report/", *_published_item_urls()]:
        citation = _cite_this(get_page(client, url))
        bibtex = _get_bibtex(client, url)
        [entry] = _bibtex(bibtex).values()
        [parsed] = pybtex.database.parse_string(bibtex.getvalue().decode(), "bibtex").entries.values()
        bibtex_authors = [latex_to_unicode(str(person)) for person in parsed.persons["author"]]
        [record] = _ris(_get_ris(client, url))
        # The same authors in the same order (a named author first, then UN DESA), title,
        # container, year and permalink.
        assert bibtex_authors == record["authors"] == [*(["Fox, Jonathan"] if FOX_SLUG in url else []), UN_DESA]
        title = latex_to_unicode(entry["title"])
        assert title == record["title"], url
        assert entry["year"] == record["year"] == "2023"
        assert [entry["url"]] == record["urls"] == [f"http://testserver{url}"]
        cited_as = f"{'; '.join(record['authors'])} ({record['year']}). "
        if url == "/report/":
            assert citation == f"{cited_as}{title}. {entry['url']}.{accessed}"
            continue
        assert latex_to_unicode(entry["booktitle"]) == record["secondary_title"] == FULL_TITLE
        where = f"In {record['secondary_title']}" + (f", chapter {entry['chapter']}" if "chapter" in entry else "")
        assert citation.startswith(f"{cited_as}“{title}”. {where}"), url
        assert citation.endswith(f" {entry['url']}.{accessed}"), url
        # Only suggestions sit in no chapter.
        assert ("chapter" in entry) == (not url.startswith("/suggestions/")), url


def test_report_page_says_how_to_cite_it_and_keeps_its_content(wpsr, client):
    text = visible_text(get_page(client, "/report/").getvalue())
    today = timezone.localdate()
    assert (
        f"Cite this {UN_DESA} (2023). {FULL_TITLE}. {REPORT_URL}. Accessed {today.day} {today:%B %Y}. "
        "Download the citation for a reference manager: BibTeX · RIS"
    ) in text
    for heading in ["The publication", "Verified facts", "The expert group meeting", "Named authors", "Sources"]:
        assert heading in text
    assert f"ISBN {ISBN} eISBN 9789213585023" in text


def test_bibtex_of_the_report_is_a_book_by_un_desa(wpsr, client):
    response = _get_bibtex(client, "/report/")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wpsr-2023.bib"'
    assert response.getvalue().decode() == (
        "@book{wpsr-2023,\n"
        f"  author = {{{UN_DESA_BIBTEX}}},\n"
        f"  title = {{{{{FULL_TITLE}}}}},\n"
        "  year = {2023},\n"
        f"  publisher = {{{PUBLISHER}}},\n"
        f"  isbn = {{{ISBN}}},\n"
        f"  url = {{{REPORT_URL}}},\n"
        "}\n\n"
    )


def test_ris_of_the_report_is_a_book_by_un_desa(wpsr, client):
    response = _get_ris(client, "/report/")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wpsr-2023.ris"'
    assert _ris(response) == [
        {
            "type_of_reference": "BOOK",
            "title": FULL_TITLE,
            "authors": [UN_DESA],
            "publisher": PUBLISHER,
            "year": "2023",
            "urls": [REPORT_URL],
            "issn": ISBN,
        }
    ]
    assert response.getvalue().decode().endswith(f"SN  - {ISBN}\r\nER  - \r\n\r\n")
