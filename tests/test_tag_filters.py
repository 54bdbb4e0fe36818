"""`?tag=` filters on the list pages, pagination, and hostile query strings."""
import pytest
from django.test import override_settings

from .factories import make_finding, make_topic
from .html import links, visible_text

LISTS = ["/findings/", "/topics/", "/suggestions/", "/contributions/"]


def test_one_tag_narrows_the_findings(wpsr, client):
    text = visible_text(client.get("/findings/?tag=data").getvalue())
    assert "1 finding matches these filters" in text
    assert "Access to and analysis of data to inform decision-making during the pandemic" in text
    assert "Essential role in furthering innovation" not in text


def test_two_tags_require_both(wpsr, client):
    digital = visible_text(client.get("/findings/?tag=digital-technology").getvalue())
    both = visible_text(client.get("/findings/?tag=digital-technology&tag=regulation").getvalue())
    assert "5 findings match these filters" in digital
    assert "1 finding matches these filters" in both
    assert "Regulation of digital services to protect the rights of users" in both
    assert "Covers all levels from policies, regulation" not in both  # regulation, but not digital


def test_active_filters_are_shown_and_each_can_be_removed(wpsr, client):
    response = client.get("/findings/?tag=digital-technology&tag=regulation")
    text = visible_text(response.getvalue())
    assert "Filtered by Remove tag Digital technology × Remove tag Regulation × Clear all filters" in text
    hrefs = links(response.getvalue())
    assert "/findings/?tag=regulation" in hrefs  # removes digital technology
    assert "/findings/?tag=digital-technology" in hrefs  # removes regulation
    assert "/findings/" in hrefs


def test_removing_the_last_filter_keeps_other_parameters(wpsr, client):
    hrefs = links(client.get("/findings/?tag=data&page=1&utm=x").getvalue())
    assert "/findings/?utm=x" in hrefs


def test_removing_the_only_filter_goes_back_to_the_plain_list(wpsr, client):
    html = client.get("/findings/?tag=data").getvalue().decode()
    assert '<a class="filter-chip" href="/findings/">' in html


@pytest.mark.parametrize("url", LISTS)
def test_unknown_tag_gives_an_empty_result_that_says_so(wpsr, client, url):
    response = client.get(url + "?tag=no-such-tag")
    assert response.status_code == 200
    text = visible_text(response.getvalue())
    assert "There is no tag “no-such-tag”, so nothing matches it." in text
    assert text.count("No ") >= 1 and "match these filters." in text


def test_tag_filter_is_case_and_space_tolerant_but_exact_on_slug(wpsr, client):
    assert "1 finding matches these filters" in visible_text(client.get("/findings/?tag=+data+").getvalue())


@pytest.mark.parametrize(
    "query",
    [
        "page=abc", "page=-1", "page=0", "page=99999999999999999999999", "page=1.5", "page=%00",
        "tag=", "tag=%00", "tag=" + "x" * 5000, "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j&tag=k&tag=l",
        "tag=%F0%9F%98%80", "tag[]=data", "tag=data&page=2", "tag=%27%3B--", "tag=..%2F..%2Fetc", "%ff=1",
    ],
)
@pytest.mark.parametrize("url", LISTS)
def test_hostile_query_strings_never_make_a_server_error(wpsr, client, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code in (200, 400, 404)
    assert "<h1>" in response.getvalue().decode()


def test_query_string_comes_back_escaped(wpsr, client):
    payload = '<script>alert("x")</script>'
    response = client.get("/findings/", {"tag": payload})
    html = response.getvalue().decode()
    assert payload not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert f"Ignored tag=“{payload}”: not a valid tag." in visible_text(response.getvalue())


@override_settings(PORTAL_PAGE_SIZE=3)
def test_pages_split_the_list_and_keep_the_filter(wpsr, client):
    first = client.get("/findings/?tag=digital-technology")
    second = client.get("/findings/?tag=digital-technology&page=2")
    assert "Page 1 of 2" in visible_text(first.getvalue())
    assert "/findings/?tag=digital-technology&page=2" in links(first.getvalue())
    assert "Page 2 of 2" in visible_text(second.getvalue())
    assert "5 findings" in visible_text(second.getvalue())
    assert visible_text(first.getvalue()).count("Topic:") == 3
    assert visible_text(second.getvalue()).count("Topic:") == 2


@override_settings(PORTAL_PAGE_SIZE=5)
@pytest.mark.parametrize("page, shown", [("abc", "Page 1 of 4"), ("-3", "Page 1 of 4"), ("0", "Page 1 of 4"), ("99", "Page 4 of 4")])
def test_bad_page_numbers_show_the_nearest_page(wpsr, client, page, shown):
    response = client.get(f"/findings/?page={page}")
    assert response.status_code == 200
    assert shown in visible_text(response.getvalue())


def test_tag_filter_works_on_every_kind(db, client):
    topic = make_topic(title="Tagged topic", tags=["alpha"])
    make_topic(title="Other topic", tags=["beta"])
    make_finding(topic=topic, text="Tagged finding", tags=["alpha", "beta"])
    make_finding(topic=topic, text="Untagged finding")
    topics = visible_text(client.get("/topics/?tag=alpha").getvalue())
    assert "Tagged topic" in topics and "Other topic" not in topics
    findings = visible_text(client.get("/findings/?tag=alpha&tag=beta").getvalue())
    assert "Tagged finding" in findings and "Untagged finding" not in findings


@pytest.mark.parametrize("url", ["/findings/?tag=%00", "/findings/?page=1%002", "/admin/login/?next=%00", "/topics/?%00=1"])
def test_nul_characters_are_a_bad_request_not_a_database_error(wpsr, client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Bad request" in visible_text(response.getvalue())


@override_settings(PORTAL_PAGE_SIZE=3)
def test_page_links_drop_a_parameter_the_page_ignored(wpsr, client):
    response = client.get("/findings/?sort=nope&tag=digital-technology")
    assert "Ignored sort=“nope”" in visible_text(response.getvalue())
    hrefs = links(response.getvalue())
    assert "/findings/?tag=digital-technology&page=2" in hrefs
    assert not any("sort=nope" in href for href in hrefs)


def test_an_empty_search_answers_json_in_json(wpsr, client):
    response = client.get("/search/?format=json")
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 0 and response.json()["results"] == []
