"""The real WPSR 2023 content: every seed statement is on a public page, nothing is invented."""
import re
from pathlib import Path

import pytest
from django.urls import reverse

from findings.models import Author, Chapter, Contribution, Finding, Report, Suggestion, Topic

from .html import visible_text

SEED = Path(__file__).parent / "data" / "seed_presentation.txt"


def seed_statements():
    """Each statement of the slide deck, as a reader sees it (markdown marks removed)."""
    text = SEED.read_text()
    text = re.sub(r"\[[^\]]*\]\(([^)]*)\)", r"\1", text, flags=re.S)  # a link: keep its address
    text = re.sub(r" {2}\n", " ", text)  # two trailing spaces: a soft line break
    statements = {}  # ordered and without repeats ("United Nations" heads four slides)
    for line in text.splitlines():
        line = re.sub(r"^\s*(#+|-)\s+", "", line).replace("**", "").strip()
        line = re.sub(r"\s+", " ", line)
        if line:
            statements[line] = None
    return list(statements)


def public_urls():
    urls = [reverse("findings:home"), reverse("findings:report"), reverse("findings:tag-list")]
    urls += [reverse(name) for name in ("chapter-list", "contribution-list", "topic-list", "finding-list", "suggestion-list")
             for name in [f"findings:{name}"]]
    for model in (Chapter, Contribution, Topic, Finding, Suggestion):
        urls += [obj.get_absolute_url() for obj in model.objects.all()]
    return urls


@pytest.fixture
def site_text(wpsr, client):
    pages = []
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(visible_text(response.getvalue()))
    return " ".join(pages)


def test_seed_parser_finds_the_deck_statements():
    statements = seed_statements()
    assert "Essential role in furthering innovation during the pandemic" in statements
    assert "United Nations" in statements
    assert "https://publicadministration.un.org/en/Research/World-Public-Sector-Reports" in statements
    assert len(statements) == 63


def test_every_seed_statement_is_on_a_public_page(site_text):
    missing = [statement for statement in seed_statements() if statement not in site_text]
    assert missing == []


def test_content_has_the_shape_of_the_presentation(wpsr):
    assert Chapter.objects.count() == 3
    assert Topic.objects.count() == 7
    assert Finding.objects.count() == 18
    assert Suggestion.objects.count() == 6
    assert Contribution.objects.filter(chapter__number=3).count() == 6
    assert list(Topic.objects.filter(dimension__order=2).values_list("title", flat=True)) == [
        "Co-production and changes in service delivery",
        "Inclusive service delivery",
        "Technology-driven service delivery",
    ]


def test_report_page_shows_verified_facts_with_their_sources(wpsr, client):
    response = client.get(reverse("findings:report"))
    text = visible_text(response.getvalue())
    for fact in [
        "World Public Sector Report 2023: Transforming institutions to achieve the Sustainable Development Goals after the pandemic",
        "United Nations Department of Economic and Social Affairs (UN DESA), through its Division for Public Institutions and Digital Government (DPIDG)",
        "9789210029094",
        "9789213585023",
        "By Li Junhua, UN Under-Secretary-General for Economic and Social Affairs",
        "38 (23 short contributions from 38 experts)",
        "9 and 10 August 2022",
    ]:
        assert fact in text
    content = response.getvalue().decode()
    for url in [
        "https://unpan.un.org/resources/world-public-sector-report-2023",
        "https://www.scribd.com/document/708821390/World-Public-Sector-Report-2023",
        "https://sdg.iisd.org/news/desa-report-explores-institutional-innovation-to-achieve-sdgs",
        "https://publicadministration.desa.un.org/es/node/2348",
    ]:
        assert f'href="{url}"' in content


def test_only_authors_named_by_a_source_are_recorded(wpsr, client):
    assert list(Author.objects.values_list("name", flat=True)) == ["Jonathan Fox"]
    fox = Contribution.objects.get(slug="governance-reform-and-public-service-provision")
    assert [author.name for author in fox.authors.all()] == ["Jonathan Fox"]
    assert fox.publication_date == "October 2023"
    others = Contribution.objects.exclude(pk=fox.pk)
    assert not others.filter(authors__isnull=False).exists()
    assert not others.exclude(summary="").exists()

    text = visible_text(client.get(others.first().get_absolute_url()).getvalue())
    assert "Not recorded: no source used here names them." in text


def test_chapter_three_keeps_the_presentation_wording_and_notes_the_other(wpsr, client):
    chapter = Chapter.objects.get(number=3)
    assert chapter.title.startswith("What assets and innovations could Governments mobilize")
    text = visible_text(client.get(chapter.get_absolute_url()).getvalue())
    assert 'phrase this question as "What assets and innovations can Governments mobilize ..."' in text


def test_every_object_names_its_source(wpsr):
    for model in (Report, Chapter, Contribution, Topic, Finding, Suggestion, Author):
        assert not model.objects.filter(source__isnull=True).exists()
    assert Finding.objects.filter(source__kind="presentation").count() == 18
    assert Contribution.objects.filter(chapter__number__in=[1, 2], source__slug="desa-wpsr-2023-page").count() == 7


def test_every_tag_comes_from_the_curated_vocabulary(wpsr):
    from taggit.models import Tag

    vocabulary = {
        "digital-technology", "data", "ai", "corruption", "procurement", "public-servants", "skills",
        "gender-equity", "collaboration", "participation", "accountability", "civil-society", "resilience",
        "multilevel-governance", "crisis-management", "co-production", "health", "education",
        "digital-divide", "hybrid-services", "regulation", "training", "sdgs",
    }
    assert set(Tag.objects.values_list("slug", flat=True)) == vocabulary
