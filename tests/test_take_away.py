"""Taking a filtered list away: CSV, JSON, Atom, BibTeX and RIS hold exactly what the page shows;
detail pages say how to cite them and lead on to related and neighbouring items."""
import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from html import unescape
from urllib.parse import urljoin

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from django.utils import timezone

from findings.exports import CSV_COLUMNS
from findings.kinds import KINDS
from findings.models import Finding

from .html import get_page, head_links, result_urls, results_count, visible_text, with_format

SERVER = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
AI_FINDING = "/findings/ai-to-identify-corruption-in-procurement/"
AI_FINDING_TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
FULL_TITLE = (
    "World Public Sector Report 2023: Transforming institutions to achieve the Sustainable Development Goals "
    "after the pandemic"
)
CHAPTER_3_QUESTION = (
    "What assets and innovations could Governments mobilize to transform the public sector and achieve the SDGs?"
)
FOX = "/contributions/governance-reform-and-public-service-provision/"
FOX_TITLE = "Governance reform and public service provision: institutional resilience and State-society synergy"
FOX_LINK = (
    "https://accountabilityresearch.org/publication/"
    "governance-reform-and-public-service-provision-institutional-resilience-and-state-society-synergy/"
)
FOX_SUMMARY = (
    "Reviews institutionally resilient participatory oversight reforms in four countries. "
    "Relates to SDG targets 16.6 and 16.7."
)
UN_DESA = "United Nations Department of Economic and Social Affairs"

# Lists and searches long enough to need several pages of three.
MULTI_PAGE = [
    "/findings/?tag=digital-technology",
    "/findings/?match=any&tag=digital-technology&tag=regulation",
    "/contributions/?chapter=chapter-1",
    "/topics/?dimension=internal-ways-of-working&q=innovation",
    "/search/?q=pandemic",
    "/search/?q=innovation&kind=finding&kind=suggestion",
]
DIGITAL_TECHNOLOGY_FINDINGS = "/findings/?tag=digital-technology&topic=digital-technology"
DIGITAL_TECHNOLOGY_SLUGS = [
    "ai-to-identify-corruption-in-procurement",
    "data-to-inform-decision-making",
    "technology-is-not-a-solution-in-itself",
]


@pytest.fixture(autouse=True)
def _pages_of_three(settings):
    settings.PORTAL_PAGE_SIZE = 3


def _html_result_urls(client, url):
    """Every result of every HTML page, following the "Next" links; and how many pages there were."""
    found, pages = [], 0
    while url:
        response = get_page(client, url)
        pages += 1
        found += [SERVER + link for link in result_urls(response.getvalue())]
        following = re.findall(r'<a href="([^"]*)" rel="next">', response.getvalue().decode())
        url = urljoin(url, unescape(following[0])) if following else None
    return found, pages


def _json_result_urls(client, url):
    found, following = [], with_format(url, "json")
    while following:
        data = json.loads(get_page(client, following).getvalue())
        found += [result["url"] for result in data["results"]]
        following = data["next"]
    return found, data["count"]


def _csv_rows(client, url):
    response = get_page(client, with_format(url, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.getvalue().startswith("\ufeffid,".encode())  # a byte-order mark, so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _atom(client, url):
    response = get_page(client, url)
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.getvalue())


def _bibtex(response):
    return bibtexparser.loads(response.getvalue().decode(), BibTexParser(common_strings=True)).entries


@pytest.mark.parametrize("url", MULTI_PAGE)
def test_csv_and_json_hold_exactly_the_results_of_every_html_page(wpsr, client, url):
    shown, pages = _html_result_urls(client, url)
    assert pages >= 2, "the case should need several pages"
    assert len(shown) == len(set(shown)) == results_count(get_page(client, url).getvalue())

    rows = _csv_rows(client, url)
    assert rows[0] == CSV_COLUMNS
    assert [row[CSV_COLUMNS.index("url")] for row in rows[1:]] == shown

    json_urls, count = _json_result_urls(client, url)
    assert json_urls == shown and count == len(shown)


def test_csv_of_a_filtered_list_describes_each_item(wpsr, client):
    rows = _csv_rows(client, DIGITAL_TECHNOLOGY_FINDINGS)
    assert rows[1] == [
        "finding:ai-to-identify-corruption-in-procurement",
        "finding",
        AI_FINDING_TEXT,
        SERVER + AI_FINDING,
        "AI; Corruption; Digital technology; Procurement",
        f"Digital technology; Chapter 3: {CHAPTER_3_QUESTION}",
        f"{SERVER}/topics/digital-technology/; {SERVER}/chapters/chapter-3/",
        "Innovation in public administration: learning from the COVID-19 period "
        "(UN DESA slide deck presenting WPSR 2023 chapter 3)",
        "",
        "", "", "", "",  # authors, publication date, external link and summary: a finding has none
    ]
    assert len(rows) == 1 + 3


CONTRIBUTION_DETAILS = ["authors", "publication_date", "external_url", "summary"]
UNKNOWN_AUTHORS = "rethinking-the-model-of-operation-after-covid-19"


def test_csv_of_contributions_carries_authors_date_link_and_summary(wpsr, client):
    header, *rows = _csv_rows(client, "/contributions/?chapter=chapter-3")
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    fox = by_id["contribution:governance-reform-and-public-service-provision"]
    assert [fox[column] for column in CONTRIBUTION_DETAILS] == ["Jonathan Fox", "October 2023", FOX_LINK, FOX_SUMMARY]
    # Nothing is known of this one: empty cells, as for a kind without these fields.
    unknown = by_id[f"contribution:{UNKNOWN_AUTHORS}"]
    assert [unknown[column] for column in CONTRIBUTION_DETAILS] == ["", "", "", ""]


def test_json_of_contributions_carries_authors_date_link_and_summary(wpsr, client):
    data = json.loads(get_page(client, "/contributions/?chapter=chapter-3&format=json").getvalue())
    by_id = {result["id"]: result for result in data["results"]}
    fox = by_id["contribution:governance-reform-and-public-service-provision"]
    assert [fox[key] for key in CONTRIBUTION_DETAILS] == [["Jonathan Fox"], "October 2023", FOX_LINK, FOX_SUMMARY]
    assert [by_id[f"contribution:{UNKNOWN_AUTHORS}"][key] for key in CONTRIBUTION_DETAILS] == [[], None, None, None]
    # A finding has no such fields: null.
    finding = json.loads(get_page(client, "/findings/?format=json").getvalue())["results"][0]
    assert [finding[key] for key in CONTRIBUTION_DETAILS] == [None, None, None, None]


def test_atom_feed_of_a_filtered_list_holds_only_its_items_and_names_the_filters(wpsr, client):
    feed = _atom(client, with_format(DIGITAL_TECHNOLOGY_FINDINGS, "atom"))
    assert feed.findtext(f"{ATOM}title") == "Key findings – WPSR 2023 (tag: Digital technology; topic: Digital technology)"
    entries = [entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")]
    assert entries == [f"{SERVER}/findings/{slug}/" for slug in DIGITAL_TECHNOLOGY_SLUGS]
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == SERVER + DIGITAL_TECHNOLOGY_FINDINGS


def test_list_page_links_its_feed_in_the_head(wpsr, client):
    page = get_page(client, DIGITAL_TECHNOLOGY_FINDINGS)
    [feed_link] = [link for link in head_links(page.getvalue()) if link.get("type") == "application/atom+xml"]
    assert feed_link["rel"] == "alternate"
    assert feed_link["title"] == "Key findings – WPSR 2023 (tag: Digital technology; topic: Digital technology)"
    assert feed_link["href"] == with_format(DIGITAL_TECHNOLOGY_FINDINGS, "atom")
    feed = _atom(client, feed_link["href"])
    assert feed.findtext(f"{ATOM}title") == feed_link["title"]


def test_plain_list_feed_has_the_list_title_alone(wpsr, client):
    page = get_page(client, "/contributions/")
    [feed_link] = [link for link in head_links(page.getvalue()) if link.get("type") == "application/atom+xml"]
    assert feed_link["title"] == "Expert contributions – WPSR 2023"
    feed = _atom(client, feed_link["href"])
    assert len(feed.findall(f"{ATOM}entry")) == 13


def test_search_feed_names_the_words_and_facets_and_holds_the_results(wpsr, client):
    url = "/search/?q=pandemic&kind=suggestion"
    [feed_link] = [link for link in head_links(get_page(client, url).getvalue()) if link.get("type") == "application/atom+xml"]
    assert feed_link["title"] == "Search – WPSR 2023 (kind: Suggestion; search: “pandemic”)"
    feed = _atom(client, feed_link["href"])
    assert feed.findtext(f"{ATOM}title") == feed_link["title"]
    shown, _ = _html_result_urls(client, url)
    assert sorted(entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")) == sorted(shown)
    assert len(shown) == 3


@pytest.mark.parametrize("url", [DIGITAL_TECHNOLOGY_FINDINGS, "/search/?q=pandemic&kind=contribution"])
def test_bibtex_and_ris_of_a_filtered_list_hold_exactly_its_items(wpsr, client, url):
    shown, _ = _html_result_urls(client, url)
    entries = _bibtex(get_page(client, with_format(url, "bibtex")))
    assert [entry["url"] for entry in entries] == shown
    records = rispy.loads(get_page(client, with_format(url, "ris")).getvalue().decode())
    assert [record["urls"] for record in records] == [[item] for item in shown]


def test_bibtex_of_filtered_contributions_are_chapters_by_their_authors(wpsr, client):
    entries = _bibtex(get_page(client, "/contributions/?tag=participation&tag=civil-society&format=bibtex"))
    assert [(entry["ENTRYTYPE"], entry["url"]) for entry in entries] == [
        ("incollection", f"{SERVER}/contributions/civic-space-and-the-covid-19-pandemic/"),
        ("incollection", SERVER + FOX),
    ]
    # No author is known for the first: UN DESA alone, braced as one name.
    assert [entry["author"] for entry in entries] == [f"{{{UN_DESA}}}", f"Fox, Jonathan and {{{UN_DESA}}}"]


@pytest.mark.parametrize(
    "url, citation",
    [
        (
            AI_FINDING,
            f"{UN_DESA} (2023). "
            f"“{AI_FINDING_TEXT}”. In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} {SERVER}{AI_FINDING}.",
        ),
        (
            FOX,
            f"Fox, Jonathan; {UN_DESA} (2023). “{FOX_TITLE}”. In {FULL_TITLE}, chapter 3: {CHAPTER_3_QUESTION} "
            f"{SERVER}{FOX}.",
        ),
    ],
    ids=["finding", "contribution"],
)
def test_detail_page_says_how_to_cite_it_and_offers_bibtex_and_ris(wpsr, client, url, citation):
    page = get_page(client, url)
    today = timezone.localdate()
    text = visible_text(page.getvalue())
    assert f"Cite this {citation} Accessed {today.day} {today:%B %Y}." in text
    assert "Download the citation for a reference manager: BibTeX · RIS" in text

    [entry] = _bibtex(get_page(client, url + "?format=bibtex"))
    assert (entry["ENTRYTYPE"], entry["url"]) == ("incollection", SERVER + url)
    [record] = rispy.loads(get_page(client, url + "?format=ris").getvalue().decode())
    assert record["urls"] == [SERVER + url]
    assert (record["type_of_reference"], record["secondary_title"]) == ("CHAP", FULL_TITLE)


def _related(page):
    section = re.search(r'<section aria-labelledby="related-heading">(.*?)</section>', page.getvalue().decode(), re.S)
    return visible_text(section.group(1)) if section else None


def _neighbours(page):
    html = page.getvalue().decode()
    return [re.findall(rf'<a rel="{rel}" href="([^"]*)">', html) for rel in ("prev", "next")]


def test_related_findings_are_those_sharing_the_most_tags(wpsr, client):
    page = get_page(client, "/findings/subnational-response-to-crises/")
    assert _related(page) == (
        "Related key findings (sharing the most editorial tags) "
        "Crisis management – avoid the challenge of fragmentation (2 shared tags) "
        "integrating isolated innovative local experiences in multiscale governance approaches (1 shared tag)"
    )


def test_previous_and_next_stay_within_the_topic(wpsr, client):
    first, middle, last = (
        "/findings/subnational-response-to-crises/",
        "/findings/crisis-management-avoid-fragmentation/",
        "/findings/integrating-isolated-local-innovations/",
    )
    assert _neighbours(get_page(client, first)) == [[], [middle]]
    assert _neighbours(get_page(client, middle)) == [[first], [last]]
    # The next topic's first finding is not "next": it belongs to another topic.
    assert _neighbours(get_page(client, last)) == [[middle], []]
    assert "Previous Subnational response to crises - more agile & responsive?" in visible_text(get_page(client, middle).getvalue())


def test_related_and_neighbouring_items_leave_out_drafts(wpsr, client):
    finding = Finding.objects.get(slug="crisis-management-avoid-fragmentation")
    finding.status = "draft"
    finding.save()
    page = get_page(client, "/findings/subnational-response-to-crises/")
    assert _related(page) == (
        "Related key findings (sharing the most editorial tags) "
        "integrating isolated innovative local experiences in multiscale governance approaches (1 shared tag)"
    )
    assert _neighbours(page) == [[], ["/findings/integrating-isolated-local-innovations/"]]


def test_a_finding_without_shared_tags_lists_no_related_items(wpsr, client):
    # Its one tag, "Hybrid services", is on no other finding.
    assert _related(get_page(client, "/findings/hybrid-service-delivery-models/")) is None


def test_a_preview_under_a_draft_topic_leads_to_no_public_neighbours(wpsr, admin_client):
    # The finding is published, its topic is not: its siblings are not public either.
    finding = Finding.objects.get(slug="crisis-management-avoid-fragmentation")
    finding.topic.status = "draft"
    finding.topic.save()
    page = get_page(admin_client, "/findings/crisis-management-avoid-fragmentation/")
    assert "It is published, but it sits under an item that is not." in visible_text(page.getvalue())
    assert _neighbours(page) == [[], []]
    assert 'id="siblings-heading"' not in page.getvalue().decode()


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.parent], ids=lambda kind: kind.name)
def test_an_items_published_siblings_are_the_published_items_under_its_parent(wpsr, kind):
    """published_siblings() reads the parents' statuses from the loaded item rather than
    joining them: the same items as published() under that parent, whichever parent is a draft."""
    model = kind.model

    def siblings_both_ways():
        pairs = []
        for item in model.objects.for_detail():
            under = model.objects.published().filter(**{kind.parent: getattr(item, kind.parent)})
            pairs.append((list(model.objects.published_siblings(item)), list(under.order_by(*kind.order, "pk"))))
        return pairs

    everything = siblings_both_ways()
    assert all(read == joined for read, joined in everything)
    assert any(read for read, _ in everything)
    first = model.objects.first()
    for parent_path in model.public_parents:  # a draft at each level of the chain, the nearest first
        parent = first
        for name in parent_path.split("__"):
            parent = getattr(parent, name)
        type(parent).objects.filter(pk=parent.pk).update(status="draft")
        assert all(read == joined for read, joined in siblings_both_ways())
    assert not any(read for read, _ in siblings_both_ways())  # the report is a draft: nothing is public
