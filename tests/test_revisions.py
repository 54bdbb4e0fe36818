"""Edits to published items go through review: an Editor proposes, a Publisher publishes."""
import pytest
from django.urls import reverse

from findings.models import Finding, Revision

from .factories import make_member
from .html import visible_text

SLUG = "ai-to-identify-corruption-in-procurement"
TEXT = "Help address development challenges (e.g. AI to identify corruption in procurement)"
PROPOSED = "Help address development challenges (e.g. AI that flags corruption in public procurement)"


def _change_url(finding):
    return reverse("admin:findings_finding_change", args=[finding.pk])


def _form(client, finding, **changes):
    """The change form as the admin fills it, with `changes` typed in."""
    response = client.get(_change_url(finding))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "tags":
            value = ", ".join(f'"{tag.name}"' if "," in tag.name else tag.name for tag in value)
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, list):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = "" if value is None else value
    data.update(changes)
    return data


@pytest.fixture
def editor(client, wpsr):
    client.force_login(make_member("editor", "Editors"))
    return client


@pytest.fixture
def finding(wpsr):
    return Finding.objects.get(slug=SLUG)


def test_an_editors_change_to_a_published_item_waits_and_the_public_sees_the_published_one(editor, finding):
    response = editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED, tags="AI, Procurement"), follow=True)
    assert response.status_code == 200
    assert "waits for a Publisher" in visible_text(response.getvalue())

    finding.refresh_from_db()
    assert finding.text == TEXT
    assert sorted(finding.tags.names()) == ["AI", "Corruption", "Digital technology", "Procurement"]
    editor.logout()
    public = visible_text(editor.get(f"/findings/{SLUG}/").getvalue())
    assert TEXT in public and PROPOSED not in public
    revision = Revision.objects.get(state="pending")
    assert revision.data["text"] == PROPOSED and revision.data["tags"] == ["AI", "Procurement"]


def test_a_publisher_sees_the_difference_and_publishes_it(editor, finding, client):
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED, tags="AI, Procurement"))
    revision = Revision.objects.get(state="pending")
    client.force_login(make_member("publisher", "Publishers"))

    review = client.get(revision.get_absolute_url())
    text = visible_text(review.getvalue())
    assert f"Text {TEXT} {PROPOSED}" in text
    assert "Tags AI, Corruption, Digital technology, Procurement AI, Procurement" in text
    assert 'value="Publish this change"' in review.getvalue().decode()

    response = client.post(revision.get_absolute_url(), {"publish": "Publish this change"}, follow=True)
    assert "Published the change proposed by editor." in visible_text(response.getvalue())
    finding.refresh_from_db()
    assert finding.text == PROPOSED
    assert sorted(finding.tags.names()) == ["AI", "Procurement"]
    latest = finding.history.first()
    assert latest.history_user.username == "publisher"
    assert latest.history_change_reason.startswith("Published the change proposed by editor on ")
    assert latest.tag_names == "AI, Procurement"
    client.logout()
    assert PROPOSED in visible_text(client.get(f"/findings/{SLUG}/").getvalue())


def test_an_editor_cannot_publish_a_proposal_even_by_a_forged_request(editor, finding):
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED))
    revision = Revision.objects.get(state="pending")
    assert "Only Publishers can publish or reject it." in visible_text(editor.get(revision.get_absolute_url()).getvalue())
    assert editor.post(revision.get_absolute_url(), {"publish": "1"}).status_code == 403
    finding.refresh_from_db()
    assert finding.text == TEXT and Revision.objects.get(pk=revision.pk).state == "pending"


def test_a_publishers_own_edit_goes_live_at_once(client, finding):
    client.force_login(make_member("publisher", "Publishers"))
    client.post(_change_url(finding), _form(client, finding, text=PROPOSED))
    finding.refresh_from_db()
    assert finding.text == PROPOSED
    assert not Revision.objects.exists()


def test_an_editors_change_to_a_draft_applies_at_once(editor, finding):
    finding.status = "draft"
    finding.save()
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED, status="draft"))
    finding.refresh_from_db()
    assert finding.text == PROPOSED and not Revision.objects.exists()


def test_the_history_shows_the_proposal_and_its_publication(editor, finding, client):
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED))
    client.force_login(make_member("publisher", "Publishers"))
    history_url = reverse("admin:findings_finding_history", args=[finding.pk])
    text = visible_text(client.get(history_url).getvalue())
    assert "Proposed changes" in text and "Waiting for a Publisher" in text and "editor" in text
    revision = Revision.objects.get()
    client.post(revision.get_absolute_url(), {"publish": "1"})
    text = visible_text(client.get(history_url).getvalue())
    assert "Published" in text and "Published the change proposed by editor on" in text


def test_a_later_proposal_replaces_the_pending_one(editor, finding):
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED))
    editor.post(_change_url(finding), _form(editor, finding, text=PROPOSED + " (again)"))
    assert list(Revision.objects.order_by("pk").values_list("state", flat=True)) == ["replaced", "pending"]


def test_an_editors_slug_change_takes_effect_with_a_redirect_once_published(editor, finding, client):
    editor.post(_change_url(finding), _form(editor, finding, slug="ai-against-corruption"))
    assert client.get(f"/findings/{SLUG}/").status_code == 200
    publisher = make_member("publisher", "Publishers")
    client.force_login(publisher)
    client.post(Revision.objects.get().get_absolute_url(), {"publish": "1"})
    client.logout()
    response = client.get(f"/findings/{SLUG}/")
    assert response.status_code == 301 and response["Location"] == "/findings/ai-against-corruption/"


def test_an_editors_tag_action_on_a_published_item_is_a_proposal(editor, finding):
    changelist = reverse("admin:findings_finding_changelist")
    response = editor.post(
        changelist,
        {"action": "add_tags", "_selected_action": [finding.pk], "tags": "Public procurement"},
        follow=True,
    )
    assert "waits for a Publisher" in visible_text(response.getvalue())
    assert "Public procurement" not in finding.tags.names()
    assert "Public procurement" in Revision.objects.get(state="pending").data["tags"]


def test_an_editors_import_cannot_change_a_published_item(editor, finding):
    from .test_import_export import _csv, _exported_rows, _preview

    rows = _exported_rows(editor)
    row = next(row for row in rows if row["slug"] == SLUG)
    row["text"] = PROPOSED
    preview = _preview(editor, _csv(rows, header=list(rows[0])))
    text = visible_text(preview.getvalue())
    number = rows.index(row) + 1
    assert (
        f"Row {number} changes a published finding: only Publishers can change published items by import. "
        "Change it in its form instead, where the change waits for a Publisher."
    ) in text
    assert "Confirm import" not in text
    finding.refresh_from_db()
    assert finding.text == TEXT
