"""Editors and Publishers: who may publish, checked on the request itself, not on the buttons shown."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from findings.models import Finding

from .factories import make_draft, make_member
from .html import visible_text


@pytest.fixture
def editor(client, db):
    client.force_login(make_member("editor", "Editors"))
    return client


@pytest.fixture
def publisher(client, db):
    client.force_login(make_member("publisher", "Publishers"))
    return client


@pytest.fixture
def draft(wpsr):
    return make_draft(Finding, "hybrid-service-delivery-models")


def _change(client, finding, **changes):
    data = {
        "topic": finding.topic_id, "order": finding.order, "text": finding.text, "slug": finding.slug,
        "source": finding.source_id, "source_note": finding.source_note, "status": finding.status,
        "tags": ", ".join(finding.tags.names()),
    }
    return client.post(reverse("admin:findings_finding_change", args=[finding.pk]), {**data, **changes})


def _action(client, action, *findings):
    return client.post(
        reverse("admin:findings_finding_changelist"),
        {"action": action, "_selected_action": [f.pk for f in findings], "tags": ""},
        follow=True,
    )


def test_the_groups_exist_after_migrate(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    publishers = set(Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True))
    assert {"add_finding", "change_finding", "view_finding"} <= editors
    assert not {"publish_finding", "delete_finding"} & editors
    assert {"publish_finding", "delete_finding", "publish_topic", "publish_report"} <= publishers
    assert editors < publishers


def test_editor_sends_a_draft_to_review(draft, editor):
    response = _change(editor, draft, status="review", text="Hybrid service delivery models (edited)")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.text) == ("review", "Hybrid service delivery models (edited)")


def test_editor_cannot_publish_even_with_a_forged_form(draft, editor):
    response = _change(editor, draft, status="published")
    assert response.status_code == 200
    assert "Only Publishers can publish or unpublish." in visible_text(response.getvalue())
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.published_at is None


def test_editor_cannot_unpublish_with_a_forged_form(wpsr, editor):
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    response = _change(editor, finding, status="draft")
    assert "Only Publishers can publish or unpublish." in visible_text(response.getvalue())
    assert Finding.objects.get(pk=finding.pk).status == "published"


def test_editor_cannot_run_the_publish_action(draft, editor):
    page = editor.get(reverse("admin:findings_finding_changelist"))
    assert 'value="publish"' not in page.getvalue().decode()
    _action(editor, "publish", draft)
    assert Finding.objects.get(pk=draft.pk).status == "draft"


def test_editor_moving_published_items_to_draft_changes_nothing(wpsr, editor):
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    response = _action(editor, "move_to_draft", finding)
    assert "Nothing changed. Only Publishers can publish or unpublish." in visible_text(response.getvalue())
    assert Finding.objects.get(pk=finding.pk).status == "published"


def test_editor_cannot_delete(wpsr, editor):
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    response = editor.post(reverse("admin:findings_finding_delete", args=[finding.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_publisher_publishes_from_the_form_and_is_recorded(draft, publisher, client):
    response = _change(publisher, draft, status="published")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_by.username == "publisher"
    assert draft.published_at is not None
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_publisher_publishes_and_unpublishes_from_the_list(draft, publisher):
    response = _action(publisher, "publish", draft)
    assert "Published: 1 finding." in visible_text(response.getvalue())
    assert Finding.objects.get(pk=draft.pk).status == "published"
    response = _action(publisher, "unpublish", draft)
    assert "Unpublished: 1 finding." in visible_text(response.getvalue())
    unpublished = Finding.objects.get(pk=draft.pk)
    assert (unpublished.status, unpublished.published_at) == ("review", None)


def test_superuser_can_publish(draft, admin_client):
    _change(admin_client, draft, status="published")
    assert Finding.objects.get(pk=draft.pk).status == "published"


def test_bulk_tag_actions_add_and_remove_tags(wpsr, admin_client):
    findings = list(Finding.objects.filter(topic__slug="digital-technology"))
    admin_client.post(
        reverse("admin:findings_finding_changelist"),
        {"action": "add_tags", "_selected_action": [f.pk for f in findings], "tags": "Resilience"},
    )
    assert all("resilience" in f.tags.slugs() for f in findings)
    admin_client.post(
        reverse("admin:findings_finding_changelist"),
        {"action": "remove_tags", "_selected_action": [f.pk for f in findings], "tags": "Resilience, Data"},
    )
    assert not any({"resilience", "data"} & set(f.tags.slugs()) for f in findings)


def test_view_only_staff_can_neither_move_nor_restore(wpsr, client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="a long passphrase 42", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_finding"))
    client.force_login(viewer)
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    page = client.get(reverse("admin:findings_finding_changelist")).getvalue().decode()
    assert 'value="send_to_review"' not in page and 'value="add_tags"' not in page

    _action(client, "move_to_draft", finding)
    record = finding.history.first()
    response = client.post(
        reverse("admin:findings_finding_simple_history", args=[finding.pk, record.history_id]),
        {"text": "A viewer's edit", "topic": finding.topic_id, "order": finding.order, "slug": finding.slug,
         "source": finding.source_id, "status": "published", "tags": "Data"},
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=finding.pk).status == "published"
    assert Finding.objects.get(pk=finding.pk).text == "Hybrid service delivery models"
