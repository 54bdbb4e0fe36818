"""Every change is recorded with who and when; any earlier version, even a deleted item, can be restored."""
from django.urls import reverse

from findings.models import Finding

from .html import visible_text

SLUG = "hybrid-service-delivery-models"


def _form_data(finding, tags=None, **changes):
    data = {
        "topic": finding.topic_id, "order": finding.order, "text": finding.text, "slug": finding.slug,
        "source": finding.source_id, "source_note": finding.source_note, "status": finding.status,
        "tags": tags if tags is not None else ", ".join(sorted(finding.tags.names())),
    }
    return {**data, **changes}


def _edit_in_admin(client, finding, **changes):
    return client.post(reverse("admin:findings_finding_change", args=[finding.pk]), _form_data(finding, **changes))


def test_loading_the_fixtures_records_a_first_version_with_its_tags(wpsr):
    record = Finding.objects.get(slug="ai-to-identify-corruption-in-procurement").history.get()
    assert (record.history_type, record.history_change_reason) == ("+", "Loaded from wpsr2023.json")
    # As the admin's tag field writes them: A to Z, commas between, quotes only around a comma.
    assert record.tag_names == "AI, Corruption, Digital technology, Procurement"


def test_admin_change_is_recorded_with_its_author_and_a_diff(wpsr, admin_client, admin_user):
    finding = Finding.objects.get(slug=SLUG)
    _edit_in_admin(admin_client, finding, text="Hybrid service delivery models, online and in person")

    assert finding.history.count() == 2
    latest = finding.history.first()
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [(change.field, change.old, change.new) for change in delta.changes] == [
        ("text", "Hybrid service delivery models", "Hybrid service delivery models, online and in person")
    ]
    page = visible_text(admin_client.get(reverse("admin:findings_finding_history", args=[finding.pk])).getvalue())
    assert "Hybrid service delivery models, online and in person" in page
    assert admin_user.username in page


def test_a_tag_change_in_the_admin_is_one_history_entry_with_the_new_tags(wpsr, admin_client):
    finding = Finding.objects.get(slug=SLUG)
    _edit_in_admin(admin_client, finding, tags="Hybrid services, Resilience")
    assert finding.history.count() == 2
    assert [record.tag_names for record in finding.history.all()] == ["Hybrid services, Resilience", "Hybrid services"]
    page = visible_text(admin_client.get(reverse("admin:findings_finding_history", args=[finding.pk])).getvalue())
    assert "Hybrid services, Resilience" in page  # the history list shows each version's tags


def test_shell_changes_are_recorded_too(wpsr):
    finding = Finding.objects.get(slug=SLUG)
    finding.text = "Changed in a shell"
    finding.save()
    finding.tags.add("Regulation")
    texts = [(record.text, record.tag_names, record.history_user) for record in finding.history.all()]
    assert texts == [
        ("Changed in a shell", "Hybrid services, Regulation", None),
        ("Changed in a shell", "Hybrid services", None),
        ("Hybrid service delivery models", "Hybrid services", None),
    ]


def test_restoring_an_earlier_version_from_the_admin_brings_back_text_and_tags(wpsr, admin_client):
    finding = Finding.objects.get(slug=SLUG)
    original = finding.history.get()
    _edit_in_admin(admin_client, finding, text="A wrong edit", tags="Data")
    assert Finding.objects.get(pk=finding.pk).text == "A wrong edit"

    revert_url = reverse("admin:findings_finding_simple_history", args=[finding.pk, original.history_id])
    form = admin_client.get(revert_url)
    assert "Revert" in visible_text(form.getvalue())
    assert 'value="Hybrid services"' in form.getvalue().decode()  # the form offers the old tags

    response = admin_client.post(revert_url, _form_data(original.instance, tags=original.tag_names))
    assert response.status_code == 302
    restored = Finding.objects.get(pk=finding.pk)
    assert restored.text == "Hybrid service delivery models"
    assert list(restored.tags.names()) == ["Hybrid services"]
    assert restored.history.count() == 3  # loaded, wrong edit, restore
    assert restored.history.first().tag_names == "Hybrid services"  # the restore's entry has the tags


def test_a_deleted_item_can_be_brought_back(wpsr, admin_client, client):
    finding = Finding.objects.get(slug=SLUG)
    pk, last = finding.pk, finding.history.first()
    admin_client.post(reverse("admin:findings_finding_delete", args=[pk]), {"post": "yes"})
    assert not Finding.objects.filter(pk=pk).exists()
    assert Finding.history.filter(id=pk).first().history_type == "-"
    assert admin_client.get(reverse("admin:findings_finding_history", args=[pk])).status_code == 200

    recover_url = reverse("admin:findings_finding_simple_history", args=[pk, last.history_id])
    response = admin_client.post(recover_url, _form_data(last.instance, tags=last.tag_names))
    assert response.status_code == 302
    recovered = Finding.objects.get(pk=pk)
    assert (recovered.text, list(recovered.tags.names())) == ("Hybrid service delivery models", ["Hybrid services"])
    assert recovered.history.first().tag_names == "Hybrid services"
    assert client.get(recovered.get_absolute_url()).status_code == 200
