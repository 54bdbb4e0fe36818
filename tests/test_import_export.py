"""Bulk import and export in the admin: CSV and XLSX, rows by slug, previewed, all or nothing, in history."""
import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag

from findings.models import Contribution, Finding, Status, Topic

from .factories import make_member
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
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


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


def test_changelist_offers_import_and_export_and_the_change_form_keeps_history(wpsr, curator):
    text = visible_text(curator.get(reverse("admin:findings_finding_changelist")).content)
    assert "Import Export Add finding" in text
    finding = Finding.objects.get(slug=SLUG)
    page = curator.get(reverse("admin:findings_finding_change", args=[finding.pk])).content.decode()
    assert reverse("admin:findings_finding_history", args=[finding.pk]) in page


def test_export_page_offers_csv_and_xlsx_only(wpsr, curator):
    form = curator.get(reverse("admin:findings_finding_export")).context["form"]
    assert [label for value, label in form.fields["format"].choices if value] == ["csv", "xlsx"]


def test_csv_export_has_the_text_and_tag_names(wpsr, curator):
    response = _export(curator, admin.site._registry[Finding], CSV_FORMAT)
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="Finding-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
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
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
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
    text = visible_text(preview.content)
    assert "Preview" in text and "Update" in text and "Skipped" in text
    assert Finding.objects.get(slug=SLUG).text == TEXT  # the preview writes nothing


def test_confirming_applies_the_change_with_one_history_entry_by_the_importer(wpsr, curator, django_user_model):
    rows = _exported_rows(curator)
    changed = next(row for row in rows if row["slug"] == SLUG)
    changed.update(text=TEXT + ", and in customs", tags="AI, Corruption, Customs")
    before = _history_count()

    response = _confirm(curator, _preview(curator, _csv(rows)))

    assert "Import finished: 0 new, 1 updated, 0 deleted and 17 skipped findings." in visible_text(response.content)
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

    text = visible_text(preview.content)
    assert "Some rows failed to validate" in text
    assert f"2 1 {field} {message}" in text  # the row number, its error count, the column and the error
    assert "Confirm import" not in text
    assert [(row.number, list(row.error_dict)) for row in preview.context["result"].invalid_rows] == [(2, [field])]
    assert {finding.slug: finding.text for finding in Finding.objects.all()} == before


def test_unknown_related_topic_is_a_row_error(wpsr, curator):
    rows = _exported_rows(curator, admin.site._registry[Contribution])
    rows[4]["related_topics"] = "digital-technology, no-such-topic"

    preview = _preview(curator, _csv(rows, header=list(rows[0])), model_name="contribution")

    assert "5 1 related_topics There is no topic with the slug “no-such-topic”." in visible_text(preview.content)


def test_confirmation_writes_nothing_if_a_row_fails_by_then(wpsr, curator):
    """All or nothing even when the content changes between preview and confirmation."""
    rows = _exported_rows(curator)
    first = rows[0]
    first["text"] = "Changed in row 1"
    last = rows[-1]
    assert first["topic"] != last["topic"]
    preview = _preview(curator, _csv(rows))
    assert "Confirm import" in visible_text(preview.content)
    # Meanwhile another curator renames the topic the last row points to.
    Topic.objects.filter(slug=last["topic"]).update(slug="renamed-meanwhile")

    response = _confirm(curator, preview)

    assert "Nothing was imported" in visible_text(response.content)
    assert Finding.objects.get(slug=first["slug"]).text != "Changed in row 1"


def test_reimporting_an_unchanged_export_changes_nothing(wpsr, curator):
    content = _export(curator, admin.site._registry[Finding], CSV_FORMAT).content
    counts, history = (Finding.objects.count(), Tag.objects.count()), _history_count()

    preview = _preview(curator, content)
    assert set(_preview_kinds(preview).values()) == {"skip"}
    response = _confirm(curator, preview)

    assert "Import finished: 0 new, 0 updated, 0 deleted and 18 skipped findings." in visible_text(response.content)
    assert (Finding.objects.count(), Tag.objects.count()) == counts
    assert _history_count() == history


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
@pytest.mark.parametrize("model_admin", ADMINS, ids=[model_admin.opts.model_name for model_admin in ADMINS])
def test_every_kind_round_trips_unchanged(wpsr, curator, model_admin, file_format):
    """Links, dates, numbers, blank cells and tags read back as they were written, so every row is skipped."""
    content = _export(curator, model_admin, file_format).content
    preview = _preview(curator, content, model_name=model_admin.opts.model_name, file_format=file_format, name="export")
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.valid_rows()} == {"skip"}
    assert len(result.valid_rows()) == model_admin.model.objects.count() > 0


def test_xlsx_round_trip_applies_an_edit_made_in_the_spreadsheet(wpsr, curator):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(curator, admin.site._registry[Finding], XLSX_FORMAT).content))
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

    text = visible_text(preview.content)
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

    assert "Import finished: 1 new, 0 updated, 0 deleted and 0 skipped findings." in visible_text(response.content)
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

    assert "Import finished: 0 new, 1 updated, 0 deleted and 17 skipped findings." in visible_text(response.content)
    finding = Finding.objects.get(slug=slug)
    assert finding.status == Status.PUBLISHED
    assert finding.published_by.username == "publisher" and finding.published_at is not None


def test_users_without_add_or_change_rights_cannot_import(wpsr, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="a long passphrase 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_finding"))
    client.force_login(viewer)

    assert client.get(reverse("admin:findings_finding_import")).status_code == 403
    assert "Import" not in visible_text(client.get(reverse("admin:findings_finding_changelist")).content).split()
    assert _export(client, admin.site._registry[Finding], CSV_FORMAT).status_code == 200
