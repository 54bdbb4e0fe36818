"""Facets on the list pages: every count is what its link finds, in HTML, JSON and CSV alike."""
import csv
import io
import json
import re
from html import unescape

import pytest

from findings.models import Chapter, Topic

from .html import get_page, result_urls, results_count, visible_text, with_format

SERVER = "http://testserver"

# For each list: its plain state and filtered states (one tag; two tags; any of two tags;
# another facet with a tag; words with a tag).
STATES = {
    "/findings/": [
        "",
        "tag=digital-technology",
        "tag=digital-technology&tag=regulation",
        "match=any&tag=digital-technology&tag=regulation",
        "topic=digital-technology&tag=data",
        "q=pandemic&tag=public-servants",
        "suggestion=consolidate-crisis-innovations&contribution=innovative-multilevel-coordination-and-preparedness",
    ],
    "/suggestions/": [
        "",
        "tag=resilience",
        "tag=resilience&tag=crisis-management",
        "match=any&tag=resilience&tag=collaboration",
        "topic=resilient-institutional-mechanisms&tag=resilience",
        "q=innovation&tag=crisis-management",
    ],
    "/contributions/": [
        "",
        "tag=participation",
        "tag=participation&tag=civil-society",
        "match=any&tag=crisis-management&tag=sdgs",
        "topic=multilevel-governance&tag=crisis-management",
        "q=pandemic&tag=participation",
    ],
    "/topics/": [
        "",
        "tag=digital-technology",
        "tag=digital-technology&tag=regulation",
        "match=any&tag=health&tag=ai",
        "dimension=interface-with-citizens&tag=digital-technology",
        "q=service&tag=digital-technology",
    ],
}
CASES = [(path, query) for path, queries in STATES.items() for query in queries]
PLAIN_COUNTS = {"/findings/": 18, "/suggestions/": 6, "/contributions/": 13, "/topics/": 7}


@pytest.fixture(autouse=True)
def _one_page_of_results(settings):
    """Every result on one page, so the HTML shows the whole result set."""
    settings.PORTAL_PAGE_SIZE = 100


def _json(client, url):
    return json.loads(get_page(client, with_format(url, "json")).getvalue())


def _csv_urls(client, url):
    response = get_page(client, with_format(url, "csv"))
    return [row["url"] for row in csv.DictReader(io.StringIO(response.getvalue().decode("utf-8")))]


def _chips(response):
    """The removable "Filtered by" entries: (text, link)."""
    html = response.getvalue().decode()
    return [
        (visible_text(text), unescape(href))
        for href, text in re.findall(r'<a class="filter-chip" href="([^"]*)">(.*?)</a>', html)
    ]


def _slugs(response):
    return {url.rstrip("/").rsplit("/", 1)[1] for url in result_urls(response.getvalue())}


@pytest.mark.parametrize("path, query", CASES, ids=[f"{path}?{query}" for path, query in CASES])
def test_every_facet_count_is_what_its_link_finds_in_html_json_and_csv(wpsr, client, path, query):
    url = f"{path}?{query}" if query else path
    page = get_page(client, url)
    facets = _json(client, url)["facets"]
    html = page.getvalue().decode()
    checked = 0
    for name, values in facets.items():
        for value in values:
            # The form shows the value with its count, checked when chosen.
            assert f'{value["label"]} <span class="count">({value["count"]})</span>' in html, value
            target = get_page(client, value["url"])
            shown = [SERVER + link for link in result_urls(target.getvalue())]
            assert results_count(target.getvalue()) == len(shown) == value["count"], (name, value)
            data = _json(client, value["url"])
            assert data["count"] == value["count"], (name, value)
            assert [result["url"] for result in data["results"]] == shown, (name, value)
            assert _csv_urls(client, value["url"]) == shown, (name, value)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("path, query", [case for case in CASES if case[1]], ids=[f"{p}?{q}" for p, q in CASES if q])
def test_a_small_result_read_once_gives_the_same_page_as_counting_in_subqueries(wpsr, client, monkeypatch, path, query):
    # Lists whose smallest chosen set is small read their results' ids once; larger ones count
    # in subqueries. Both ways give the same results, counts and facets.
    from django.core.cache import cache

    from findings import facets

    url = f"{path}?{query}"
    read_once = _json(client, url)
    cache.clear()
    monkeypatch.setattr(facets, "SMALL_RESULTS", 0)
    assert _json(client, url) == read_once
    assert read_once["count"] > 0


def test_a_facet_link_is_the_html_address_of_that_filter(wpsr, client):
    facets = _json(client, "/findings/?tag=digital-technology")["facets"]
    regulation = next(value for value in facets["tag"] if value["value"] == "regulation")
    assert regulation == {
        "value": "regulation",
        "label": "Regulation",
        "count": 1,
        "url": f"{SERVER}/findings/?tag=digital-technology&tag=regulation",
    }
    topics = {value["value"]: value["count"] for value in facets["topic"]}
    assert topics == {"digital-technology": 3, "technology-driven-service-delivery": 2}


def test_chosen_values_are_checked_in_the_form(wpsr, client):
    html = get_page(client, "/findings/?tag=digital-technology&topic=digital-technology").getvalue().decode()
    checked = re.findall(r'<input type="checkbox" id="[^"]+" name="(\w+)" value="([^"]+)" checked>', html)
    assert sorted(checked) == [("tag", "digital-technology"), ("topic", "digital-technology")]


def test_two_tags_require_both(wpsr, client):
    findings = get_page(client, "/findings/?tag=digital-technology&tag=regulation")
    assert _slugs(findings) == {"regulation-of-digital-services"}
    contributions = get_page(client, "/contributions/?tag=participation&tag=civil-society")
    assert _slugs(contributions) == {
        "governance-reform-and-public-service-provision",
        "civic-space-and-the-covid-19-pandemic",
    }
    assert _slugs(get_page(client, "/topics/?tag=health&tag=ai")) == set()


def test_match_any_gives_the_items_with_either_tag(wpsr, client):
    findings = get_page(client, "/findings/?match=any&tag=digital-technology&tag=regulation")
    assert _slugs(findings) == {
        "ai-to-identify-corruption-in-procurement",
        "data-to-inform-decision-making",
        "technology-is-not-a-solution-in-itself",
        "technology-while-addressing-digital-divides",
        "regulation-of-digital-services",
        "from-policies-to-delivery-mechanisms",
    }
    assert "6 findings match these filters" in visible_text(findings.getvalue())
    topics = get_page(client, "/topics/?match=any&tag=health&tag=ai")
    assert _slugs(topics) == {"digital-technology", "inclusive-service-delivery"}


def test_values_of_one_facet_are_alternatives_and_facets_combine(wpsr, client):
    either_topic = get_page(client, "/findings/?topic=digital-technology&topic=multilevel-governance")
    assert _slugs(either_topic) == {
        "ai-to-identify-corruption-in-procurement",
        "data-to-inform-decision-making",
        "technology-is-not-a-solution-in-itself",
        "subnational-response-to-crises",
        "crisis-management-avoid-fragmentation",
        "integrating-isolated-local-innovations",
    }
    with_tag = get_page(client, "/findings/?topic=digital-technology&topic=multilevel-governance&tag=crisis-management")
    assert _slugs(with_tag) == {"subnational-response-to-crises", "crisis-management-avoid-fragmentation"}
    any_tag_in_a_topic = get_page(client, "/findings/?match=any&tag=ai&tag=regulation&topic=technology-driven-service-delivery")
    assert _slugs(any_tag_in_a_topic) == {"regulation-of-digital-services"}


def test_words_narrow_a_list(wpsr, client):
    findings = get_page(client, "/findings/?q=pandemic")
    assert _slugs(findings) == {
        "essential-role-in-furthering-innovation",
        "surge-in-collaboration-and-unity",
        "data-to-inform-decision-making",
    }
    assert _slugs(get_page(client, "/findings/?q=pandemic&tag=data")) == {"data-to-inform-decision-making"}


FILTERED = "/findings/?q=digital&tag=digital-technology&tag=regulation&topic=technology-driven-service-delivery&sort=title"


def test_chosen_values_are_listed_and_each_can_be_removed(wpsr, client):
    page = get_page(client, FILTERED)
    assert "Filtered by Remove words “digital” × Remove tag Digital technology × Remove tag Regulation × " \
        "Remove topic Technology-driven service delivery × Clear all filters" in visible_text(page.getvalue())
    chips = _chips(page)
    assert [text for text, _ in chips] == [
        "Remove words “digital” ×",
        "Remove tag Digital technology ×",
        "Remove tag Regulation ×",
        "Remove topic Technology-driven service delivery ×",
    ]
    for text, href in chips:
        after = [chip for chip, _ in _chips(get_page(client, href))]
        assert after == [other for other, _ in chips if other != text]
        assert "sort=title" in href


def test_removing_a_value_widens_the_result(wpsr, client):
    page = get_page(client, "/findings/?tag=digital-technology&tag=regulation")
    chips = dict(_chips(page))
    without_regulation = get_page(client, chips["Remove tag Regulation ×"])
    assert results_count(without_regulation.getvalue()) == 5
    assert "5 findings match these filters" in visible_text(without_regulation.getvalue())


def test_clear_all_filters_goes_back_to_the_whole_list_keeping_the_sort(wpsr, client):
    page = get_page(client, FILTERED)
    hrefs = [unescape(href) for href in re.findall(r'<a href="([^"]*)">Clear all filters</a>', page.getvalue().decode())]
    assert hrefs == ["/findings/?sort=title"]
    cleared = get_page(client, hrefs[0])
    text = visible_text(cleared.getvalue())
    assert "18 findings" in text and "match these filters" not in text
    assert "Filtered by" not in text and "Clear all filters" not in text
    assert results_count(cleared.getvalue()) == len(result_urls(cleared.getvalue())) == 18


LISTS = list(PLAIN_COUNTS)
BAD = [
    ("sort=nope", "Ignored sort=“nope”: Select a valid choice. nope is not one of the available choices."),
    ("match=maybe", "Ignored match=“maybe”: Select a valid choice. maybe is not one of the available choices."),
    ("per_page=5", "Ignored per_page=“5”: Ensure this value is greater than or equal to 10."),
    ("per_page=1000", "Ignored per_page=“1000”: Ensure this value is less than or equal to 100."),
    ("page=-1", "Ignored page=“-1”: Ensure this value is greater than or equal to 1."),
    ("page=abc", "Ignored page=“abc”: Enter a whole number."),
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query, message", BAD, ids=[query for query, _ in BAD])
def test_bad_values_are_ignored_with_a_message(wpsr, client, path, query, message):
    response = get_page(client, f"{path}?{query}")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    text = visible_text(response.getvalue())
    assert message in text
    assert results_count(response.getvalue()) == len(result_urls(response.getvalue())) == PLAIN_COUNTS[path]


# Every page that can be had in other formats, and one that comes in HTML only.
FORMAT_PAGES = [
    ("/", []),
    ("/chapters/", ["html", "csv", "json", "atom", "bibtex", "ris", "pdf"]),
    ("/findings/", ["html", "csv", "json", "atom", "bibtex", "ris", "pdf"]),
    ("/search/?q=data", ["html", "csv", "json", "atom", "bibtex", "ris", "pdf"]),
    ("/findings/ai-to-identify-corruption-in-procurement/", ["html", "json", "bibtex", "ris", "pdf"]),
    ("/map/", ["html", "pdf"]),
    ("/tags/", ["html", "json"]),
    ("/tags/digital-technology/", ["html", "json"]),
]


@pytest.mark.parametrize("url, offered", FORMAT_PAGES, ids=[url for url, _ in FORMAT_PAGES])
def test_a_format_a_page_does_not_come_in_is_a_bad_request_that_names_the_others(wpsr, client, url, offered):
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}format=exe")
    assert response.status_code == 400
    text = visible_text(response.getvalue())
    assert "This page is not available in that format" in text
    assert "You asked for this page as “exe”, which it does not come in." in text
    shown = re.findall(r'<li><a href="([^"]*)">', response.getvalue().decode().split("It is available as:")[1])
    assert len(shown) == max(len(offered), 1)
    for href, fmt in zip(shown[1:], offered[1:], strict=True):
        assert client.get(unescape(href)).status_code == 200, fmt
        assert f"format={fmt}" in href


@pytest.mark.parametrize("path", ["/findings/", "/suggestions/", "/contributions/"])
def test_a_value_that_is_not_a_slug_is_ignored_and_shown_escaped(wpsr, client, path):
    response = get_page(client, f"{path}?topic=<script>")
    assert "Ignored topic=“<script>”: not a valid topic." in visible_text(response.getvalue())
    html = response.getvalue().decode()
    assert "<script>" not in html and "“&lt;script&gt;”" in html
    assert results_count(response.getvalue()) == PLAIN_COUNTS[path]


@pytest.mark.parametrize("path", ["/findings/", "/contributions/", "/topics/"])
def test_fifty_values_of_a_facet_are_cut_to_ten_with_a_message(wpsr, client, path):
    query = "&".join(f"chapter=chapter-{n}" for n in range(1, 51))
    response = get_page(client, f"{path}?{query}")
    text = visible_text(response.getvalue())
    assert "Ignored 40 of the 50 chapter values: at most 10 are used." in text
    assert "There is no chapter “chapter-4”, so nothing matches it." in text
    assert "There is no chapter “chapter-11”" not in text
    # Chapters 1 to 3 are among the ten used, and every item sits in one of them.
    assert results_count(response.getvalue()) == PLAIN_COUNTS[path]


def test_a_facet_shows_its_most_frequent_values_and_counts_the_rest(db, client):
    from findings.facets import FACET_SIZE

    from .factories import make_finding, make_topic

    topic = make_topic()
    # Tag n is on n findings: the least frequent ones are left out first.
    names = [f"Tag {n:02d}" for n in range(1, FACET_SIZE + 11)]
    for n in range(1, len(names) + 1):
        make_finding(topic=topic, tags=names[-n:])
    text = visible_text(client.get("/findings/").getvalue())
    assert f"Tag {FACET_SIZE + 10} ({FACET_SIZE + 10})" in text
    assert "Tag 11 (11)" in text
    assert "Tag 10 (10)" not in text
    assert "and 10 less frequent values" in text

    # A chosen value shows however rare it is, with its exact count.
    chosen = visible_text(client.get("/findings/?tag=tag-01").getvalue())
    assert "Tag 01 (1)" in chosen
    assert "1 finding" in chosen


@pytest.mark.parametrize("facet, value, model", [("topic", "digital-technology", Topic), ("chapter", "chapter-3", Chapter)])
def test_a_chosen_value_no_other_result_carries_keeps_its_label(wpsr, client, facet, value, model):
    # Narrowed by a tag too, the facet's other values are counted without the chosen one: its
    # label comes from the values kept for the counts, or from the database when none gives it.
    values = _json(client, f"/findings/?tag=digital-technology&{facet}={value}")["facets"][facet]
    chosen = next(entry for entry in values if entry["value"] == value)
    label = model.objects.get(slug=value)
    assert chosen["label"] == (label.title if model is Topic else f"Chapter {label.number}")
