"""What search engines read: robots.txt and a sitemap of every public page."""
import datetime
import xml.etree.ElementTree as ElementTree

import pytest
from django.urls import reverse

from findings.models import Chapter, Contribution, Finding, Suggestion, Topic
from findings.tags import published_tag_counts

from .factories import make_finding

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LIST_PAGES = ["/", "/report/", "/chapters/", "/contributions/", "/topics/", "/findings/", "/suggestions/", "/map/", "/tags/"]
# Every page is listed at its address in each language: English without a prefix.
PREFIXES = ["", "/ar", "/zh-hans", "/fr", "/ru", "/es"]


def _sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.getvalue())


def _locations(client):
    return [loc.text for loc in _sitemap(client).iter(f"{SITEMAP}loc")]


def test_sitemap_lists_every_public_page_by_absolute_url(wpsr, client):
    items = [
        obj.get_absolute_url()
        for model in (Chapter, Contribution, Topic, Finding, Suggestion)
        for obj in model.objects.published()
    ]
    tags = [reverse("findings:tag-detail", kwargs={"slug": tag.slug}) for tag in published_tag_counts()]
    expected = [f"http://testserver{prefix}{path}" for prefix in PREFIXES for path in LIST_PAGES + items + tags]
    locations = _locations(client)
    assert sorted(locations) == sorted(expected)
    assert len(locations) == (9 + 3 + 13 + 7 + 18 + 6 + 23) * 6
    assert "http://testserver/findings/ai-to-identify-corruption-in-procurement/" in locations
    assert "http://testserver/contributions/governance-reform-and-public-service-provision/" in locations


def test_sitemap_leaves_out_drafts_and_what_sits_under_them(wpsr, client):
    finding = Finding.objects.get(slug="ai-to-identify-corruption-in-procurement")
    finding.status = "draft"
    finding.save()
    topic = Topic.objects.get(slug="resilient-institutional-mechanisms")
    topic.status = "draft"
    topic.save()
    hidden_findings = [f"http://testserver{f.get_absolute_url()}" for f in topic.findings.all()]

    locations = _locations(client)

    assert "http://testserver/findings/ai-to-identify-corruption-in-procurement/" not in locations
    assert "http://testserver/topics/resilient-institutional-mechanisms/" not in locations
    assert hidden_findings and not set(hidden_findings) & set(locations)
    assert "http://testserver/findings/data-to-inform-decision-making/" in locations


def test_sitemap_gives_the_publication_date_as_lastmod(wpsr, client):
    Finding.objects.filter(slug="data-to-inform-decision-making").update(
        published_at=datetime.datetime(2024, 5, 6, 12, 0, tzinfo=datetime.UTC)
    )
    urls = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in _sitemap(client)}
    assert urls["http://testserver/findings/data-to-inform-decision-making/"] == "2024-05-06"
    assert urls["http://testserver/findings/ai-to-identify-corruption-in-procurement/"] is None


def test_sitemap_names_each_page_in_every_language_and_english_as_the_default(wpsr, client):
    finding = "/findings/ai-to-identify-corruption-in-procurement/"
    entries = {url.findtext(f"{SITEMAP}loc"): url for url in _sitemap(client).iter(f"{SITEMAP}url")}
    expected = {
        **{code: f"http://testserver{prefix}{finding}" for code, prefix in zip(
            ["en", "ar", "zh-hans", "fr", "ru", "es"], PREFIXES, strict=True
        )},
        "x-default": f"http://testserver{finding}",
    }
    for location in (f"http://testserver{finding}", f"http://testserver/ar{finding}"):
        links = entries[location].findall(f"{XHTML}link")
        assert {link.get("rel") for link in links} == {"alternate"}
        assert {link.get("hreflang"): link.get("href") for link in links} == expected


@pytest.mark.parametrize("extra", [0, 20])
def test_sitemap_query_count_does_not_grow_with_the_content(wpsr, client, django_assert_num_queries, extra):
    topic = Topic.objects.get(slug="digital-technology")
    for n in range(extra):
        make_finding(topic=topic, tags=[f"extra-{n}"])
    # For each of chapters, contributions, topics, findings, suggestions and tags: its items, read
    # once and paired with each language (the pairs are counted without asking again).
    with django_assert_num_queries(6):
        response = client.get("/sitemap.xml")
    assert response.getvalue().decode().count("<loc>") == (79 + 2 * extra) * 6


def test_robots_txt_allows_all_but_the_admin_and_points_to_the_sitemap(db, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.getvalue().decode() == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /admin/\n"
        "Sitemap: http://testserver/sitemap.xml\n"
    )
