"""Citations: the plain text a reader pastes, and BibTeX and RIS files reference managers read."""
import datetime

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode

from findings import formats
from findings.citations import citation_text
from findings.models import Chapter, Contribution, Finding, Suggestion, Topic

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


def _findings():
    return Finding.objects.published().for_listing()


def _contributions():
    return Contribution.objects.published().for_listing()


def _bibtex(response):
    """Entries by key, each field's value as written between its outer braces."""
    parser = BibTexParser(common_strings=True)
    return {entry["ID"]: entry for entry in bibtexparser.loads(response.content.decode(), parser).entries}


def _ris(response):
    return rispy.loads(response.content.decode())


def test_citation_of_a_finding_reads_as_a_reader_pastes_it(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    assert citation_text(finding, rf.get("/"), ACCESSED) == (
        "United Nations Department of Economic and Social Affairs (2023). "
        f"“{AI_FINDING_TEXT}”. "
        f"In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} "
        f"http://testserver/findings/{AI_FINDING}/. Accessed 5 March 2025."
    )


def test_citation_of_a_contribution_names_its_author(wpsr, rf):
    contribution = _contributions().get(slug=FOX_SLUG)
    assert citation_text(contribution, rf.get("/"), ACCESSED) == (
        f"Fox, Jonathan (2023). “{FOX_TITLE}”. In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} "
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


def test_bibtex_entry_of_a_finding_is_a_misc_with_the_report_details(wpsr, rf):
    response = bibtex_response(_findings().filter(slug=AI_FINDING), rf.get("/findings/"), "key-findings")

    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="key-findings.bib"'
    url = f"http://testserver/findings/{AI_FINDING}/"
    assert _bibtex(response) == {
        f"wpsr-2023-finding-{AI_FINDING}": {
            "ENTRYTYPE": "misc",
            "ID": f"wpsr-2023-finding-{AI_FINDING}",
            # Braced once more, so that styles which recase titles keep "AI" as it is.
            "title": f"{{{AI_FINDING_TEXT}}}",
            "howpublished": f"\\url{{{url}}}",
            "url": url,
            "year": "2023",
            "publisher": PUBLISHER,
            "isbn": ISBN,
            "note": f"Key finding, chapter 3: {CHAPTER_3_QUESTION}",
            "keywords": "AI, Corruption, Digital technology, Procurement",
        }
    }


def test_bibtex_entry_of_a_contribution_is_an_incollection_by_its_author(wpsr, rf):
    response = bibtex_response(_contributions().filter(slug=FOX_SLUG), rf.get("/contributions/"))
    assert _bibtex(response) == {
        f"wpsr-2023-contribution-{FOX_SLUG}": {
            "ENTRYTYPE": "incollection",
            "ID": f"wpsr-2023-contribution-{FOX_SLUG}",
            "author": "Fox, Jonathan",
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
    text = response.content.decode()
    assert (
        r'  title = {{a\textbackslash{}b \{c\} \& \% \$ \# \_ \textasciitilde{} \textasciicircum{} {"}d{"}}},'
        in text
    )
    assert len(_bibtex(response)) == 1  # the braces still balance


@pytest.mark.parametrize("respond", [bibtex_response, ris_response], ids=["bibtex", "ris"])
@pytest.mark.parametrize("extra", [0, 20])
def test_citation_downloads_read_related_rows_once(wpsr, rf, django_assert_num_queries, respond, extra):
    add_contributions_with_authors(extra)
    # The contributions with chapter and source, their tags, their authors, the report (once).
    with django_assert_num_queries(4):
        response = respond(_contributions(), rf.get("/contributions/"), "contributions")
    assert response.content.decode().count("/contributions/") == 13 + extra


def test_ris_record_of_a_contribution_names_its_author(wpsr, rf):
    response = ris_response(_contributions().filter(slug=FOX_SLUG), rf.get("/contributions/"), "c")

    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="c.ris"'
    assert _ris(response) == [
        {
            "type_of_reference": "CHAP",
            "title": FOX_TITLE,
            "secondary_title": FULL_TITLE,
            "authors": ["Fox, Jonathan"],
            "publisher": PUBLISHER,
            "year": "2023",
            "urls": [f"http://testserver/contributions/{FOX_SLUG}/"],
            "issn": ISBN,  # rispy names the SN tag "issn"; it holds the ISBN here
            "keywords": ["Accountability", "Civil society", "Participation", "Resilience"],
            "notes": [f"Expert contribution, chapter 3: {CHAPTER_3_QUESTION}"],
        }
    ]


def test_ris_records_of_findings_are_generic_and_published_by_un_desa(wpsr, rf):
    records = _ris(ris_response(_findings(), rf.get("/findings/")))
    assert len(records) == 18
    record = next(record for record in records if record["title"] == AI_FINDING_TEXT)
    assert record["type_of_reference"] == "GEN"
    assert "authors" not in record
    assert record["publisher"] == PUBLISHER
    assert record["urls"] == [f"http://testserver/findings/{AI_FINDING}/"]
    assert record["keywords"] == ["AI", "Corruption", "Digital technology", "Procurement"]


def test_ris_lines_end_with_crlf_and_records_with_er(wpsr, rf):
    text = ris_response(_findings()[:2], rf.get("/findings/")).content.decode()
    assert text.startswith("TY  - GEN\r\nTI  - ")
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
