"""PDF dossiers (`format=pdf`): a list or search with its filters, or one item, printed by
WeasyPrint from the page's own HTML with the print stylesheet; nothing fetched from elsewhere."""
import io
import json
import re
import socket

import pytest
from django.utils import timezone
from pypdf import PdfReader

from findings import formats, pdf
from findings.citations import citation_text
from findings.models import Finding

from .factories import make_chapter, make_dimension, make_finding, make_topic
from .html import links, visible_text

SERVER = "http://testserver"
FILTERED = "/findings/?tag=digital-technology&match=any&tag=regulation&topic=technology-driven-service-delivery&topic=digital-technology"
AI_FINDING = "/findings/ai-to-identify-corruption-in-procurement/"
DETAIL_PAGES = [
    "/chapters/chapter-3/",
    "/contributions/governance-reform-and-public-service-provision/",
    "/topics/digital-technology/",
    AI_FINDING,
    "/suggestions/consolidate-crisis-innovations/",
]


def _pdf(client, url):
    """(response, the text of every page) of `url` asked for as a PDF."""
    response = client.get(f"{url}{'&' if '?' in url else '?'}format=pdf")
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return response, _text(response.getvalue())


def _text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _squash(text):
    """Text without white space: a PDF breaks lines anywhere, in long addresses too."""
    return re.sub(r"\s+", "", text)


def _json(client, url):
    return json.loads(client.get(f"{url}{'&' if '?' in url else '?'}format=json&per_page=100").getvalue())


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """WeasyPrint must never reach the network: any attempt to connect fails the test."""

    def refuse(*args, **kwargs):
        pytest.fail(f"a network connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_a_filtered_list_prints_every_item_and_its_filters_in_words(wpsr, client):
    expected = _json(client, FILTERED)
    assert expected["count"] == 5

    response, text = _pdf(client, FILTERED)

    assert response["Content-Disposition"] == 'attachment; filename="findings.pdf"'
    assert "X-Rows-Truncated" not in response
    first_page = _text_of_page(response.getvalue(), 0)
    assert "5 findings match these filters" in first_page
    assert _squash("Filters: tag: Digital technology, Regulation; topic: Digital technology, Technology-driven service delivery.") in _squash(first_page)
    for result in expected["results"]:
        assert _squash(result["title"]) in _squash(text), result["title"]
        # Each item with its permalink and its citation.
        assert _squash(f"Permalink {result['url']}") in _squash(text)
    for finding in Finding.objects.filter(topic__slug__in=["digital-technology", "technology-driven-service-delivery"]):
        citation = citation_text(finding, _request(), timezone.localdate())
        if finding.slug in {result["id"].split(":")[1] for result in expected["results"]}:
            assert _squash(f"Cite as {citation}") in _squash(text)
    # The other findings are not in it.
    assert "Essential role in furthering innovation" not in text


def _text_of_page(content, number):
    return PdfReader(io.BytesIO(content)).pages[number].extract_text()


def _request():
    from django.test import RequestFactory

    return RequestFactory().get("/")


def test_the_pdf_has_page_numbers_and_no_navigation(wpsr, client):
    response, text = _pdf(client, "/findings/")
    pages = PdfReader(io.BytesIO(response.getvalue())).pages
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in page.extract_text()
    for navigation in ["Skip to main content", "Contributions Topics Findings", "Apply filters", "Download:", "Filter findings", "Per page"]:
        assert navigation not in text, navigation
    assert "Printed from http://testserver/findings/ on" in text
    assert "Filters: none" not in text and "No filters: the whole list." in text


def test_a_detail_page_prints_its_permalink_citation_and_links_as_addresses(wpsr, client):
    response, text = _pdf(client, AI_FINDING)

    assert response["Content-Disposition"] == 'attachment; filename="finding-ai-to-identify-corruption-in-procurement.pdf"'
    finding = Finding.objects.get(slug="ai-to-identify-corruption-in-procurement")
    assert _squash(f"Permalink: {SERVER}{AI_FINDING}") in _squash(text)
    assert _squash(citation_text(finding, _request(), timezone.localdate())) in _squash(text)
    # A link is followed by its address, made absolute.
    assert _squash("Digital technology (http://testserver/topics/digital-technology/)") in _squash(text)
    assert "Download this page" not in text and "Previous" not in text


@pytest.mark.parametrize("url", DETAIL_PAGES)
def test_each_detail_page_offers_a_pdf(wpsr, client, url):
    page = client.get(url)
    assert "Download this page: JSON · BibTeX · RIS · PDF" in visible_text(page.getvalue())
    assert "?format=pdf" in links(page.getvalue())
    response, text = _pdf(client, url)
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert _squash(f"{SERVER}{url}") in _squash(text)


def test_every_list_and_search_offers_a_pdf_of_the_same_filtered_view(wpsr, client):
    for url in ["/chapters/", "/contributions/?tag=participation", "/topics/", "/suggestions/?topic=multilevel-governance", "/search/?q=data&kind=finding"]:
        page = client.get(url)
        text = visible_text(page.getvalue())
        assert "Download: CSV · JSON · Atom feed · BibTeX · RIS · PDF" in text, url
        pdf_links = [link for link in links(page.getvalue()) if "format=pdf" in link]
        assert len(pdf_links) == 1 and "page=" not in pdf_links[0], url


def test_a_search_prints_every_result(wpsr, client):
    url = "/search/?q=digital&kind=finding"
    expected = _json(client, url)
    assert expected["count"] >= 3

    response, text = _pdf(client, url)

    assert response["Content-Disposition"] == 'attachment; filename="search.pdf"'
    assert _squash("Filters: kind: Key finding; search: “digital”.") in _squash(text)
    for result in expected["results"]:
        assert _squash(result["title"]) in _squash(text), result["title"]


def test_a_list_longer_than_the_pdf_limit_is_cut_and_says_so(wpsr, client, monkeypatch):
    monkeypatch.setattr(formats, "PDF_ROW_LIMIT", 3)
    titles = [result["title"] for result in _json(client, "/findings/")["results"]]

    response, text = _pdf(client, "/findings/?page=4")

    assert response["X-Rows-Truncated"] == "18"
    assert _squash("This PDF holds the first 3 of the 18 results.") in _squash(text)
    for title in titles[:3]:
        assert _squash(title) in _squash(text)
    assert _squash(titles[3]) not in _squash(text)


@pytest.mark.parametrize("extra", [0, 8])
def test_a_printed_list_reads_the_same_number_of_queries_whatever_its_size(db, client, django_assert_num_queries, extra):
    # Count, page of findings with topic and chapter, tags; facets: tag, the findings per topic and
    # the five facets' values per topic; the report for the citations.
    chapter = make_chapter()
    topic = make_topic(chapter=chapter, dimension=make_dimension(report=chapter.report))
    for n in range(2 + extra):
        make_finding(topic=topic, tags=["shared", f"f{n}"])
    with django_assert_num_queries(11):
        response = client.get("/findings/?format=pdf")
    assert _squash(f"{2 + extra} findings") in _squash(_text(response.getvalue()))


def test_arabic_and_chinese_text_print_in_noto(wpsr, client):
    """The print stylesheet's fonts cover the scripts of the coming translations."""
    finding = Finding.objects.get(slug="ai-to-identify-corruption-in-procurement")
    finding.tags.add("العربية", "数字政府")

    response, text = _pdf(client, AI_FINDING)

    assert "العربية" in text and "数字政府" in text
    fonts = _fonts(response.getvalue())
    assert any("NotoSansArabic" in font or "Noto-Sans-Arabic" in font for font in fonts), fonts
    assert any("CJK" in font for font in fonts), fonts


def test_an_arabic_page_renders_right_to_left(db):
    html = (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="/static/css/print.css"></head>'
        "<body><main><h1>العربية</h1><p>تقرير القطاع العام العالمي</p></main></body></html>"
    )
    text = _text(pdf.render_pdf(html, f"{SERVER}/ar/"))
    assert "العربية" in text
    assert "1 / 1" in text  # the print stylesheet was read: its page numbers are there


def _fonts(content):
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


# Nothing from the network, nothing outside the static files.


def test_the_fetcher_serves_static_files_from_disk(db):
    fetcher = pdf.StaticFilesOnly(f"{SERVER}/findings/")
    response = fetcher.fetch(f"{SERVER}/static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@bottom-center" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/static/css/print.css",
        "http://example.org/tracker.png",
        f"{SERVER}/admin/",
        f"{SERVER}/static/../portal/settings.py",
        f"{SERVER}/static/%2e%2e/portal/settings.py",
        f"{SERVER}/static/css/no-such-file.css",
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
    ],
)
def test_the_fetcher_refuses_everything_else(db, url):
    with pytest.raises(ValueError):
        pdf.StaticFilesOnly(f"{SERVER}/findings/").fetch(url)


def test_a_page_that_points_elsewhere_prints_without_reaching_out(db):
    html = (
        '<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="https://example.org/x.css"></head>'
        '<body><p>Kept <img src="http://example.org/pixel.png" alt="pixel"></p></body></html>'
    )
    assert "Kept" in _text(pdf.render_pdf(html, f"{SERVER}/"))


def test_links_become_absolute_and_stay_escaped(db):
    html = '<a href="/findings/?tag=a&amp;tag=b">x</a> <a class="tag" href="?format=ris">y</a> <a href="https://example.org/">z</a>'
    assert pdf.absolute_links(html, f"{SERVER}/findings/?format=pdf") == (
        f'<a href="{SERVER}/findings/?tag=a&amp;tag=b">x</a> <a class="tag" href="{SERVER}/findings/?format=ris">y</a> '
        '<a href="https://example.org/">z</a>'
    )


@pytest.mark.parametrize("query", ["format=PDF", "format=pdf&format=exe", "format=pdf%00"])
def test_a_malformed_format_is_a_clear_bad_request(wpsr, client, query):
    response = client.get(f"/findings/?{query}")
    assert response.status_code == 400



def _arabic_words(text):
    """The Arabic words of `text`: what a PDF's text keeps of a right-to-left line whatever order
    its extraction gives the pieces of a line that mixes Arabic and English."""
    return re.findall(r"[\u0600-\u06FF]+", text)


def test_an_arabic_filtered_list_prints_every_item_and_its_filters_in_arabic(wpsr, client):
    from django.utils import translation

    expected = _json(client, "/findings/?tag=digital-technology")
    assert expected["count"] > 1

    response, text = _pdf(client, "/ar/findings/?tag=digital-technology")

    assert response["Content-Disposition"] == 'attachment; filename="findings.pdf"'
    assert "X-Rows-Truncated" not in response
    for result in expected["results"]:
        # Items are content: English, with their English permalinks.
        assert _squash(result["title"]) in _squash(text), result["title"]
        assert result["url"] in text.replace("\n", "")
    first_page = _text_of_page(response.getvalue(), 0)
    with translation.override("ar"):
        words = {
            "filters": translation.gettext("Filters: %(filters_in_words)s."),
            "tag": translation.gettext("Tag"),
            "count": translation.ngettext(
                "%(count)s finding matches these filters", "%(count)s findings match these filters", expected["count"]
            ),
            "printed": translation.gettext("Printed from %(url)s on %(date)s."),
            "page": translation.pgettext("the number of a printed page, at its foot", "%(page)s / %(pages)s"),
        }
    # The filters in words, in Arabic, with the tag's name (content) in English.
    for name, phrase in words.items():
        assert _arabic_words(phrase), name
        for word in _arabic_words(phrase):
            assert word in first_page, (name, word)
    assert "Digital technology" in first_page
    for english in ("Filters", "match these filters", "Printed from", "Permalink", "Cite as"):
        assert english not in text, english
    # Arabic letters in an Arabic font.
    assert any("Arabic" in font for font in _fonts(response.getvalue()))
