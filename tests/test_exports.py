"""JSON, CSV and Atom exports of the lists: what a program or a feed reader receives."""
import csv
import datetime
import io
import xml.etree.ElementTree as ElementTree

import django.test
import openpyxl
import pandas
import pytest
from django.contrib import admin
from django.db.models import QuerySet
from django.utils import translation
from taggit.models import Tag

from findings import formats
from findings.exports import CSV_SEPARATOR, item_record
from findings.feeds import atom_response
from findings.models import Chapter, Contribution, Finding

from .factories import make_author, make_contribution, make_finding
from .html import keep_body, visible_text
from .test_import_export import CSV_FORMAT, XLSX_FORMAT, _confirm, _export, _exported_rows, _preview, _preview_kinds
from .test_import_export import HEADER as ADMIN_HEADER

ATOM = "{http://www.w3.org/2005/Atom}"
AI_FINDING = "ai-to-identify-corruption-in-procurement"
AI_FINDING_TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
CHAPTER_3 = "Chapter 3: What assets and innovations could Governments mobilize to transform the public sector and achieve the SDGs?"
SEED_DECK = "Innovation in public administration: learning from the COVID-19 period (UN DESA slide deck presenting WPSR 2023 chapter 3)"
FOX_SLUG = "governance-reform-and-public-service-provision"
FOX_TITLE = "Governance reform and public service provision: institutional resilience and State-society synergy"
UN_DESA = "United Nations Department of Economic and Social Affairs"
FOX_LINK = (
    "https://accountabilityresearch.org/publication/"
    "governance-reform-and-public-service-provision-institutional-resilience-and-state-society-synergy/"
)
COLUMNS = [
    "id", "kind", "title", "url", "tags", "parent_titles", "parent_urls", "source_title", "source_url",
    "authors", "publication_date", "external_url", "summary",
]


def _findings():
    return Finding.objects.published().for_listing()


def download(fmt, items, request, filename="download"):
    """`items` as the download `fmt`, as a list or search page answers it, read whole."""
    total = items.count if isinstance(items, QuerySet) else lambda: len(items)
    return keep_body(formats.download(fmt, items, request, filename, total=total))


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_item_record_describes_a_finding_with_absolute_urls(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    assert item_record(finding, rf.get("/findings/")) == {
        "id": f"finding:{AI_FINDING}",
        "kind": "finding",
        "title": AI_FINDING_TEXT,
        "text": AI_FINDING_TEXT,
        "url": f"http://testserver/findings/{AI_FINDING}/",
        "tags": [
            {"slug": "ai", "name": "AI"},
            {"slug": "corruption", "name": "Corruption"},
            {"slug": "digital-technology", "name": "Digital technology"},
            {"slug": "procurement", "name": "Procurement"},
        ],
        "parents": [
            {"kind": "topic", "title": "Digital technology", "url": "http://testserver/topics/digital-technology/"},
            {"kind": "chapter", "title": CHAPTER_3, "url": "http://testserver/chapters/chapter-3/"},
        ],
        "source": {"title": SEED_DECK, "url": None},
        # Only contributions have these.
        "authors": None,
        "publication_date": None,
        "external_url": None,
        "summary": None,
    }


def test_item_record_of_a_contribution_names_its_authors_date_link_and_summary(wpsr, rf):
    contribution = Contribution.objects.published().for_listing().get(slug=FOX_SLUG)
    record = item_record(contribution, rf.get("/contributions/"))
    assert (record["title"], record["text"]) == (FOX_TITLE, contribution.summary)
    assert {key: record[key] for key in ("authors", "publication_date", "external_url", "summary")} == {
        "authors": ["Jonathan Fox"],
        "publication_date": "October 2023",
        "external_url": FOX_LINK,
        "summary": "Reviews institutionally resilient participatory oversight reforms in four countries. "
        "Relates to SDG targets 16.6 and 16.7.",
    }


def test_item_record_of_a_chapter_has_no_text_and_the_report_as_parent(wpsr, rf):
    chapter = Chapter.objects.published().for_detail().get(slug="chapter-3")
    record = item_record(chapter, rf.get("/chapters/"))
    assert (record["title"], record["text"], record["tags"]) == (CHAPTER_3, None, [])
    assert record["parents"] == [
        {"kind": "report", "title": "World Public Sector Report 2023", "url": "http://testserver/report/"}
    ]


def test_json_page_has_count_neighbour_links_results_and_facets(wpsr, client, settings, rf):
    settings.PORTAL_PAGE_SIZE = 5
    response = client.get("/findings/", {"format": "json", "page": "2"})

    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert list(data) == ["count", "next", "previous", "results", "facets"]
    assert data["count"] == 18
    assert data["next"] == "http://testserver/findings/?format=json&page=3"
    # Page 1's address is the list's own, without `page`.
    assert data["previous"] == "http://testserver/findings/?format=json"
    assert [result["id"] for result in data["results"]] == [f"finding:{finding.slug}" for finding in _findings()[5:10]]
    assert data["results"][0] == item_record(_findings()[5], rf.get("/findings/"))
    ai = {"value": "ai", "label": "AI", "count": 1, "url": "http://testserver/findings/?tag=ai"}
    assert ai in data["facets"]["tag"]


def test_json_last_page_has_no_next_and_first_page_no_previous(wpsr, client, settings):
    settings.PORTAL_PAGE_SIZE = 10
    last = client.get("/findings/", {"format": "json", "page": "2"}).json()
    first = client.get("/findings/", {"format": "json"}).json()
    assert (last["next"], last["previous"]) == (None, "http://testserver/findings/?format=json")
    assert (first["next"], first["previous"]) == ("http://testserver/findings/?format=json&page=2", None)


def test_json_links_keep_only_what_the_page_understood(wpsr, client, settings):
    settings.PORTAL_PAGE_SIZE = 2
    data = client.get("/findings/", {"format": "json", "sort": "nope", "tag": "digital-technology"}).json()
    assert data["count"] == _findings().filter(tags__slug="digital-technology").count() > 2
    assert data["next"] == "http://testserver/findings/?format=json&tag=digital-technology&page=2"


def test_csv_has_a_header_and_one_row_per_item_in_order(wpsr, rf):
    response = download(formats.CSV, _findings(), rf.get("/findings/", {"format": "csv"}), "key-findings")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="key-findings.csv"'
    assert "X-Rows-Truncated" not in response
    header, *rows = _csv_rows(response)
    assert header == COLUMNS
    assert [row[0] for row in rows] == [f"finding:{finding.slug}" for finding in _findings()]
    assert rows[5] == [
        f"finding:{AI_FINDING}",
        "finding",
        AI_FINDING_TEXT,
        f"http://testserver/findings/{AI_FINDING}/",
        "AI; Corruption; Digital technology; Procurement",
        f"Digital technology; {CHAPTER_3}",
        "http://testserver/topics/digital-technology/; http://testserver/chapters/chapter-3/",
        SEED_DECK,
        "",
        "", "", "", "",  # authors, publication date, external link, summary: a finding has none
    ]


def test_csv_of_contributions_has_their_authors_date_link_and_summary(wpsr, rf):
    response = download(formats.CSV, Contribution.objects.published().for_listing(), rf.get("/contributions/"))
    header, *rows = _csv_rows(response)
    fox = dict(zip(header, next(row for row in rows if row[0] == f"contribution:{FOX_SLUG}"), strict=True))
    assert [fox[column] for column in ("authors", "publication_date", "external_url")] == [
        "Jonathan Fox", "October 2023", FOX_LINK,
    ]
    assert fox["summary"].startswith("Reviews institutionally resilient participatory oversight reforms")


def test_csv_lists_only_the_items_given(wpsr, rf):
    items = _findings().filter(tags__slug="ai")
    rows = _csv_rows(download(formats.CSV, items, rf.get("/findings/")))[1:]
    assert [row[0] for row in rows] == [f"finding:{AI_FINDING}"]


def test_csv_stops_at_the_row_limit_and_says_how_many_there_were(wpsr, rf, monkeypatch):
    monkeypatch.setattr(formats, "ROW_LIMIT", 5)
    response = download(formats.CSV, _findings(), rf.get("/findings/"))
    rows = _csv_rows(response)[1:]
    assert [row[0] for row in rows] == [f"finding:{finding.slug}" for finding in _findings()[:5]]
    assert response["X-Rows-Truncated"] == "18"


@pytest.mark.parametrize("extra", [0, 20])
def test_csv_reads_related_rows_per_chunk_not_per_item(wpsr, rf, django_assert_num_queries, extra):
    add_contributions_with_authors(extra)
    contributions = Contribution.objects.published().for_listing()
    # How many there are (to say whether the file is cut), the contributions with chapter and
    # source, their tags, their authors.
    with django_assert_num_queries(4):
        response = download(formats.CSV, contributions, rf.get("/contributions/"))
    assert len(_csv_rows(response)) == 1 + 13 + extra


def add_contributions_with_authors(count):
    """`count` more tagged contributions in chapter 3, each with an author of its own."""
    chapter = Chapter.objects.get(slug="chapter-3")
    for n in range(count):
        contribution = make_contribution(chapter=chapter, tags=["Resilience", f"extra-{n}"])
        contribution.authors.add(make_author(chapter.source))


@pytest.fixture
def accented_finding(db):
    return make_finding(text="Participación ciudadana: éxito en São Paulo", tags=["Participación"])


def test_csv_starts_with_a_byte_order_mark_so_that_excel_reads_the_accents(accented_finding, rf):
    content = download(formats.CSV, Finding.objects.published().for_listing(), rf.get("/findings/")).getvalue()
    assert content.startswith(b"\xef\xbb\xbfid,kind,")  # the mark, once, then the header
    assert content.count(b"\xef\xbb\xbf") == 1
    # Python's csv module, told that the file may start with the mark:
    [header, row] = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert (header[0], row[2], row[4]) == ("id", "Participación ciudadana: éxito en São Paulo", "Participación")
    # pandas, as a researcher would open it, without being told anything:
    frame = pandas.read_csv(io.BytesIO(content))
    assert list(frame.columns) == COLUMNS
    assert (frame.loc[0, "title"], frame.loc[0, "tags"]) == ("Participación ciudadana: éxito en São Paulo", "Participación")


@pytest.mark.parametrize(
    "text, cell",
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+2", "'\t=1+2"),
        ("'quoted already", "''quoted already"),
        ("-3", "-3"),  # a number, not a formula: as it is
        ("Plain text = fine", "Plain text = fine"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(db, rf, text, cell):
    make_finding(text=text)
    rows = _csv_rows(download(formats.CSV, Finding.objects.published().for_listing(), rf.get("/findings/")))
    assert rows[1][COLUMNS.index("title")] == cell


def test_csv_tag_cell_that_starts_like_a_formula_starts_with_a_quote(db, rf):
    make_finding(tags=["=cmd|' /C calc'!A0", "Data"])
    rows = _csv_rows(download(formats.CSV, Finding.objects.published().for_listing(), rf.get("/findings/")))
    assert rows[1][COLUMNS.index("tags")] == "'=cmd|' /C calc'!A0; Data"


def _atom(response):
    return ElementTree.fromstring(response.getvalue())


def test_atom_feed_has_title_links_and_one_entry_per_item(wpsr, rf):
    request = rf.get("/findings/", {"format": "atom", "tag": "digital-technology"})
    items = _findings().filter(tags__slug="digital-technology")

    response = atom_response(items, request, "Key findings: Digital technology", "/findings/?tag=digital-technology")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = _atom(response)
    here = "http://testserver/findings/?format=atom&tag=digital-technology"
    assert feed.findtext(f"{ATOM}title") == "Key findings: Digital technology"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://testserver/findings/?tag=digital-technology", "self": here}
    assert feed.findtext(f"{ATOM}id") == here
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == UN_DESA
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [finding.text for finding in items]
    entry = entries[[finding.slug for finding in items].index(AI_FINDING)]
    url = f"http://testserver/findings/{AI_FINDING}/"
    assert entry.find(f"{ATOM}link").attrib == {"href": url, "rel": "alternate"}
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.findtext(f"{ATOM}summary") == AI_FINDING_TEXT
    assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == [
        "AI", "Corruption", "Digital technology", "Procurement",
    ]
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == UN_DESA
    # Loaded content has no publication date: the documented fixed date stands in.
    assert entry.findtext(f"{ATOM}updated") == "2023-01-01T00:00:00+00:00"
    assert entry.find(f"{ATOM}published") is None


def test_atom_entry_dates_come_from_publication(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    finding.published_at = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    entry = _atom(atom_response([finding], rf.get("/findings/"), "Key findings", "/findings/")).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == "2024-05-06T07:08:09+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2024-05-06T07:08:09+00:00"


def test_atom_summary_shows_markup_characters_literally(wpsr, rf):
    finding = _findings().get(slug=AI_FINDING)
    finding.text = "R&D budgets < 5% of <b>spending</b>"
    entry = _atom(atom_response([finding], rf.get("/findings/"), "Key findings", "/findings/")).find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    # The summary is HTML, so the text arrives escaped once more and reads as typed.
    assert summary.get("type") == "html"
    assert summary.text == "R&amp;D budgets &lt; 5% of &lt;b&gt;spending&lt;/b&gt;"


def test_atom_names_a_contributions_authors(wpsr, rf):
    contribution = Contribution.objects.published().for_listing().get(slug=FOX_SLUG)
    feed = _atom(atom_response([contribution], rf.get("/contributions/"), "Expert contributions", "/contributions/"))
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == FOX_TITLE
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Jonathan Fox"
    assert entry.findtext(f"{ATOM}summary").startswith("Reviews institutionally resilient participatory oversight reforms")


@pytest.mark.parametrize("items", [[], Finding.objects.none()], ids=["list", "queryset"])
def test_empty_atom_feed_is_still_valid(db, rf, items):
    feed = _atom(atom_response(items, rf.get("/findings/"), "Key findings", "/findings/"))
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == UN_DESA
    assert feed.findtext(f"{ATOM}updated")


def test_downloads_stream_in_chunks_instead_of_being_built_in_memory(wpsr):
    response = django.test.Client().get("/findings/?format=csv")
    assert response.streaming
    chunks = list(response.streaming_content)
    assert chunks[0].startswith(b"\xef\xbb\xbfid,kind,")
    assert len(_csv_rows_of(b"".join(chunks))) == 1 + 18


def test_large_downloads_beyond_the_limit_are_told_to_come_back_later(wpsr, client, settings):
    settings.PORTAL_LARGE_EXPORT_ROWS = 5  # the 18 findings are a large download; 2 are not
    settings.PORTAL_LARGE_EXPORTS_AT_ONCE = 1
    # A visitor whose large download is still arriving holds the one place.
    arriving = django.test.Client().get("/findings/?format=csv")
    assert arriving.status_code == 200

    refused = client.get("/findings/?format=bibtex")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert "Too many large downloads at once" in visible_text(refused.getvalue())
    assert "try again in 30 seconds" in visible_text(refused.getvalue())
    # The page that says so is for people: in the language of the page the download came from.
    in_arabic = client.get("/ar/findings/?format=ris")
    assert in_arabic.status_code == 429
    assert '<html lang="ar" dir="rtl">' in in_arabic.getvalue().decode()
    with translation.override("ar"):
        assert translation.gettext("Too many large downloads at once") in visible_text(in_arabic.getvalue())
    small = client.get("/findings/?tag=data&format=bibtex")  # a small download never waits
    assert small.status_code == 200
    assert client.get("/").status_code == 200

    assert len(_csv_rows_of(b"".join(arriving.streaming_content))) == 1 + 18  # done: the place is free
    assert client.get("/findings/?format=bibtex").status_code == 200


def _csv_rows_of(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# Issue 7, gaps: a cell that starts with a carriage return or a tab, public and admin; tags
# whose names hold the CSV separators.

WHITESPACE_FORMULAS = [("\r=1+2", "'\r=1+2"), ("\t=1+2", "'\t=1+2")]
WHITESPACE_IDS = ["carriage-return", "tab"]


def _public_csv(client, url="/findings/?format=csv"):
    response = client.get(url)
    assert response.status_code == 200
    header, *rows = _csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("text, cell", WHITESPACE_FORMULAS, ids=WHITESPACE_IDS)
def test_public_csv_text_that_starts_with_a_carriage_return_or_tab_then_a_formula_starts_with_a_quote(db, client, text, cell):
    finding = make_finding(text=text)
    assert Finding.objects.get(pk=finding.pk).text == text  # stored as typed, whitespace first
    [row] = _public_csv(client)
    assert row["title"] == cell


@pytest.mark.parametrize("name, cell", WHITESPACE_FORMULAS, ids=WHITESPACE_IDS)
def test_public_csv_tag_that_starts_with_a_carriage_return_or_tab_then_a_formula_starts_with_a_quote(db, client, name, cell):
    finding = make_finding()
    finding.tags.add(Tag.objects.create(name=name, slug="whitespace-formula"), "Data")
    [row] = _public_csv(client)
    assert row["tags"] == f"{cell}; Data"


@pytest.fixture
def signed_in_curator(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("curator", "curator@example.org", "a long passphrase 42"))
    return client


@pytest.mark.parametrize("text, cell", WHITESPACE_FORMULAS, ids=WHITESPACE_IDS)
def test_admin_csv_text_and_tag_that_start_with_a_carriage_return_or_tab_start_with_a_quote(
    wpsr, signed_in_curator, text, cell
):
    Finding.objects.filter(slug=AI_FINDING).update(text=text)
    Finding.objects.get(slug=AI_FINDING).tags.set([Tag.objects.create(name=text, slug="whitespace-formula")])
    row = next(row for row in _exported_rows(signed_in_curator) if row["slug"] == AI_FINDING)
    assert row["text"] == cell
    assert row["tags"] == cell


@pytest.mark.parametrize("text", [text for text, _ in WHITESPACE_FORMULAS], ids=WHITESPACE_IDS)
def test_admin_xlsx_keeps_text_that_starts_with_a_carriage_return_or_tab_as_text(wpsr, signed_in_curator, text):
    Finding.objects.filter(slug=AI_FINDING).update(text=text)
    content = _export(signed_in_curator, admin.site._registry[Finding], XLSX_FORMAT).getvalue()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == AI_FINDING)
    cell = row[ADMIN_HEADER.index("text")]
    # Text, kept text when edited. (Whether the exact value comes back is the round-trip test's.)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert cell.value.endswith("=1+2")


def test_public_csv_keeps_a_tag_with_a_comma_in_one_cell(db, client):
    make_finding(tags=["Health, safety", "Data"])
    [row] = _public_csv(client)
    assert row["tags"] == "Data; Health, safety"
    assert row["tags"].split(CSV_SEPARATOR) == ["Data", "Health, safety"]


def test_tags_whose_names_hold_a_comma_or_a_semicolon_reach_the_json_export_exactly(db, client):
    make_finding(tags=["Health, safety", "Data; privacy"])
    [row] = _public_csv(client)
    # The CSV cell joins names with "; ", so a name that holds "; " cannot be told apart
    # from two names there: the JSON export is where the exact names are.
    assert row["tags"] == "Data; privacy; Health, safety"
    [result] = client.get("/findings/?format=json").json()["results"]
    assert [tag["name"] for tag in result["tags"]] == ["Data; privacy", "Health, safety"]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
@pytest.mark.parametrize("text", [text for text, _ in WHITESPACE_FORMULAS], ids=WHITESPACE_IDS)
def test_admin_export_of_text_that_starts_with_a_carriage_return_or_tab_re_imports_unchanged(
    wpsr, signed_in_curator, text, file_format
):
    Finding.objects.filter(slug=AI_FINDING).update(text=text)
    content = _export(signed_in_curator, admin.site._registry[Finding], file_format).getvalue()
    preview = _preview(signed_in_curator, content, file_format=file_format, name="export")
    assert set(_preview_kinds(preview).values()) == {"skip"}
    response = _confirm(signed_in_curator, preview)
    assert "Import finished: 0 new, 0 updated, 0 deleted and 18 skipped findings." in visible_text(response.getvalue())
    assert Finding.objects.get(slug=AI_FINDING).text == text
