"""What a researcher meets on the lists: page numbers and page sizes, the newest first, words a
newcomer understands, every page in JSON, and addresses that outlive a change of slug."""
import datetime
import xml.etree.ElementTree as ElementTree

import pytest
from django.utils import timezone

from findings import workflow
from findings.models import Chapter, Finding, Status, Topic

from .html import links, result_urls, results_count, visible_text

ATOM = "{http://www.w3.org/2005/Atom}"
AI_FINDING = "ai-to-identify-corruption-in-procurement"


def _pagination(content):
    html = content.decode()
    return visible_text(html.split('aria-label="Pages">')[1].split("</nav>")[0]) if 'aria-label="Pages"' in html else ""


def test_pages_are_numbered_first_last_and_around_the_current_one(wpsr, client):
    # 18 findings, 2 a page: 9 pages.
    response = client.get("/findings/?per_page=10&page=1")
    assert _pagination(response.getvalue()) == "Page 1 Page 2 Next page Page 1 of 2"
    text = _pagination(client.get("/findings/?tag=digital-technology&per_page=10").getvalue())
    assert text == ""  # 5 results: one page, no pagination


def test_a_long_list_shows_gaps_between_the_first_the_neighbours_and_the_last(wpsr, client, settings):
    settings.PORTAL_PAGE_SIZE = 2
    response = client.get("/findings/?tag=&page=5")
    assert _pagination(response.getvalue()) == (
        "Previous page Page 1 … Page 4 Page 5 Page 6 … Page 9 Next page Page 5 of 9"
    )
    hrefs = links(response.getvalue())
    assert "/findings/" in hrefs and "/findings/?page=4" in hrefs and "/findings/?page=9" in hrefs
    assert '<a href="/findings/?page=5" aria-current="page">' in response.getvalue().decode()


def test_per_page_is_part_of_the_address_and_bounded(wpsr, client):
    response = client.get("/findings/?per_page=10&page=2")
    assert len(result_urls(response.getvalue())) == 8 and results_count(response.getvalue()) == 18
    assert "/findings/?per_page=10" in links(response.getvalue())  # previous page keeps the size
    json = client.get("/findings/?per_page=10&format=json").json()
    assert len(json["results"]) == 10 and json["next"] == "http://testserver/findings/?per_page=10&format=json&page=2"
    too_small = client.get("/findings/?per_page=2")
    assert "Ignored per_page=“2”: Ensure this value is greater than or equal to 10." in visible_text(too_small.getvalue())
    assert len(result_urls(too_small.getvalue())) == 18  # the default size, 20


def test_sort_newest_puts_the_latest_publication_first(wpsr, client):
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    finding.status = Status.REVIEW
    finding.save()
    workflow.set_status(finding, Status.PUBLISHED)
    finding.save()
    urls = result_urls(client.get("/findings/?sort=newest").getvalue())
    assert urls[0] == "/findings/hybrid-service-delivery-models/"
    assert len(urls) == 18
    assert '<option value="newest" selected>Newest first</option>' in client.get("/findings/?sort=newest").getvalue().decode()


def test_the_feed_lists_what_was_published_a_minute_ago_first(wpsr, client):
    earlier = Finding.objects.get(slug="data-to-inform-decision-making")
    earlier.published_at = timezone.now() - datetime.timedelta(days=2)
    earlier.save()
    latest = Finding.objects.get(slug="hybrid-service-delivery-models")
    latest.published_at = timezone.now() - datetime.timedelta(minutes=1)
    latest.save()

    for url in ("/findings/?format=atom", "/findings/?format=atom&sort=title", "/search/?q=data+OR+hybrid&format=atom"):
        feed = ElementTree.fromstring(client.get(url).getvalue())
        entries = feed.findall(f"{ATOM}entry")
        ids = [entry.findtext(f"{ATOM}id") for entry in entries]
        assert ids[:2] == [
            "http://testserver/findings/hybrid-service-delivery-models/",
            "http://testserver/findings/data-to-inform-decision-making/",
        ], url
        assert feed.findtext(f"{ATOM}updated") == latest.published_at.isoformat(), url


def test_lists_offer_a_download_in_plain_words(wpsr, client):
    text = visible_text(client.get("/findings/").getvalue())
    assert "Download: CSV · JSON · Atom feed · BibTeX · RIS · PDF" in text
    assert "Take this list away" not in text


@pytest.mark.parametrize("url, singular", [("/findings/?tag=data", "1 finding"), ("/chapters/?q=trade-offs", "1 chapter")])
def test_one_result_is_counted_in_the_singular(wpsr, client, url, singular):
    assert f"{singular} matches these filters" in visible_text(client.get(url).getvalue())


def test_the_chapter_facet_lists_chapters_in_the_report_order(wpsr, client):
    data = client.get("/contributions/?format=json").json()
    assert [value["label"] for value in data["facets"]["chapter"]] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    search = client.get("/search/?q=innovation&format=json").json()
    labels = [value["label"] for value in search["facets"]["chapter"]]
    assert labels == sorted(labels, key=lambda label: int(label.split()[1]))


def test_a_dimension_links_to_the_topics_it_groups(wpsr, client):
    hrefs = links(client.get("/").getvalue())
    assert "/topics/?dimension=internal-ways-of-working" in hrefs
    response = client.get("/topics/?dimension=internal-ways-of-working")
    grouped = Topic.objects.published().filter(dimension__slug="internal-ways-of-working")
    assert result_urls(response.getvalue()) == [topic.get_absolute_url() for topic in grouped] and grouped
    assert not any("#dimension-" in href for href in links(client.get("/topics/").getvalue()))


def test_each_detail_page_comes_in_json(wpsr, client):
    data = client.get(f"/findings/{AI_FINDING}/?format=json").json()
    assert data["id"] == f"finding:{AI_FINDING}"
    assert data["url"] == f"http://testserver/findings/{AI_FINDING}/"
    assert [tag["name"] for tag in data["tags"]] == ["AI", "Corruption", "Digital technology", "Procurement"]
    chapter = client.get("/chapters/chapter-3/?format=json").json()
    assert chapter["title"].startswith("Chapter 3: What assets and innovations")
    tag = client.get("/tags/digital-technology/?format=json").json()
    assert tag["name"] == "Digital technology"
    assert tag["groups"]["finding"]["count"] == 5
    assert tag["groups"]["finding"]["url"] == "http://testserver/findings/?tag=digital-technology"
    assert len(tag["groups"]["finding"]["results"]) == 5
    chapters = client.get("/chapters/?format=json").json()
    assert chapters["count"] == 3 and [r["id"] for r in chapters["results"]] == [
        "chapter:chapter-1", "chapter:chapter-2", "chapter:chapter-3",
    ]


def test_a_changed_slug_keeps_the_old_address_with_a_permanent_redirect(wpsr, client):
    finding = Finding.objects.get(slug=AI_FINDING)
    finding.slug = "ai-against-procurement-corruption"
    finding.save()
    response = client.get(f"/findings/{AI_FINDING}/?format=bibtex")
    assert response.status_code == 301
    assert response["Location"] == "/findings/ai-against-procurement-corruption/"
    assert client.get(response["Location"]).status_code == 200
    # Renamed once more: the first address still leads to the item.
    finding.slug = "ai-in-procurement"
    finding.save()
    assert client.get(f"/findings/{AI_FINDING}/")["Location"] == "/findings/ai-in-procurement/"
    assert client.get("/findings/ai-against-procurement-corruption/")["Location"] == "/findings/ai-in-procurement/"


def test_an_old_slug_taken_by_another_item_leads_to_that_item(wpsr, client):
    chapter = Chapter.objects.get(slug="chapter-1")
    chapter.slug = "relationships-with-people"
    chapter.save()
    other = Chapter.objects.get(slug="chapter-2")
    other.slug = "chapter-1"
    other.save()
    assert client.get("/chapters/chapter-1/").status_code == 200
    assert "Chapter 2:" in visible_text(client.get("/chapters/chapter-1/").getvalue())


def test_a_redirect_never_leads_the_public_to_a_draft(wpsr, client):
    finding = Finding.objects.get(slug=AI_FINDING)
    finding.slug = "renamed-draft"
    finding.status = Status.DRAFT
    finding.save()
    assert client.get(f"/findings/{AI_FINDING}/").status_code == 404
