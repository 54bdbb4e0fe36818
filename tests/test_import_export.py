"""Bulk import and export in the admin: CSV and XLSX, rows by slug, previewed, all or nothing, in history;
no spreadsheet formulas; tags as curators type them, there and in the tag field and actions."""
import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from findings.models import Contribution, Finding, Status, Topic
from findings.tagging import parse_tags, tag_string

from .factories import make_finding, make_member, quietly
from .html import visible_text

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # their places in CuratedAdmin.formats
SLUG = "ai-to-identify-corruption-in-procurement"
TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
HEADER = ["slug", "topic", "order", "text", "tags", "source", "source_note", "status"]
ADMINS = [model_admin for model, model_admin in admin.site._registry.items() if hasattr(model_admin, "resource_classes")]


@pytest.fixture
def curator(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("curator", "curator@example.org", "a long passphrase 42"))
    return client


def _member(client, name, group):
    client.force_login(make_member(name, group))
    return client


@pytest.fixture
def editor(client, db):
    return _member(client, "editor", "Editors")


@pytest.fixture
def publisher(client, db):
    return _member(client, "publisher", "Publishers")


def _export(client, model_admin, file_format):
    """What the export page sends with every column ticked, as it opens."""
    resource = model_admin.resource_classes[0]
    columns = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    return client.post(reverse(f"admin:findings_{model_admin.opts.model_name}_export"), {"format": file_format, **columns})


def _exported_rows(client, model_admin=None):
    response = _export(client, model_admin or admin.site._registry[Finding], CSV_FORMAT)
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _preview(client, content, model_name="finding", file_format=CSV_FORMAT, name="findings.csv"):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse(f"admin:findings_{model_name}_import"), {"format": file_format, "import_file": upload})


def _confirm(client, preview, model_name="finding"):
    """Press "Confirm import": the preview's hidden fields, sent on."""
    form = preview.context["confirm_form"]
    return client.post(reverse(f"admin:findings_{model_name}_process_import"), form.initial, follow=True)


def _preview_kinds(response, model=Finding):
    """What the preview's first column says of each row, by slug."""
    slugs = dict(model.objects.values_list("pk", "slug"))
    return {slugs[row.object_id]: row.import_type for row in response.context["result"].valid_rows()}


def _history_count():
    return Finding.history.count()


def _new_rows(count, tags="Bench, Digital technology"):
    return [
        {"slug": f"new-{n}", "topic": "digital-technology", "order": str(100 + n), "text": f"New finding {n}",
         "tags": tags, "source": "presentation-egm-2023-09", "source_note": "", "status": "draft"}
        for n in range(count)
    ]


def test_changelist_offers_import_and_export_and_the_change_form_keeps_history(wpsr, curator):
    text = visible_text(curator.get(reverse("admin:findings_finding_changelist")).getvalue())
    assert "Import Export Add finding" in text
    finding = Finding.objects.get(slug=SLUG)
    page = curator.get(reverse("admin:findings_finding_change", args=[finding.pk])).getvalue().decode()
    assert reverse("admin:findings_finding_history", args=[finding.pk]) in page


def test_export_page_offers_csv_and_xlsx_only(wpsr, curator):
    form = curator.get(reverse("admin:findings_finding_export")).context["form"]
    assert [label for value, label in form.fields["format"].choices if value] == ["csv", "xlsx"]


def test_csv_export_has_the_text_and_tag_names(wpsr, curator):
    response = _export(curator, admin.site._registry[Finding], CSV_FORMAT)
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="Finding-')
    assert response.getvalue().startswith(b"\xef\xbb\xbfslug,")  # a byte-order mark, for Excel
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 18
    assert list(rows[0]) == HEADER
    row = next(row for row in rows if row["slug"] == SLUG)
    assert row == {
        "slug": SLUG, "topic": "digital-technology", "order": "1", "text": TEXT,
        "tags": "AI, Corruption, Digital technology, Procurement",
        "source": "presentation-egm-2023-09", "source_note": "", "status": "published",
    }


def test_xlsx_export_has_the_text_and_tag_names(wpsr, curator):
    response = _export(curator, admin.site._registry[Finding], XLSX_FORMAT)
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert [SLUG, "digital-technology", 1, TEXT, "AI, Corruption, Digital technology, Procurement"] in [row[:5] for row in rows]


def test_preview_shows_the_changed_row_as_update_and_the_others_as_skipped(wpsr, curator, django_user_model):
    rows = _exported_rows(curator)
    changed = next(row for row in rows if row["slug"] == SLUG)
    changed.update(text=TEXT + ", and in customs", tags="AI, Corruption, Customs")

    preview = _preview(curator, _csv(rows))

    kinds = _preview_kinds(preview)
    assert kinds.pop(SLUG) == "update"
    assert set(kinds.values()) == {"skip"} and len(kinds) == 17
    text = visible_text(preview.getvalue())
    assert "Preview" in text and "Update" in text and "Skipped" in text
    assert Finding.objects.get(slug=SLUG).text == TEXT  # the preview writes nothing


def test_confirming_applies_the_change_with_one_history_entry_by_the_importer(wpsr, curator, django_user_model):
    rows = _exported_rows(curator)
    changed = next(row for row in rows if row["slug"] == SLUG)
    changed.update(text=TEXT + ", and in customs", tags="AI, Corruption, Customs")
    before = _history_count()

    response = _confirm(curator, _preview(curator, _csv(rows)))

    assert "Import finished: 0 new, 1 updated, 0 deleted and 17 skipped findings." in visible_text(response.getvalue())
    finding = Finding.objects.get(slug=SLUG)
    assert finding.text == TEXT + ", and in customs"
    assert sorted(finding.tags.names()) == ["AI", "Corruption", "Customs"]
    assert Tag.objects.filter(name="Customs").exists()
    assert _history_count() == before + 1
    latest = finding.history.first()
    assert latest.history_user == django_user_model.objects.get(username="curator")
    assert latest.history_change_reason == "Imported from findings.csv"
    assert latest.tag_names == "AI, Corruption, Customs"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"topic": "no-such-topic"}, "topic", "There is no topic with the slug “no-such-topic”."),
        ({"text": ""}, "text", "This field cannot be blank."),
        ({"order": "fourth"}, "order", "“fourth” is not a whole number."),
    ],
    ids=["unknown topic", "blank text", "order not a number"],
)
def test_a_file_with_one_bad_row_writes_nothing_and_names_the_row(wpsr, curator, change, field, message):
    rows = _exported_rows(curator)[:3]
    rows[0]["text"] = "A valid change in row 1"
    rows[1].update(change)  # row 2 of the file's data, line 3 counting the header
    before = {finding.slug: finding.text for finding in Finding.objects.all()}

    preview = _preview(curator, _csv(rows))

    text = visible_text(preview.getvalue())
    assert "Some rows failed to validate" in text
    assert f"2 1 {field} {message}" in text  # the row number, its error count, the column and the error
    assert "Confirm import" not in text
    assert [(row.number, list(row.error_dict)) for row in preview.context["result"].invalid_rows] == [(2, [field])]
    assert {finding.slug: finding.text for finding in Finding.objects.all()} == before


def test_unknown_related_topic_is_a_row_error(wpsr, curator):
    rows = _exported_rows(curator, admin.site._registry[Contribution])
    rows[4]["related_topics"] = "digital-technology, no-such-topic"

    preview = _preview(curator, _csv(rows, header=list(rows[0])), model_name="contribution")

    assert "5 1 related_topics There is no topic with the slug “no-such-topic”." in visible_text(preview.getvalue())


def test_confirmation_writes_nothing_if_a_row_fails_by_then(wpsr, curator):
    """All or nothing even when the content changes between preview and confirmation."""
    rows = _exported_rows(curator)
    first = rows[0]
    first["text"] = "Changed in row 1"
    last = rows[-1]
    assert first["topic"] != last["topic"]
    preview = _preview(curator, _csv(rows))
    assert "Confirm import" in visible_text(preview.getvalue())
    # Meanwhile another curator renames the topic the last row points to.
    Topic.objects.filter(slug=last["topic"]).update(slug="renamed-meanwhile")

    response = _confirm(curator, preview)

    assert "Nothing was imported" in visible_text(response.getvalue())
    assert Finding.objects.get(slug=first["slug"]).text != "Changed in row 1"


def test_reimporting_an_unchanged_export_changes_nothing(wpsr, curator):
    content = _export(curator, admin.site._registry[Finding], CSV_FORMAT).getvalue()
    counts, history = (Finding.objects.count(), Tag.objects.count()), _history_count()

    preview = _preview(curator, content)
    assert set(_preview_kinds(preview).values()) == {"skip"}
    response = _confirm(curator, preview)

    assert "Import finished: 0 new, 0 updated, 0 deleted and 18 skipped findings." in visible_text(response.getvalue())
    assert (Finding.objects.count(), Tag.objects.count()) == counts
    assert _history_count() == history


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
@pytest.mark.parametrize("model_admin", ADMINS, ids=[model_admin.opts.model_name for model_admin in ADMINS])
def test_every_kind_round_trips_unchanged(wpsr, curator, model_admin, file_format):
    """Links, dates, numbers, blank cells and tags read back as they were written, so every row is skipped."""
    content = _export(curator, model_admin, file_format).getvalue()
    preview = _preview(curator, content, model_name=model_admin.opts.model_name, file_format=file_format, name="export")
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.valid_rows()} == {"skip"}
    assert len(result.valid_rows()) == model_admin.model.objects.count() > 0


def test_xlsx_round_trip_applies_an_edit_made_in_the_spreadsheet(wpsr, curator):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(curator, admin.site._registry[Finding], XLSX_FORMAT).getvalue()))
    sheet = workbook.active
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == SLUG)
    row[HEADER.index("tags")].value = "AI, Corruption, Procurement, Spreadsheets"
    edited = io.BytesIO()
    workbook.save(edited)

    preview = _preview(curator, edited.getvalue(), file_format=XLSX_FORMAT, name="findings.xlsx")
    kinds = _preview_kinds(preview)
    assert kinds.pop(SLUG) == "update" and set(kinds.values()) == {"skip"}
    _confirm(curator, preview)

    assert sorted(Finding.objects.get(slug=SLUG).tags.names()) == ["AI", "Corruption", "Procurement", "Spreadsheets"]


def test_an_editor_cannot_publish_by_import(wpsr, editor):
    rows = _exported_rows(editor)
    rows[2]["status"] = Status.REVIEW
    before = _history_count()

    preview = _preview(editor, _csv(rows))

    text = visible_text(preview.getvalue())
    assert (
        "3 1 status Row 3 changes the status from “published” to “review”: only Publishers can publish or unpublish."
        in text
    )
    assert "Confirm import" not in text
    assert Finding.objects.get(slug=rows[2]["slug"]).status == Status.PUBLISHED
    assert _history_count() == before


def test_an_editor_can_import_a_new_draft(wpsr, editor):
    row = {"slug": "a-new-finding", "topic": "digital-technology", "order": "9", "text": "A new finding",
           "tags": "AI", "source": "presentation-egm-2023-09", "source_note": "", "status": "draft"}

    response = _confirm(editor, _preview(editor, _csv([row])))

    assert "Import finished: 1 new, 0 updated, 0 deleted and 0 skipped findings." in visible_text(response.getvalue())
    finding = Finding.objects.get(slug="a-new-finding")
    assert (finding.status, finding.published_at, list(finding.tags.names())) == (Status.DRAFT, None, ["AI"])
    assert finding.history.get().history_user.username == "editor"


def test_a_publisher_can_publish_by_import(wpsr, publisher):
    slug = "hybrid-service-delivery-models"
    Finding.objects.filter(slug=slug).update(status=Status.REVIEW)
    rows = _exported_rows(publisher)
    assert next(row for row in rows if row["slug"] == slug)["status"] == Status.REVIEW
    next(row for row in rows if row["slug"] == slug)["status"] = Status.PUBLISHED

    response = _confirm(publisher, _preview(publisher, _csv(rows)))

    assert "Import finished: 0 new, 1 updated, 0 deleted and 17 skipped findings." in visible_text(response.getvalue())
    finding = Finding.objects.get(slug=slug)
    assert finding.status == Status.PUBLISHED
    assert finding.published_by.username == "publisher" and finding.published_at is not None


def test_users_without_add_or_change_rights_cannot_import(wpsr, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="a long passphrase 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_finding"))
    client.force_login(viewer)

    assert client.get(reverse("admin:findings_finding_import")).status_code == 403
    assert "Import" not in visible_text(client.get(reverse("admin:findings_finding_changelist")).getvalue()).split()
    assert _export(client, admin.site._registry[Finding], CSV_FORMAT).status_code == 200


# Spreadsheet formulas: no cell of an export is ever one, and the export still re-imports unchanged.

FORMULA = '=HYPERLINK("http://evil.example","x")'
# Text a spreadsheet would take for a formula (or that starts with the quote that prevents one).
FORMULA_LIKE = {
    SLUG: FORMULA,
    "data-to-inform-decision-making": "+1+2 data",
    "technology-is-not-a-solution-in-itself": "-2+3 technology",
    "hybrid-service-delivery-models": "@SUM(A1:A3)",
    "surge-in-collaboration-and-unity": "'quoted already",
}


@pytest.fixture
def formula_like_texts(wpsr):
    for slug, text in FORMULA_LIKE.items():
        Finding.objects.filter(slug=slug).update(text=text)
    Finding.objects.get(slug=SLUG).tags.add("=cmd|' /C calc'!A0")


def test_xlsx_export_writes_formula_like_text_as_text(formula_like_texts, curator):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(curator, admin.site._registry[Finding], XLSX_FORMAT).getvalue()))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {row[0].value: row[HEADER.index("text")] for row in workbook.active.iter_rows(min_row=2)}
    assert {slug: texts[slug].value for slug in FORMULA_LIKE} == FORMULA_LIKE
    assert (texts[SLUG].data_type, texts[SLUG].quotePrefix) == ("s", True)  # Excel keeps it text when edited
    row = next(row for row in workbook.active.iter_rows(min_row=2) if row[0].value == SLUG)
    assert row[HEADER.index("tags")].value == "=cmd|' /C calc'!A0, AI, Corruption, Digital technology, Procurement"
    assert (row[HEADER.index("order")].value, row[HEADER.index("order")].data_type) == (1, "n")  # numbers stay numbers


def test_csv_export_starts_formula_like_cells_with_a_quote(formula_like_texts, curator):
    rows = {row["slug"]: row for row in _exported_rows(curator)}
    assert {slug: rows[slug]["text"] for slug in FORMULA_LIKE} == {
        SLUG: "'" + FORMULA,
        "data-to-inform-decision-making": "'+1+2 data",
        "technology-is-not-a-solution-in-itself": "'-2+3 technology",
        "hybrid-service-delivery-models": "'@SUM(A1:A3)",
        "surge-in-collaboration-and-unity": "''quoted already",
    }
    assert rows[SLUG]["tags"] == "'=cmd|' /C calc'!A0, AI, Corruption, Digital technology, Procurement"
    assert rows[SLUG]["order"] == "1"


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_formula_like_text_round_trips_unchanged(formula_like_texts, curator, file_format):
    content = _export(curator, admin.site._registry[Finding], file_format).getvalue()
    history = _history_count()

    preview = _preview(curator, content, file_format=file_format, name="export")
    assert set(_preview_kinds(preview).values()) == {"skip"}
    response = _confirm(curator, preview)

    assert "Import finished: 0 new, 0 updated, 0 deleted and 18 skipped findings." in visible_text(response.getvalue())
    assert {slug: Finding.objects.get(slug=slug).text for slug in FORMULA_LIKE} == FORMULA_LIKE
    assert _history_count() == history


def test_a_quote_typed_before_a_formula_in_a_csv_file_is_removed(wpsr, curator):
    """What a curator types in a spreadsheet to keep a cell text is not part of the text."""
    rows = _exported_rows(curator)
    next(row for row in rows if row["slug"] == SLUG)["text"] = "'=1+2 is not a formula"
    _confirm(curator, _preview(curator, _csv(rows)))
    assert Finding.objects.get(slug=SLUG).text == "=1+2 is not a formula"


# Tags: commas separate them, a name may contain spaces (findings.tagging), everywhere.

@pytest.mark.parametrize(
    "typed, names",
    [
        ("Digital technology", ["Digital technology"]),
        ('"Health, education", Data', ["Health, education", "Data"]),
        ("  Open   data ,, open data, DATA , Data", ["Open data", "DATA"]),
        ('5" screens, "Say ""hi"", there"', ['5" screens', 'Say "hi", there']),
        ('"Crisis management", Data', ["Crisis management", "Data"]),  # as history entries recorded them before
        ("", []),
    ],
)
def test_tag_text_is_read_as_curators_type_it_and_written_back_the_same(typed, names):
    assert parse_tags(typed) == names
    assert parse_tags(tag_string(names)) == names


def test_tag_string_quotes_only_names_with_a_comma():
    assert tag_string(["Data", "Digital technology", "Health, education"]) == 'Data, Digital technology, "Health, education"'


def test_a_tag_name_longer_than_the_database_holds_is_refused():
    with pytest.raises(ValidationError) as refused:
        parse_tags("Data, " + "x" * 101)
    assert refused.value.messages == [f"The tag “{'x' * 40}…” has 101 characters; a tag has at most 100."]


def _change_finding(client, finding, tags):
    return client.post(reverse("admin:findings_finding_change", args=[finding.pk]), {
        "topic": finding.topic_id, "order": finding.order, "text": finding.text, "slug": finding.slug,
        "source": finding.source_id, "source_note": finding.source_note, "status": finding.status, "tags": tags,
    })


def test_admin_tag_field_keeps_a_name_with_spaces_and_says_how_to_type_tags(wpsr, curator):
    finding = Finding.objects.get(slug=SLUG)
    page = curator.get(reverse("admin:findings_finding_change", args=[finding.pk]))
    assert "Separate tags with commas; a tag may contain spaces." in visible_text(page.getvalue())
    assert 'value="AI, Corruption, Digital technology, Procurement"' in page.getvalue().decode()

    assert _change_finding(curator, finding, 'Digital technology, Open data, "Health, education"').status_code == 302
    assert sorted(finding.tags.names()) == ["Digital technology", "Health, education", "Open data"]
    page = curator.get(reverse("admin:findings_finding_change", args=[finding.pk])).getvalue().decode()
    assert 'value="Digital technology, &quot;Health, education&quot;, Open data"' in page


def test_admin_tag_field_refuses_a_tag_too_long_for_the_database(wpsr, curator):
    finding = Finding.objects.get(slug=SLUG)
    response = _change_finding(curator, finding, "Data, " + "y" * 120)
    assert response.status_code == 200
    assert f"The tag “{'y' * 40}…” has 120 characters; a tag has at most 100." in visible_text(response.getvalue())
    assert sorted(finding.tags.names()) == ["AI", "Corruption", "Digital technology", "Procurement"]


def _tag_action(client, action, findings, tags):
    return client.post(
        reverse("admin:findings_finding_changelist"),
        {"action": action, "_selected_action": [finding.pk for finding in findings], "tags": tags},
        follow=True,
    )


def test_bulk_tag_actions_read_names_with_spaces_and_quoted_commas(wpsr, curator):
    findings = list(Finding.objects.filter(topic__slug="digital-technology"))
    response = _tag_action(curator, "add_tags", findings, 'Open data, "Health, education"')
    assert 'Added Open data, "Health, education" to 3 items.' in visible_text(response.getvalue())
    assert all({"Open data", "Health, education"} <= set(finding.tags.names()) for finding in findings)

    _tag_action(curator, "remove_tags", findings, 'open DATA, "Health, education"')  # case does not matter
    assert not any({"Open data", "Health, education"} & set(finding.tags.names()) for finding in findings)


def test_bulk_tag_action_refuses_a_tag_too_long_for_the_database(wpsr, curator):
    findings = list(Finding.objects.filter(topic__slug="digital-technology"))
    response = _tag_action(curator, "add_tags", findings, "z" * 101)
    assert f"Nothing changed. The tag “{'z' * 40}…” has 101 characters; a tag has at most 100." in visible_text(
        response.getvalue()
    )
    assert not Tag.objects.filter(name__startswith="zzz").exists()


def test_import_refuses_a_tag_too_long_for_the_database(wpsr, curator):
    rows = _exported_rows(curator)[:2]
    rows[1]["tags"] = "Data, " + "w" * 101

    preview = _preview(curator, _csv(rows))

    assert f"2 1 tags The tag “{'w' * 40}…” has 101 characters; a tag has at most 100." in visible_text(preview.getvalue())
    assert "Confirm import" not in visible_text(preview.getvalue())


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_tags_with_commas_and_spaces_round_trip(wpsr, curator, file_format):
    finding = Finding.objects.get(slug=SLUG)
    finding.tags.set(["Health, education", "Digital technology", 'Say "hi"'])
    content = _export(curator, admin.site._registry[Finding], file_format).getvalue()

    preview = _preview(curator, content, file_format=file_format, name="export")

    assert set(_preview_kinds(preview).values()) == {"skip"}
    exported = {row["slug"]: row for row in _exported_rows(curator)}
    assert exported[SLUG]["tags"] == 'Digital technology, "Health, education", "Say ""hi"""'


def test_import_sets_tags_with_spaces_and_commas_and_records_them_in_history(wpsr, curator):
    rows = _exported_rows(curator)
    next(row for row in rows if row["slug"] == SLUG)["tags"] = 'Digital technology, "Health, education", ai'

    response = _confirm(curator, _preview(curator, _csv(rows)))

    assert "Import finished: 0 new, 1 updated, 0 deleted and 17 skipped findings." in visible_text(response.getvalue())
    finding = Finding.objects.get(slug=SLUG)
    # "ai" is the existing tag "AI": names match whatever their case.
    assert sorted(finding.tags.names()) == ["AI", "Digital technology", "Health, education"]
    assert finding.history.first().tag_names == 'AI, Digital technology, "Health, education"'


# Files that cannot be imported as they are say why, on the import page.

@pytest.mark.parametrize("column", ["slug", "topic"])
def test_a_file_without_a_required_column_is_refused_with_a_message(wpsr, curator, column):
    rows = _exported_rows(curator)[:3]
    header = [name for name in HEADER if name != column]
    before = _history_count()

    preview = _preview(curator, _csv([{name: row[name] for name in header} for row in rows], header=header))

    assert preview.status_code == 200
    text = visible_text(preview.getvalue())
    assert (
        f"The file has no column “{column}”, so nothing was imported. A file of findings needs the columns "
        "slug, topic, order, text, source (its first line names them)"
    ) in text
    assert "Traceback" not in text and "Confirm import" not in text
    assert _history_count() == before


ACCENTED = "Participación ciudadana – “co-creation” in São Paulo"


def test_a_csv_file_saved_by_excel_in_windows_1252_is_read_and_says_so(wpsr, curator):
    [row] = _new_rows(1)
    content = _csv([{**row, "text": ACCENTED, "tags": "Participación"}]).decode().encode("cp1252")

    preview = _preview(curator, content)

    text = visible_text(preview.getvalue())
    assert "This file is not UTF-8: it was read as Windows-1252 (cp1252)" in text
    assert f"New new-0 digital-technology 100 {ACCENTED} Participación" in text
    _confirm(curator, preview)
    finding = Finding.objects.get(slug="new-0")
    assert (finding.text, list(finding.tags.names())) == (ACCENTED, ["Participación"])


@pytest.mark.parametrize("mark", [b"", b"\xef\xbb\xbf"], ids=["without a byte-order mark", "with one"])
def test_a_utf8_file_is_read_as_utf8_without_a_note(wpsr, curator, mark):
    [row] = _new_rows(1)
    text = visible_text(_preview(curator, mark + _csv([{**row, "text": ACCENTED}])).getvalue())
    assert f"New new-0 digital-technology 100 {ACCENTED}" in text
    assert "Windows-1252" not in text


@pytest.mark.parametrize(
    "content, file_format, message",
    [
        (b"slug,topic\n\x81\x8d,x\n", CSV_FORMAT, "The file is neither UTF-8 nor Windows-1252 text."),
        (b"slug,topic\na,b,c\n", CSV_FORMAT, "Line 2 of the file has 3 cells, but its first line names only 2 columns."),
        (b"slug,topic\na,b\n", XLSX_FORMAT, "The file could not be read as an Excel workbook (.xlsx)."),
    ],
    ids=["neither encoding", "more cells than columns", "not a workbook"],
)
def test_a_file_that_cannot_be_read_says_why_on_the_import_form(wpsr, curator, content, file_format, message):
    response = _preview(curator, content, file_format=file_format)
    assert response.status_code == 200
    text = visible_text(response.getvalue())
    assert message in text and "Traceback" not in text


def test_a_file_that_names_an_item_twice_is_refused(wpsr, curator):
    rows = _exported_rows(curator)[:3]
    rows.append({**rows[0], "text": "The same finding again"})

    preview = _preview(curator, _csv(rows))

    assert (
        f"4 1 slug Rows 1 and 4 are both about the finding with slug “{rows[0]['slug']}”: a file names each item once."
    ) in visible_text(preview.getvalue())
    assert "Confirm import" not in visible_text(preview.getvalue())


# At spreadsheet scale: a constant number of queries per exported file and per imported row.

def test_export_reads_links_and_tags_per_chunk_not_per_row(wpsr, curator, django_assert_num_queries):
    topic = Topic.objects.get(slug="digital-technology")
    # The session, the user, the list's topic and tag filters (the admin's change list), the
    # findings, the topics and sources they link to, their tags.
    with django_assert_num_queries(8):
        small = _export(curator, admin.site._registry[Finding], CSV_FORMAT)
    with quietly():
        for n in range(40):
            make_finding(topic=topic, slug=f"more-{n}", tags=[f"Tag {n}", "Data"])
    with django_assert_num_queries(8):
        large = _export(curator, admin.site._registry[Finding], CSV_FORMAT)
    assert large.getvalue().count(b"\n") == small.getvalue().count(b"\n") + 40


def test_importing_a_row_costs_three_queries_whatever_the_file_size(wpsr, curator):
    """A savepoint, the row's INSERT, the savepoint's release: items, links, tags, history and
    search rows are read and written for the whole file at once."""
    counts = []
    for size in (10, 30):
        with CaptureQueriesContext(connection) as queries:
            preview = _preview(curator, _csv(_new_rows(size)))
        assert {row.import_type for row in preview.context["result"].valid_rows()} == {"new"}
        counts.append(len(queries))
    assert counts[1] - counts[0] == 3 * 20
