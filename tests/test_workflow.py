"""Only published content is public; drafts are previews for curators and 404 for everyone else."""
import pytest
from django.urls import reverse

from findings import workflow
from findings.models import Contribution, Finding, Status, Topic

from .factories import make_draft, make_member
from .html import links, visible_text

DRAFT_TEXT = "Access to and analysis of data to inform decision-making during the pandemic"


@pytest.fixture
def draft_finding(wpsr):
    return make_draft(Finding, "data-to-inform-decision-making")


def _public_pages(finding):
    return [
        "/", "/findings/", "/findings/?tag=data", "/topics/", finding.topic.get_absolute_url(), "/tags/",
        "/findings/ai-to-identify-corruption-in-procurement/",  # a sibling in the same topic
    ]


def test_fixtures_load_as_published(wpsr):
    assert not Finding.objects.exclude(status=Status.PUBLISHED).exists()
    assert Finding.objects.published().count() == 18


def test_a_draft_appears_on_no_public_page(draft_finding, client):
    for url in _public_pages(draft_finding):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_TEXT not in visible_text(response.getvalue()), url
    assert client.get(draft_finding.get_absolute_url()).status_code == 404


def test_counts_leave_drafts_out(draft_finding, client):
    assert "Digital technology 2 key findings" in visible_text(client.get("/").getvalue())
    assert "17 findings" in visible_text(client.get("/findings/").getvalue())
    # "data" tags this finding, the digital technology topic and a chapter 2 contribution
    tags = visible_text(client.get("/tags/").getvalue())
    assert "Data 2 items" in tags
    assert "Data 2 items carry this tag." in visible_text(client.get("/tags/data/").getvalue())


def test_publishing_brings_it_back_everywhere(draft_finding, client):
    workflow.set_status(draft_finding, Status.PUBLISHED)
    draft_finding.save()
    assert DRAFT_TEXT in visible_text(client.get("/findings/?tag=data").getvalue())
    assert DRAFT_TEXT in visible_text(client.get(draft_finding.topic.get_absolute_url()).getvalue())
    assert client.get(draft_finding.get_absolute_url()).status_code == 200
    assert "Data 3 items" in visible_text(client.get("/tags/").getvalue())


def test_a_published_finding_under_a_draft_topic_is_not_public(wpsr, client):
    topic = Topic.objects.get(slug="digital-technology")
    topic.status = Status.REVIEW
    topic.save()
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert client.get("/findings/ai-to-identify-corruption-in-procurement/").status_code == 404
    text = visible_text(client.get("/findings/").getvalue())
    assert "15 findings" in text
    assert "AI to identify corruption" not in text
    assert "/topics/digital-technology/" not in links(client.get("/topics/").getvalue())


def test_draft_contribution_leaves_chapter_counts_and_topic_pages(wpsr, client):
    contribution = Contribution.objects.get(slug="governance-reform-and-public-service-provision")
    contribution.status = Status.DRAFT
    contribution.save()
    assert "5 expert contributions listed · 7 topics" in visible_text(client.get("/chapters/").getvalue())
    topic_page = visible_text(client.get("/topics/resilient-institutional-mechanisms/").getvalue())
    assert "Governance reform and public service provision" not in topic_page
    assert client.get(contribution.get_absolute_url()).status_code == 404


def test_curator_previews_a_draft_with_a_banner(draft_finding, client):
    client.force_login(make_member("editor", "Editors"))
    response = client.get(draft_finding.get_absolute_url())
    assert response.status_code == 200
    text = visible_text(response.getvalue())
    assert "Preview: this page is not public. Its status is “Draft”." in text
    assert '<meta name="robots" content="noindex">' in response.getvalue().decode()
    # Lists stay public views even for curators.
    assert DRAFT_TEXT not in visible_text(client.get("/findings/").getvalue())


def test_published_pages_carry_no_banner_for_curators(wpsr, admin_client):
    response = admin_client.get("/findings/data-to-inform-decision-making/")
    assert "Preview:" not in visible_text(response.getvalue())


def test_view_on_site_from_the_admin_opens_the_draft_preview(draft_finding, admin_client):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Finding)
    response = admin_client.get(reverse("admin:view_on_site", args=[content_type.pk, draft_finding.pk]), follow=True)
    assert response.status_code == 200
    assert "Preview: this page is not public." in visible_text(response.getvalue())


def test_a_draft_is_absent_from_every_take_away_and_discovery_surface(draft_finding, client):
    url = draft_finding.get_absolute_url()
    surfaces = {
        "json": "/findings/?format=json&tag=data",
        "csv": "/findings/?format=csv",
        "atom": "/findings/?format=atom",
        "bibtex": "/findings/?format=bibtex",
        "ris": "/findings/?format=ris",
        "search": "/search/?q=decision-making",
        "search json": "/search/?q=decision-making&format=json",
        "sitemap": "/sitemap.xml",
        "related items": "/findings/technology-is-not-a-solution-in-itself/",
        "tag page": "/tags/data/",
    }
    for name, surface in surfaces.items():
        response = client.get(surface)
        assert response.status_code == 200, name
        assert url not in response.getvalue().decode(), f"the draft leaks through {name}"
    # The draft was the only finding tagged "data": the facet no longer offers it.
    facets = client.get("/findings/?format=json").json()["facets"]
    assert "data" not in [value["value"] for value in facets["tag"]]
    assert "data" in [value["value"] for value in client.get("/topics/?format=json").json()["facets"]["tag"]]


def test_a_draft_source_or_dimension_is_not_named_on_public_pages(wpsr, client):
    from findings.models import Dimension, Source

    source = Source.objects.get(slug="presentation-egm-2023-09")
    source.status = Status.REVIEW
    source.save()
    dimension = Dimension.objects.get(slug="internal-ways-of-working")
    dimension.status = Status.DRAFT
    dimension.save()

    page = visible_text(client.get("/findings/data-to-inform-decision-making/").getvalue())
    assert "Source: being reviewed by the portal’s editors." in page
    assert source.title not in page
    assert dimension.title not in page
    assert dimension.title not in visible_text(client.get("/topics/digital-technology/").getvalue())
    record = client.get("/findings/?format=json&tag=data").json()["results"][0]
    assert record["source"] == {"title": None, "url": None}
