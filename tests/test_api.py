"""The API at /api/v1/: its schema, its docs page, the same records as the pages' JSON, errors a
client can read, cross-origin reads, ETags, and drafts kept out of every operation."""
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from openapi_spec_validator import validate

from findings.kinds import KINDS
from findings.models import Finding, Topic

from .factories import make_chapter, make_finding, make_suggestion, make_topic

SERVER = "http://testserver"
AI_FINDING = "ai-to-identify-corruption-in-procurement"


def _json(response, status=200):
    assert response.status_code == status, response.getvalue()[:300]
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.getvalue())


def _schema(client):
    return _json(client.get("/api/v1/openapi.json"))


# The schema -----------------------------------------------------------------------------------


def test_schema_is_valid_openapi_3_1_and_covers_every_operation(db, client):
    schema = _schema(client)
    validate(schema)  # raises on any error in the document
    assert schema["openapi"] == "3.1.0"
    expected = {
        *(f"/api/v1/{kind.path}" for kind in KINDS),
        *(f"/api/v1/{kind.path}/{{slug}}" for kind in KINDS),
        "/api/v1/search", "/api/v1/tags", "/api/v1/report",
    }
    assert set(schema["paths"]) == expected
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())  # read-only


def test_every_operation_documents_its_errors_as_json_with_a_message(db, client):
    schema = _schema(client)
    for path, operations in schema["paths"].items():
        responses = operations["get"]["responses"]
        assert {"200", "400", "404", "422"} <= set(responses), path
        for status in ("400", "404"):
            assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["message"]


def test_list_parameters_are_the_filters_of_the_page(db, client):
    schema = _schema(client)
    names = {
        path: {parameter["name"] for parameter in operations["get"]["parameters"]}
        for path, operations in schema["paths"].items()
        if "parameters" in operations["get"]
    }
    paging = {"q", "sort", "limit", "offset"}
    # The map's filters too: the findings a contribution or a suggestion speaks to.
    assert names["/api/v1/findings"] == paging | {"tag", "match", "topic", "chapter", "dimension", "contribution", "suggestion"}
    assert names["/api/v1/topics"] == paging | {"tag", "match", "chapter", "dimension", "contribution"}
    assert names["/api/v1/contributions"] == paging | {"tag", "match", "chapter", "topic"}
    assert names["/api/v1/suggestions"] == paging | {"tag", "match", "topic", "dimension"}
    assert names["/api/v1/chapters"] == paging
    assert names["/api/v1/search"] == paging | {"kind", "tag", "match", "chapter"}


# The docs page --------------------------------------------------------------------------------


def test_docs_page_fetches_nothing_from_elsewhere(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.getvalue().decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    settings = json.loads(re.search(r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S)[1])
    addresses.append(settings["url"])
    assert len(addresses) == 5  # stylesheet, icon, two scripts, the schema
    for address in addresses:
        assert not urlsplit(address).netloc, address  # same origin
        assert client.get(address).status_code == 200, address
    assert settings["validatorUrl"] is None  # Swagger UI would otherwise send the schema to its online validator
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*(?:src=|type=\"application/json\"))", html)  # no inline script


# The same records as ?format=json on the pages -----------------------------------------------------

SAME_AS_PAGES = [
    ("/findings/", "/api/v1/findings", ""),
    ("/findings/", "/api/v1/findings", "tag=digital-technology"),
    ("/findings/", "/api/v1/findings", "match=any&tag=digital-technology&tag=regulation"),
    ("/findings/", "/api/v1/findings", "topic=digital-technology&chapter=chapter-3&sort=title"),
    ("/findings/", "/api/v1/findings", "dimension=internal-ways-of-working&sort=newest"),
    ("/findings/", "/api/v1/findings", "q=pandemic"),
    ("/contributions/", "/api/v1/contributions", "chapter=chapter-1"),
    ("/contributions/", "/api/v1/contributions", "topic=digital-technology&tag=accountability"),
    ("/topics/", "/api/v1/topics", "dimension=internal-ways-of-working&q=innovation"),
    ("/topics/", "/api/v1/topics", "contribution=governance-reform-and-public-service-provision"),
    ("/suggestions/", "/api/v1/suggestions", "topic=digital-technology&sort=relevance"),
    ("/suggestions/", "/api/v1/suggestions", "tag=no-such-tag"),
    ("/chapters/", "/api/v1/chapters", "sort=title"),
    ("/search/", "/api/v1/search", "q=pandemic"),
    ("/search/", "/api/v1/search", "q=innovation&kind=finding&kind=suggestion"),
    ("/search/", "/api/v1/search", "q=digital OR corruption&tag=digital-technology&sort=newest"),
    ("/search/", "/api/v1/search", "q=the"),
]


def _every_page(client, url):
    """Every page of results, following `next`: [(count, results, facets)]; each facet value's
    page URL with its parameters in one order (the pages keep the order they were given)."""
    pages = []
    while url:
        data = _json(client.get(url))
        for values in data["facets"].values():
            for value in values:
                address = urlsplit(value["url"])
                value["url"] = address._replace(query=urlencode(sorted(parse_qsl(address.query)))).geturl()
        pages.append((data["count"], data["results"], data["facets"]))
        url = data["next"]
    return pages


@pytest.mark.parametrize("page, endpoint, query", SAME_AS_PAGES, ids=[f"{p}?{q}" for p, _, q in SAME_AS_PAGES])
def test_api_and_page_json_give_the_same_records_counts_and_facets(wpsr, client, settings, page, endpoint, query):
    settings.PORTAL_PAGE_SIZE = 3  # several slices each
    from_page = _every_page(client, f"{page}?{query}&format=json")
    from_api = _every_page(client, f"{endpoint}?{query}")
    assert from_api == from_page
    assert sum(len(results) for _, results, _ in from_api) == from_api[0][0]


def test_limit_and_offset_slice_the_results_with_links_to_the_slices_around(wpsr, client):
    data = _json(client.get("/api/v1/findings?tag=digital-technology&limit=2&offset=2"))
    assert data["count"] == 5
    assert [result["id"] for result in data["results"]] == [
        "finding:technology-is-not-a-solution-in-itself", "finding:technology-while-addressing-digital-divides"
    ]
    assert data["next"] == f"{SERVER}/api/v1/findings?tag=digital-technology&limit=2&offset=4"
    assert data["previous"] == f"{SERVER}/api/v1/findings?tag=digital-technology&limit=2&offset=0"
    assert _json(client.get("/api/v1/findings?tag=digital-technology&offset=5"))["results"] == []


# Details, tags, the report -------------------------------------------------------------------------


def test_detail_has_the_record_citation_and_links_to_related_items(wpsr, client):
    data = _json(client.get(f"/api/v1/findings/{AI_FINDING}"))
    page_record = _json(client.get(f"/findings/{AI_FINDING}/?format=json"))
    assert {name: data[name] for name in page_record} == page_record
    assert data["citation"]["text"].startswith(
        "United Nations Department of Economic and Social Affairs (2023). “Help address development challenges "
        "(e.g. AI to identify corruption in procurement)”. In World Public Sector Report 2023"
    )
    assert data["citation"]["bibtex"] + "\n" == client.get(f"/findings/{AI_FINDING}/?format=bibtex").getvalue().decode()
    assert data["citation"]["ris"] + "\r\n" == client.get(f"/findings/{AI_FINDING}/?format=ris").getvalue().decode()
    assert data["previous"] is None
    assert data["next"]["api_url"] == f"{SERVER}/api/v1/findings/data-to-inform-decision-making"
    groups = {group["relation"]: group for group in data["related"]}
    assert [item["id"] for item in groups["siblings"]["items"]] == [
        "finding:data-to-inform-decision-making", "finding:technology-is-not-a-solution-in-itself"
    ]
    assert groups["related_by_tags"]["editorial"] is True
    assert groups["siblings"]["editorial"] is False


def test_topic_detail_leads_to_its_findings_and_editorial_links(wpsr, client):
    data = _json(client.get("/api/v1/topics/digital-technology"))
    groups = {group["relation"]: group for group in data["related"]}
    assert [item["title"] for item in groups["findings"]["items"]] == [
        "Help address development challenges (e.g. AI to identify corruption in procurement)",
        "Access to and analysis of data to inform decision-making during the pandemic",
        "Part of the solution, but not a solution in itself; need for contextual responses",
    ]
    assert groups["related_contributions"]["editorial"] is True
    assert groups["related_suggestions"]["editorial"] is True


def test_tags_are_those_of_the_tag_page(wpsr, client):
    page = _json(client.get("/tags/?format=json&sort=count"))
    assert _json(client.get("/api/v1/tags?sort=count")) == page
    assert page["results"][0] == {
        "slug": "digital-technology", "name": "Digital technology", "count": 9, "url": f"{SERVER}/tags/digital-technology/"
    }


def test_report_has_its_identifiers_facts_and_citation(wpsr, client):
    data = _json(client.get("/api/v1/report"))
    assert data["isbn"] == "9789210029094"
    assert data["eisbn"] == "9789213585023"
    assert data["full_title"] == (
        "World Public Sector Report 2023: Transforming institutions to achieve the Sustainable Development Goals after "
        "the pandemic"
    )
    assert [chapter["id"] for chapter in data["chapters"]] == ["chapter:chapter-1", "chapter:chapter-2", "chapter:chapter-3"]
    assert data["citation"]["bibtex"] + "\n" == client.get("/report/?format=bibtex").getvalue().decode()


def test_an_old_slug_answers_301_to_the_current_address(wpsr, client):
    finding = Finding.objects.get(slug=AI_FINDING)
    finding.slug = "ai-in-procurement"
    finding.save()
    response = client.get(f"/api/v1/findings/{AI_FINDING}")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/findings/ai-in-procurement"


# Errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/api/v1/findings?tags=ai", 400, "Unknown parameter tags: this operation reads q, limit, offset, tag, topic, chapter, dimension, contribution, suggestion, match, sort."),
        ("/api/v1/findings?q=a%00b", 400, "Bad request: NUL character in request parameter 'q'"),
        ("/api/v1/findings/no-such-finding", 404, "Nothing is at “no-such-finding”."),
        ("/api/v1/findings?offset=19", 404, "offset 19 is past the end: there are 18 results."),
        ("/api/v1/findings/a/b", 404, "Nothing is at this address: the API's operations are listed at /api/v1/docs."),
        ("/api/v1/findings?limit=101", 422, "Invalid request: query.limit: Input should be less than or equal to 100"),
        ("/api/v1/findings?sort=colour", 422, "Invalid request: query.sort: Input should be 'relevance', 'order', 'title' or 'newest'"),
        ("/api/v1/search?kind=tag", 422, "Invalid request: query.kind.0: Input should be 'chapter', 'contribution', 'topic', 'finding' or 'suggestion'"),
        ("/api/v1/findings?tag=%3Cscript%3E", 422, "Invalid request: query.tag.0: not a valid value: 1 to 100 characters, none of them a space"),
        ("/api/v1/findings/not%20a%20slug", 422, "Invalid request: path.slug: not a valid slug: 1 to 100 letters, digits, - or _"),
    ],
)
def test_bad_requests_get_a_json_message(wpsr, client, url, status, message):
    assert _json(client.get(url), status)["message"].startswith(message)


def test_the_api_is_read_only(wpsr, client):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/v1/findings")
        assert response.status_code == 405
        assert response["Allow"] == "GET"


# Cross-origin reads and ETags --------------------------------------------------------------------------


def test_any_origin_may_read(wpsr, client):
    response = client.get("/api/v1/findings", HTTP_ORIGIN="https://research.example.edu")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/v1/findings", HTTP_ORIGIN="https://research.example.edu", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    # The site's pages are not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/findings/", HTTP_ORIGIN="https://research.example.edu")


def test_a_repeat_request_with_its_etag_is_304(wpsr, client):
    first = client.get("/api/v1/findings?tag=ai")
    etag = first["ETag"]
    repeat = client.get("/api/v1/findings?tag=ai", HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304
    assert repeat.getvalue() == b""
    other = client.get("/api/v1/findings?tag=data", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200


# Drafts -------------------------------------------------------------------------------------------------


def test_a_draft_is_invisible_through_every_operation(db, client):
    chapter = make_chapter(slug="published-chapter")
    topic = make_topic(chapter=chapter, slug="published-topic", tags=["shared"])
    make_finding(topic=topic, slug="published-finding", text="Published words", tags=["shared"])
    draft = make_finding(topic=topic, slug="draft-finding", text="Draft words", tags=["shared", "draft-only"], status="draft")
    draft_topic = make_topic(chapter=chapter, slug="draft-topic", tags=["shared"], status="draft")
    under_draft = make_finding(topic=draft_topic, slug="under-draft", text="Draft parent words", tags=["shared"])
    make_suggestion(report=chapter.report, topics=[topic, draft_topic], slug="suggestion", tags=["shared"])

    for item in (draft, under_draft):
        assert client.get(f"/api/v1/findings/{item.slug}").status_code == 404
    assert client.get("/api/v1/topics/draft-topic").status_code == 404

    everything = [
        "/api/v1/findings", "/api/v1/topics", "/api/v1/suggestions", "/api/v1/chapters", "/api/v1/contributions",
        "/api/v1/findings?tag=shared", "/api/v1/search?q=words", "/api/v1/search?q=draft", "/api/v1/tags",
        "/api/v1/report", "/api/v1/topics/published-topic", "/api/v1/findings/published-finding",
        "/api/v1/suggestions/suggestion", "/api/v1/chapters/published-chapter",
    ]
    for url in everything:
        text = client.get(url).getvalue().decode()
        assert "draft" not in text.casefold(), url
        assert "Draft" not in text, url
    assert _json(client.get("/api/v1/findings?tag=draft-only"))["count"] == 0
    assert _json(client.get("/api/v1/search?q=draft"))["count"] == 0
    assert [result["id"] for result in _json(client.get("/api/v1/findings"))["results"]] == ["finding:published-finding"]
    assert Topic.objects.filter(slug="draft-topic", status="draft").exists()
