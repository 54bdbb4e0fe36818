"""`/search/`: every published kind, ranked, with excerpts, query syntax, facets and "did you mean"."""
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from taggit.models import Tag

from findings.models import Chapter, Finding, Report, Topic
from findings.search import index

from .factories import make_finding
from .html import get_page, links, results, results_count, visible_text, with_format

AI_FINDING = "/findings/ai-to-identify-corruption-in-procurement/"
AI_FINDING_TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
HEALTHCARE_FINDING = "/findings/innovations-in-healthcare-and-education/"
PANDEMIC_FINDING = "/findings/essential-role-in-furthering-innovation/"
DIGITAL_SERVICES_FINDING = "/findings/regulation-of-digital-services/"
DIGITAL_DIVIDES_FINDING = "/findings/technology-while-addressing-digital-divides/"


@pytest.fixture(autouse=True)
def _one_page_of_results(settings):
    """Every result on one page, so a test sees the whole result set."""
    settings.PORTAL_PAGE_SIZE = 100


def _search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def _urls(client, q, **params):
    return [result.url for result in results(_search(client, q=q, **params).getvalue())]


def _titles(client, q):
    return [result.title for result in results(_search(client, q=q).getvalue())]


def _json(client, url):
    return json.loads(get_page(client, with_format(url, "json")).getvalue())


def test_corruption_lists_the_procurement_finding_first(wpsr, client):
    found = results(_search(client, q="corruption").getvalue())
    assert (found[0].url, found[0].title) == (AI_FINDING, AI_FINDING_TEXT)


def test_a_plural_finds_the_singular(wpsr, client):
    titles = _titles(client, "innovations")
    assert "Innovations in healthcare, education" in titles
    assert "Essential role in furthering innovation during the pandemic" in titles


def test_a_quoted_phrase_needs_its_words_side_by_side(wpsr, client):
    assert _urls(client, '"digital services"') == [DIGITAL_SERVICES_FINDING]
    # Unquoted, an item with "digital" in its text and "services" in its topic matches too.
    apart = _urls(client, "digital services")
    assert DIGITAL_SERVICES_FINDING in apart and DIGITAL_DIVIDES_FINDING in apart


def test_a_minus_word_leaves_out_the_items_that_contain_it(wpsr, client):
    with_pandemic = _urls(client, "innovation")
    without = _urls(client, "innovation -pandemic")
    assert PANDEMIC_FINDING in with_pandemic and HEALTHCARE_FINDING in with_pandemic
    assert PANDEMIC_FINDING not in without and HEALTHCARE_FINDING in without
    pandemic_items = set(_urls(client, "pandemic"))
    assert set(without) == set(with_pandemic) - pandemic_items


def test_or_finds_items_with_either_word(wpsr, client):
    assert _urls(client, "corruption") == [AI_FINDING]
    assert _urls(client, "healthcare") == [HEALTHCARE_FINDING]
    assert sorted(_urls(client, "corruption OR healthcare")) == sorted([AI_FINDING, HEALTHCARE_FINDING])
    assert _urls(client, "corruption healthcare") == []


def test_a_result_shows_its_kind_a_highlighted_excerpt_its_tags_and_a_link(wpsr, client):
    response = _search(client, q="corruption")
    [result] = results(response.getvalue())
    assert result.text == f"Key finding {AI_FINDING_TEXT} Tags (editorial): AI Corruption Digital technology Procurement"
    html = response.getvalue().decode()
    assert (
        f'<a href="{AI_FINDING}">Help address development challenges (e.g. AI to identify <mark>corruption</mark>'
        " in procurement)</a>"
    ) in html
    assert "/findings/?tag=corruption" in links(response.getvalue())


def test_every_kind_is_searched(wpsr, client):
    kinds = {url.split("/")[1] for url in _urls(client, "innovation")}
    assert kinds == {"findings", "suggestions", "topics", "contributions", "chapters"}


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"kind": "suggestion"},
            {
                "/suggestions/consolidate-crisis-innovations/",
                "/suggestions/encourage-a-problem-solving-culture/",
                "/suggestions/prioritize-participatory-governance-and-citizen-oversight/",
            },
        ),
        (
            {"chapter": "chapter-1"},
            {
                "/contributions/gender-equality-in-public-administration/",
                "/contributions/communication-with-social-actors/",
                "/contributions/civic-space-and-the-covid-19-pandemic/",
            },
        ),
        (
            {"tag": "public-servants"},
            {
                PANDEMIC_FINDING,
                "/findings/surge-in-collaboration-and-unity/",
                "/suggestions/encourage-a-problem-solving-culture/",
                "/contributions/gender-equality-in-public-administration/",
            },
        ),
        (
            {"kind": ["finding", "contribution"], "tag": "public-servants"},
            {PANDEMIC_FINDING, "/findings/surge-in-collaboration-and-unity/", "/contributions/gender-equality-in-public-administration/"},
        ),
    ],
    ids=["kind", "chapter", "tag", "two-kinds-and-a-tag"],
)
def test_facets_narrow_the_search_results(wpsr, client, params, expected):
    response = _search(client, q="pandemic", **params)
    assert {result.url for result in results(response.getvalue())} == expected
    assert results_count(response.getvalue()) == len(expected)


@pytest.mark.parametrize("query", ["q=pandemic", "q=innovation", "q=innovation&kind=topic", "q=pandemic&tag=crisis-management"])
def test_every_search_facet_count_is_the_number_its_link_finds(wpsr, client, query):
    facets = _json(client, f"/search/?{query}")["facets"]
    assert set(facets) == {"kind", "tag", "chapter"}
    checked = 0
    for name, values in facets.items():
        for value in values:
            page = get_page(client, value["url"])
            found = results(page.getvalue())
            assert results_count(page.getvalue()) == len(found) == value["count"], (name, value)
            assert _json(client, value["url"])["count"] == value["count"]
            checked += 1
    assert checked >= 4


def test_kind_facet_counts_add_up_to_the_results(wpsr, client):
    data = _json(client, "/search/?q=pandemic")
    kinds = {value["value"]: value["count"] for value in data["facets"]["kind"]}
    assert kinds == {"finding": 3, "suggestion": 3, "contribution": 5}
    assert data["count"] == 11
    assert [value["label"] for value in data["facets"]["kind"]] == ["Expert contribution", "Key finding", "Suggestion"]


def test_empty_search_shows_the_form_and_suggested_tags(wpsr, client):
    response = _search(client)
    text = visible_text(response.getvalue())
    assert "Words to find" in text
    assert "Or start from a tag Digital technology (9) Crisis management (8) Public servants (7)" in text
    assert "/tags/digital-technology/" in links(response.getvalue())
    assert results(response.getvalue()) == []
    assert "Nothing matches" not in text


def test_a_query_of_only_excluded_words_asks_for_a_word(wpsr, client):
    response = _search(client, q="-pandemic")
    text = visible_text(response.getvalue())
    assert "Type at least one word to search for (excluded words alone match nothing)." in text
    assert results(response.getvalue()) == []
    assert "Or start from a tag" in text


def test_a_misspelling_suggests_the_word_and_the_suggestion_finds_it(wpsr, client):
    response = _search(client, q="corruptoin")
    text = visible_text(response.getvalue())
    assert "0 results match these filters" in text
    assert "Did you mean corruption?" in text
    assert "Nothing matches “corruptoin”." in text
    assert "/search/?q=corruption" in links(response.getvalue())

    followed = client.get("/search/?q=corruption")
    assert results(followed.getvalue())[0].url == AI_FINDING


def test_a_query_that_matches_is_not_second_guessed(wpsr, client):
    assert "Did you mean" not in visible_text(_search(client, q="corruption").getvalue())


def test_drafts_never_appear_in_results_or_facet_counts(wpsr, client):
    before = _json(client, "/search/?q=innovations")
    finding = Finding.objects.get(slug="innovations-in-healthcare-and-education")
    finding.status = "draft"
    finding.save()

    after = _json(client, "/search/?q=innovations")
    assert "http://testserver" + HEALTHCARE_FINDING not in [result["url"] for result in after["results"]]
    assert after["count"] == before["count"] - 1

    def counts(data, facet):
        return {value["value"]: value["count"] for value in data["facets"][facet]}

    assert counts(after, "kind")["finding"] == counts(before, "kind")["finding"] - 1
    assert counts(after, "chapter")["chapter-3"] == counts(before, "chapter")["chapter-3"] - 1
    assert counts(after, "tag")["health"] == counts(before, "tag")["health"] - 1
    assert counts(after, "tag")["education"] == counts(before, "tag")["education"] - 1
    assert HEALTHCARE_FINDING not in _urls(client, "healthcare")


def test_did_you_mean_never_suggests_a_word_only_a_draft_contains(wpsr, client):
    finding = make_finding(topic=Topic.objects.get(slug="digital-technology"), text="Xylophones for every ministry")
    assert "Did you mean xylophones?" in visible_text(_search(client, q="xylophonse").getvalue())
    finding.status = "draft"
    finding.save()

    response = _search(client, q="xylophonse")
    assert "Nothing matches “xylophonse”." in visible_text(response.getvalue())
    assert "Did you mean" not in visible_text(response.getvalue())
    assert results(_search(client, q="xylophones").getvalue()) == []


def test_a_draft_topic_hides_its_findings_from_search(wpsr, client):
    topic = Topic.objects.get(slug="digital-technology")
    topic.status = "draft"
    topic.save()
    response = _search(client, q="corruption")
    assert results(response.getvalue()) == []
    assert "Nothing matches “corruption”." in visible_text(response.getvalue())
    assert _json(client, "/search/?q=corruption")["facets"] == {"kind": [], "tag": [], "chapter": []}


def _results_by_kind(client, q):
    counts = {value["value"]: value["count"] for value in _json(client, f"/search/?q={q}")["facets"]["kind"]}
    return {kind: counts.get(kind, 0) for kind in ("chapter", "contribution", "topic", "finding", "suggestion")}


def test_a_draft_chapter_hides_everything_under_it_and_republished_shows_it_again(wpsr, client):
    # "digital" is in chapter 3's findings, which sit under its topics (two levels down).
    before = _json(client, "/search/?q=digital")
    assert AI_FINDING in _urls(client, "corruption")
    chapter = Chapter.objects.get(number=3)
    chapter.status = "draft"
    chapter.save()

    hidden = _json(client, "/search/?q=digital")
    urls = [result["url"] for result in hidden["results"]]
    assert not [url for url in urls if url.startswith("http://testserver/findings/")]
    assert "chapter-3" not in [value["value"] for value in hidden["facets"]["chapter"]]
    assert hidden["count"] < before["count"]
    assert _urls(client, "corruption") == []

    chapter.status = "published"
    chapter.save()
    assert _json(client, "/search/?q=digital") == before


def test_a_draft_report_hides_every_result(wpsr, client):
    assert sum(_results_by_kind(client, "innovation").values()) > 0
    report = Report.objects.get()
    report.status = "draft"
    report.save()
    assert _results_by_kind(client, "innovation") == dict.fromkeys(_results_by_kind(client, "innovation"), 0)
    response = _search(client, q="innovation")
    assert results(response.getvalue()) == []
    assert "Nothing matches “innovation”." in visible_text(response.getvalue())


def test_a_parent_unpublished_inside_a_bulk_change_hides_its_items_when_the_change_ends(wpsr, client):
    topic = Topic.objects.get(slug="digital-technology")
    with index.deferred():
        Chapter.objects.get(pk=topic.chapter_id).save()  # unchanged: nothing to hide
        topic.status = "draft"
        topic.save()
    assert _urls(client, "corruption") == []
    assert _json(client, "/search/?q=corruption")["facets"]["tag"] == []


HOSTILE = [
    "x" * 5000,
    '"abc',
    "-",
    "OR OR",
    "NEAR(corruption",
    "*",
    "^",
    "corrupt*",
    "col:word",
    "title:corruption",
    "AND NOT",
    "( )",
    "'",
    "\\",
    "!:&|",
    '<script>alert("x")</script>',
    "<b>corruption</b>",
    "🙂 corruption",
    "%_",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail_and_come_back_escaped(wpsr, client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = response.getvalue().decode()
    shown = q.strip()[:200]
    assert f'name="q" value="{escape(shown)}"' in html
    if "<" in q:
        assert q not in html
    assert client.get("/search/", {"q": q, "format": "json"}).status_code == 200


def test_html_in_a_query_is_shown_as_text_not_markup(wpsr, client):
    response = _search(client, q="<b>corruption</b>")
    assert "“<b>corruption</b>”" in visible_text(response.getvalue())
    assert "<b>corruption" not in response.getvalue().decode()


@pytest.mark.parametrize("query", ["q=%00", "q=corruption%00", "q=corruption&tag=%00"])
def test_a_nul_character_is_a_bad_request(wpsr, client, query):
    response = client.get(f"/search/?{query}")
    assert response.status_code == 400
    assert "Bad request" in visible_text(response.getvalue())


# The same answers on SQLite and PostgreSQL (CI runs this file on both).


def test_common_words_are_left_out_and_the_page_says_which(wpsr, client):
    response = _search(client, q="the digital and services")
    assert _urls(client, "the digital and services") == _urls(client, "digital services")
    assert "Left out as too common to search for: “the”, “and”." in visible_text(response.getvalue())


def test_a_search_of_common_words_alone_finds_nothing_and_says_why(wpsr, client):
    text = visible_text(_search(client, q="the and").getvalue())
    assert "Left out as too common to search for: “the”, “and”." in text
    assert "Type at least one word to search for" in text
    assert results(_search(client, q="the and").getvalue()) == []


def test_or_with_an_excluded_word_excludes_it_from_every_alternative(wpsr, client):
    either = set(_urls(client, "digital")) | set(_urls(client, "health"))
    excluded = set(_urls(client, "technology"))
    found = set(_urls(client, "digital OR health -technology"))
    assert found == either - excluded
    assert found and excluded & either  # the exclusion really removes something


def test_and_binds_before_or(wpsr, client):
    both = set(_urls(client, "digital divides"))
    found = set(_urls(client, "digital divides OR corruption"))
    assert found == both | set(_urls(client, "corruption"))
    assert DIGITAL_DIVIDES_FINDING in found and AI_FINDING in found


def test_a_typo_gets_the_same_correction_on_every_database(wpsr, client):
    text = visible_text(_search(client, q="corruptoin procurment").getvalue())
    assert "Did you mean corruption procurement?" in text


def test_a_hit_found_through_its_topic_or_tags_says_so(wpsr, client):
    # "Hybrid service delivery models" names neither word; its topic is "Technology-driven service delivery".
    response = _search(client, q="technology-driven")
    found = {result.url: result for result in results(response.getvalue())}
    hybrid = found["/findings/hybrid-service-delivery-models/"]
    assert "Found through its topic, chapter or tags: Technology-driven service delivery" in hybrid.text
    html = response.getvalue().decode().split('href="/findings/hybrid-service-delivery-models/"')[1].split("</li>")[0]
    assert 'Found through its topic, chapter or tags: <span lang="en" dir="ltr"><mark>Technology' in html


@pytest.mark.parametrize("narrowed", ["kind=finding", "tag=digital-technology", "chapter=chapter-3"])
def test_a_search_narrowed_by_a_facet_does_not_send_its_matches_back_to_the_database(wpsr, client, narrowed):
    # A list with a small chosen set reads its results' ids once and queries by them; search,
    # whose words can match any number of rows, counts and ranks them where they are: no query
    # lists more ids than a page shows.
    topic, tag = Topic.objects.get(slug="digital-technology"), Tag.objects.get(slug="digital-technology")
    with index.deferred():
        for n in range(25):
            make_finding(topic=topic, tags=[tag], text=f"Xylophones for ministry {n}")
    with CaptureQueriesContext(connection) as queries:
        page = _json(client, f"/search/?q=xylophones&per_page=10&{narrowed}")
    assert page["count"] == 25
    assert len(page["results"]) == 10
    listed = [len(ids.split(",")) for query in queries for ids in re.findall(r" IN \(([\d, ]+)\)", query["sql"])]
    assert max(listed, default=0) <= 10
