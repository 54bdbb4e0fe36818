"""/data/: the whole published content as a Frictionless Data Package that `frictionless`
validates, holding every published item and link and nothing else; and the schema.org JSON-LD
of the report's page and each detail page."""
import csv
import io
import json
import re
import zipfile

import pandas as pd
import pytest
from frictionless import validate

from findings.kinds import KINDS
from findings.models import Contribution, Finding, Source, Suggestion, Topic

from .factories import make_draft, make_finding
from .html import links

SERVER = "http://testserver"
ZIP = "/data/wpsr-2023-findings.zip"


def _csv(client, name):
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def _published_links():
    """{(kind, slug, topic slug)} of every related-topic link between published items."""
    links = set()
    for model in (Contribution, Suggestion):
        for item in model.objects.published().prefetch_related("related_topics"):
            published_topics = set(Topic.objects.published().values_list("slug", flat=True))
            links |= {
                (model.kind.name, item.slug, topic.slug) for topic in item.related_topics.all() if topic.slug in published_topics
            }
    return links


def test_the_zip_is_a_data_package_that_frictionless_validates(wpsr, client, tmp_path):
    response = client.get(ZIP)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="wpsr-2023-findings.zip"'
    with zipfile.ZipFile(io.BytesIO(response.getvalue())) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["wpsr-2023-findings/datapackage.json", "wpsr-2023-findings/links.csv"]
            + [f"wpsr-2023-findings/{kind.path}.csv" for kind in KINDS]
        )
        archive.extractall(tmp_path)
    report = validate(tmp_path / "wpsr-2023-findings" / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(KINDS) + 1


def test_the_files_online_are_those_of_the_zip(wpsr, client):
    with zipfile.ZipFile(io.BytesIO(client.get(ZIP).getvalue())) as archive:
        assert json.loads(archive.read("wpsr-2023-findings/datapackage.json")) == json.loads(client.get("/data/datapackage.json").getvalue())
        for kind in KINDS:
            assert archive.read(f"wpsr-2023-findings/{kind.path}.csv") == client.get(f"/data/{kind.path}.csv").getvalue()


def test_each_csv_holds_every_published_item_and_its_parent(wpsr, client):
    make_draft(Finding, "data-to-inform-decision-making")
    for kind in KINDS:
        rows = _csv(client, kind.path)
        published = kind.model.objects.published().for_listing()
        assert [row["slug"] for row in rows] == [item.slug for item in published], kind
    findings = {row["slug"]: row for row in _csv(client, "findings")}
    assert "data-to-inform-decision-making" not in findings
    assert len(findings) == 17
    assert findings["ai-to-identify-corruption-in-procurement"] == {
        "slug": "ai-to-identify-corruption-in-procurement",
        "title": "Help address development challenges (e.g. AI to identify corruption in procurement)",
        "text": "Help address development challenges (e.g. AI to identify corruption in procurement)",
        "url": f"{SERVER}/findings/ai-to-identify-corruption-in-procurement/",
        "topic": "digital-technology",
        "order": "1",
        "tags": "AI; Corruption; Digital technology; Procurement",
        "source_title": "Innovation in public administration: learning from the COVID-19 period (UN DESA slide deck presenting WPSR 2023 chapter 3)",
        "source_url": "",
    }
    fox = {row["slug"]: row for row in _csv(client, "contributions")}["governance-reform-and-public-service-provision"]
    assert (fox["chapter"], fox["authors"], fox["publication_date"]) == ("chapter-3", "Jonathan Fox", "October 2023")


def test_links_csv_holds_every_link_between_published_items(wpsr, client):
    make_draft(Topic, "digital-technology")
    rows = _csv(client, "links")
    found = {
        ("contribution" if row["contribution"] else "suggestion", row["contribution"] or row["suggestion"], row["topic"])
        for row in rows
    }
    assert found == _published_links()
    assert len(rows) == len(found) > 10
    assert all(row["relation"] == "related_topics" and row["basis"] == "editorial" for row in rows)
    assert not any(row["topic"] == "digital-technology" for row in rows)


def test_pandas_reads_the_csvs_as_the_readme_shows(wpsr, client):
    findings = pd.read_csv(io.BytesIO(client.get("/data/findings.csv").getvalue()))
    topics = pd.read_csv(io.BytesIO(client.get("/data/topics.csv").getvalue()))
    per_dimension = findings.merge(topics, left_on="topic", right_on="slug", suffixes=("", "_topic"))
    counts = per_dimension.groupby("dimension_title").size().to_dict()
    assert sum(counts.values()) == 18
    assert counts["Innovations and change in internal ways of working of public organizations"] == len(
        Finding.objects.published().filter(topic__dimension__slug="internal-ways-of-working")
    )


def test_the_descriptor_says_what_is_known_and_invents_no_licence(wpsr, client):
    descriptor = json.loads(client.get("/data/datapackage.json").getvalue())
    assert "licenses" not in descriptor
    assert "Licence: none is known." in descriptor["description"]
    assert descriptor["contributors"] == [
        {
            "title": "United Nations Department of Economic and Social Affairs (UN DESA), through its Division for Public "
            "Institutions and Digital Government (DPIDG)",
            "role": "publisher",
        }
    ]
    assert {source["path"] for source in descriptor["sources"]} == set(
        Source.objects.published().exclude(url="").values_list("url", flat=True)
    )
    findings = next(resource for resource in descriptor["resources"] if resource["name"] == "findings")
    assert findings["schema"]["primaryKey"] == ["slug"]
    assert findings["schema"]["foreignKeys"] == [{"fields": ["topic"], "reference": {"resource": "topics", "fields": ["slug"]}}]
    assert {field["name"]: field["type"] for field in findings["schema"]["fields"]}["order"] == "integer"


def test_the_data_page_links_every_download(wpsr, client):
    response = client.get("/data/")
    assert response.status_code == 200
    downloads = {link for link in links(response.getvalue()) if link.startswith(("/data/", "/api/"))}
    assert downloads == {
        ZIP, "/data/datapackage.json", *(f"/data/{kind.path}.csv" for kind in KINDS), "/data/links.csv",
        "/api/v1/docs", "/api/v1/openapi.json", "/data/",  # the last from the footer
    }
    for link in downloads:
        assert client.get(link).status_code == 200, link


def test_every_page_footer_links_the_api_docs_and_the_data(wpsr, client):
    for url in ("/", "/findings/", "/findings/ai-to-identify-corruption-in-procurement/", "/report/", "/search/?q=data"):
        page_links = links(client.get(url).getvalue())
        assert {ZIP, "/data/", "/api/v1/docs"} <= set(page_links), url


def test_downloads_are_open_to_other_origins_and_answer_304_to_a_repeat(wpsr, client):
    first = client.get("/data/findings.csv", HTTP_ORIGIN="https://research.example.edu")
    assert first["Access-Control-Allow-Origin"] == "*"
    assert client.get("/data/findings.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/data/no-such-table.csv").status_code == 404
    assert client.post("/data/findings.csv").status_code == 405


# JSON-LD ---------------------------------------------------------------------------------------------


def _structured_data(content):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content.decode(), re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_the_report_page_describes_the_report(wpsr, client):
    data = _structured_data(client.get("/report/").getvalue())
    assert data["@type"] == "Report"
    assert data["isbn"] == "9789210029094"
    assert data["publisher"]["name"].startswith("United Nations Department of Economic and Social Affairs (UN DESA)")
    assert {"@type": "PropertyValue", "propertyID": "eISBN", "value": "9789213585023"} in data["identifier"]


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_each_detail_page_describes_a_part_of_the_report(wpsr, client, kind):
    item = kind.model.objects.published().first()
    data = _structured_data(client.get(item.get_absolute_url()).getvalue())
    assert data["@type"] == "CreativeWork"
    assert data["url"] == SERVER + item.get_absolute_url()
    assert data["name"] == str(item)
    assert data["isPartOf"]["@type"] == "Report"
    assert data["isPartOf"]["isbn"] == "9789210029094"


def test_a_contribution_names_its_author(wpsr, client):
    data = _structured_data(client.get("/contributions/governance-reform-and-public-service-provision/").getvalue())
    assert data["author"][0] == {"@type": "Person", "name": "Jonathan Fox"}


def test_structured_data_cannot_end_its_script_element(db, client):
    finding = make_finding(text='</script><script>alert("x")</script> & <!-- more')
    response = client.get(finding.get_absolute_url())
    assert "</script><script>" not in response.getvalue().decode()
    assert _structured_data(response.getvalue())["name"] == '</script><script>alert("x")</script> & <!-- more'
