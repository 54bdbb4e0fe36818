"""The map (/map/): every topic against the suggestions and contributions linked to it, each
cell a count that opens the list of exactly those findings; and a suggestion's evidence chain."""
import io
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from pypdf import PdfReader

from findings.models import Contribution, Finding, Status, Suggestion, Topic

from .factories import make_chapter, make_contribution, make_dimension, make_finding, make_suggestion, make_topic
from .html import get_page, links, result_urls, results_count, visible_text

MAP = "/map/"
DIMENSIONS = {
    "Innovations and change in internal ways of working of public organizations": [
        "The role of public servants",
        "Resilient institutional mechanisms",
        "Digital technology",
        "Multilevel governance",
    ],
    "Changes at the interface between governments and citizens : delivery of public services": [
        "Co-production and changes in service delivery",
        "Inclusive service delivery",
        "Technology-driven service delivery",
    ],
}


class _MapParser(HTMLParser):
    """The map's table as a reader meets it: column headers, row-group headers, and each row's
    header and cells (class, text and link)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.columns, self.groups, self.rows, self.footer = [], [], [], None
        self._in_table = self._section = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "map" in (attrs.get("class") or "").split():
            self._in_table = True
        if not self._in_table:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._section in ("tbody", "tfoot"):
            self._row = {"header": None, "header_url": "", "cells": []}
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "scope": attrs.get("scope"), "class": attrs.get("class") or "", "text": "", "url": ""}
        elif tag == "a" and self._cell is not None:
            self._cell["url"] = unescape(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            cell, self._cell = self._cell, None
            cell["text"] = re.sub(r"\s+", " ", cell["text"]).strip()
            if self._section == "thead" and cell["scope"] == "col" and "map__column" in cell["class"]:
                self.columns.append(cell)
            elif cell["scope"] == "rowgroup":
                self.groups.append((cell["text"], []))
            elif cell["scope"] == "row":
                self._row["header"], self._row["header_url"] = cell["text"], cell["url"]
            elif cell["tag"] == "td":
                self._row["cells"].append(cell)
        elif tag == "tr" and self._section == "tbody" and self._row["header"]:
            self.rows.append(self._row)
            self.groups[-1][1].append(self._row["header"])
        elif tag == "tr" and self._section == "tfoot":
            self.footer = self._row

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def _read_map(content):
    parser = _MapParser()
    parser.feed(content.decode())
    return parser


def _slug(url):
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture(autouse=True)
def _one_page_of_results(settings):
    """Every finding of a cell on one page, so that the list shows all it counts."""
    settings.PORTAL_PAGE_SIZE = 100


def test_the_map_is_linked_from_every_page(wpsr, client):
    for url in ["/", "/findings/", "/suggestions/consolidate-crisis-innovations/"]:
        assert reverse("findings:map") in links(get_page(client, url).getvalue()), url


def test_the_map_shows_every_topic_under_its_dimension(wpsr, client):
    table = _read_map(get_page(client, MAP).getvalue())

    groups = [(re.sub(r"^Dimension \(editorial grouping\): ", "", name), topics) for name, topics in table.groups]
    assert groups == list(DIMENSIONS.items())
    assert sorted(row["header"] for row in table.rows) == sorted(Topic.objects.published().values_list("title", flat=True))


def test_columns_are_the_suggestions_and_the_contributions_linked_to_a_topic(wpsr, client):
    response = get_page(client, MAP)
    table = _read_map(response.getvalue())

    suggestions = [column for column in table.columns if column["text"].startswith("S")]
    contributions = [column for column in table.columns if column["text"].startswith("C")]
    assert [_slug(column["url"]) for column in suggestions] == list(
        Suggestion.objects.published().order_by("order").values_list("slug", flat=True)
    )
    linked = Contribution.objects.published().filter(related_topics__isnull=False).distinct()
    assert sorted(_slug(column["url"]) for column in contributions) == sorted(linked.values_list("slug", flat=True))
    assert [column["text"].split(":")[0] for column in table.columns] == [f"S{n}" for n in range(1, 7)] + [
        f"C{n}" for n in range(1, 7)
    ]
    text = visible_text(response.getvalue())
    # The key below the table names each column in full; the others are counted, not hidden.
    assert "S2 Consolidate crisis innovations into resilient governance systems" in text
    assert "C6 Blended learning in medical higher education" in text
    assert "7 other contributions are linked to no topic, so the map leaves them out. All contributions" in text


def test_every_cell_opens_a_list_of_exactly_as_many_findings_as_it_counts(wpsr, client):
    table = _read_map(get_page(client, MAP).getvalue())
    facets = ["suggestion"] * 6 + ["contribution"] * 6
    followed = empty = 0
    for row in table.rows:
        topic = _slug(row["header_url"])
        findings_cell, *cells = row["cells"]
        assert len(cells) == len(table.columns)
        for cell, column, facet in [(findings_cell, None, None), *zip(cells, table.columns, facets, strict=True)]:
            if cell["url"]:
                number = int(cell["text"].split()[0])
                target = get_page(client, cell["url"])
                assert results_count(target.getvalue()) == len(result_urls(target.getvalue())) == number, cell
                expected = {"topic": [topic], **({facet: [_slug(column["url"])]} if facet else {})}
                assert parse_qs(urlsplit(cell["url"]).query) == expected
                followed += 1
            else:
                # "No link": the list for that pair would be empty.
                assert cell["text"] == "–no link"  # the dash is hidden from screen readers, the words from sight
                target = get_page(client, f"/findings/?topic={topic}&{facet}={_slug(column['url'])}")
                assert results_count(target.getvalue()) == 0
                empty += 1
    assert followed == 7 + 18 and empty == 7 * 12 - 18
    # The totals of the last row are what their lists hold too.
    for cell in table.footer["cells"]:
        assert results_count(get_page(client, cell["url"]).getvalue()) == int(cell["text"].split()[0]), cell
    assert table.footer["cells"][0]["text"] == "18 key findings"


def test_a_cell_counts_the_findings_of_its_topic_and_reads_as_a_sentence(wpsr, client):
    table = _read_map(get_page(client, MAP).getvalue())
    digital = next(row for row in table.rows if row["header"] == "Digital technology")
    assert digital["cells"][0]["text"] == "3 key findings"
    resilient = next(row for row in table.rows if row["header"] == "Resilient institutional mechanisms")
    # S2, "Consolidate crisis innovations", is linked to it by the editors.
    assert resilient["cells"][2]["text"] == "2 key findings"
    assert resilient["cells"][2]["url"] == (
        "/findings/?topic=resilient-institutional-mechanisms&suggestion=consolidate-crisis-innovations"
    )


def test_stated_and_editorial_links_differ_in_the_picture_and_in_words(wpsr, client):
    response = get_page(client, MAP)
    table = _read_map(response.getvalue())
    for row in table.rows:
        stated, *editorial = row["cells"]
        assert "map-cell--stated" in stated["class"].split()
        for cell in editorial:
            assert {"map-cell--editorial", "map-cell--none"} & set(cell["class"].split()), cell
    text = visible_text(response.getvalue())
    assert "Key findings (stated)" in text
    assert "Suggestions (editorial links) Expert contributions (editorial links)" in text
    assert "Stated by the report A key finding under its topic: the presentation lists each finding under one topic." in text
    assert "Editorial link The portal’s editors linked the suggestion or contribution to the topic; the report does not say so." in text


def test_shades_grow_with_the_count_and_the_number_is_always_shown(wpsr, client):
    table = _read_map(get_page(client, MAP).getvalue())
    levels = {}
    for row in table.rows:
        for cell in row["cells"]:
            if cell["url"]:
                level = re.search(r"\bheat-(\d)\b", cell["class"]).group(1)
                levels.setdefault(int(cell["text"].split()[0]), set()).add(int(level))
    # Three findings is the most a topic has: the darkest shade; two, the one before.
    assert levels == {3: {4}, 2: {3}}


def test_the_map_is_a_table_a_screen_reader_can_read(wpsr, client):
    html = get_page(client, MAP).getvalue().decode()
    assert re.search(r'<caption id="map-caption">Topics, by dimension, against their key findings', html)
    assert '<div class="map-scroll" role="region" aria-labelledby="map-caption" tabindex="0">' in html
    assert html.count('<th scope="row">') == 7 + 1  # the topics and the totals
    assert html.count('<th scope="rowgroup"') == 2
    assert '<th scope="colgroup" colspan="6" class="map__head--editorial">Suggestions' in html
    assert "<script" not in html.split("<main")[1]


def test_a_draft_topic_and_links_to_drafts_stay_off_the_map(wpsr, client):
    Topic.objects.filter(slug="digital-technology").update(status=Status.DRAFT)
    Suggestion.objects.filter(slug="encourage-a-problem-solving-culture").update(status=Status.DRAFT)

    table = _read_map(get_page(client, MAP).getvalue())

    assert "Digital technology" not in [row["header"] for row in table.rows]
    assert "encourage-a-problem-solving-culture" not in [_slug(column["url"]) for column in table.columns]
    assert len(table.columns) == 5 + 6


def test_the_map_comes_as_a_pdf_and_in_no_other_format(wpsr, client):
    response = client.get(f"{MAP}?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="map.pdf"'
    assert client.get(f"{MAP}?format=csv").status_code == 400


@pytest.mark.parametrize("extra", [0, 12])
def test_the_map_reads_five_queries_whatever_the_size(db, client, django_assert_num_queries, extra):
    # Topics with finding counts and dimensions; suggestions, their topics; contributions, their topics.
    chapter = make_chapter()
    dimension = make_dimension(report=chapter.report)
    topics = [make_topic(chapter=chapter, dimension=dimension) for _ in range(2 + extra)]
    for index, topic in enumerate(topics):
        make_finding(topic=topic)
        make_suggestion(report=chapter.report, topics=topics[: index + 1])
        make_contribution(chapter=chapter, topics=[topic])
    with django_assert_num_queries(5):
        response = client.get(MAP)
    table = _read_map(response.getvalue())
    assert len(table.rows) == len(topics) and len(table.columns) == 2 * len(topics)


# The evidence chain of a suggestion's page.


def test_a_suggestion_shows_its_topics_their_findings_and_the_presentations_headings(wpsr, client):
    text = visible_text(get_page(client, "/suggestions/invest-in-online-workforce-training/").getvalue())

    assert (
        "Evidence chain The presentation lists this suggestion under its heading “Selected suggestions made by experts”."
    ) in text
    assert "The portal’s editors linked this suggestion to 2 topics; the report does not say which topics a suggestion speaks to." in text
    for topic in ["Inclusive service delivery", "Technology-driven service delivery"]:
        heading = f"{topic} (editorial link) In the presentation under the heading “WPSR 2023 Chapter 3: Selected topics (2)”."
        assert heading in text
    for finding in Finding.objects.filter(topic__slug__in=["inclusive-service-delivery", "technology-driven-service-delivery"]):
        assert finding.text in text


def test_the_chain_names_a_heading_only_where_the_presentation_gives_one(wpsr, client):
    response = get_page(client, "/suggestions/consolidate-crisis-innovations/")
    text = visible_text(response.getvalue())

    assert "Resilient institutional mechanisms (editorial link) Examples of institutional mechanisms" in text
    assert "Multilevel governance (editorial link) Subnational response to crises" in text
    assert text.count("In the presentation under the heading") == 0
    assert "/report/#slide-6" in links(response.getvalue())


def test_the_chain_leaves_out_draft_findings(wpsr, client):
    Finding.objects.filter(slug="subnational-response-to-crises").update(status=Status.DRAFT)
    text = visible_text(get_page(client, "/suggestions/consolidate-crisis-innovations/").getvalue())
    assert "Subnational response to crises" not in text
    assert "Crisis management – avoid the challenge of fragmentation" in text


def test_a_suggestion_prints_its_evidence_chain(wpsr, client):
    suggestion = Suggestion.objects.get(slug="invest-in-online-workforce-training")
    response = client.get(suggestion.get_absolute_url() + "?format=pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)
    assert "Evidence chain" in text
    assert "Leveraging technology while addressing digital divides" in " ".join(text.split())


def _count_stated(content):
    """The number a list page's count states, wherever its language puts it in the sentence."""
    match = re.search(r'<p class="results-count"[^>]*>.*?<strong>(\d+)</strong>.*?</p>', content.decode(), re.S)
    assert match, "the page states no result count"
    return int(match.group(1))


def test_the_arabic_map_reads_right_to_left_and_every_cell_opens_its_list(wpsr, client):
    response = get_page(client, f"/ar{MAP}")
    html = response.getvalue().decode()
    assert '<html lang="ar" dir="rtl">' in html
    table = _read_map(response.getvalue())
    # The same table as the English one, its topics (content) in English.
    english = _read_map(get_page(client, MAP).getvalue())
    assert [row["header"] for row in table.rows] == [row["header"] for row in english.rows]
    assert len(table.columns) == len(english.columns) == 12
    assert "Map of the report" not in visible_text(response.getvalue())
    followed = 0
    for row in [*table.rows, table.footer]:
        for cell in row["cells"]:
            if not cell["url"]:
                continue
            # Each link stays in Arabic, and its list holds as many findings as the cell says.
            assert cell["url"].startswith("/ar/findings/"), cell
            number = int(re.match(r"\d+", cell["text"]).group())
            target = get_page(client, cell["url"])
            assert _count_stated(target.getvalue()) == len(result_urls(target.getvalue())) == number, cell
            followed += 1
    assert followed == 7 + 18 + 1 + 12
