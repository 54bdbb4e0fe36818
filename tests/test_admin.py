"""The curators' admin: every model registered, searchable, filterable, tags editable."""
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from findings.models import Chapter, Curated, Finding

from .factories import make_member
from .html import headings_h1, visible_text

# The curated content models: not the Historical* models django-simple-history adds beside
# them, nor the search index tables, which the indexer keeps and nobody edits.
MODELS = [model for model in apps.get_app_config("findings").get_models() if issubclass(model, Curated)]


@pytest.fixture
def curator(client, django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.org", "a long passphrase 42")
    client.force_login(user)
    return client


def test_every_content_model_is_registered():
    assert [model.__name__ for model in MODELS if not admin.site.is_registered(model)] == []


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_changelist_opens_and_searches(wpsr, curator, model):
    url = reverse(f"admin:findings_{model._meta.model_name}_changelist")
    response = curator.get(url, {"q": "innovation"})
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"
    assert model_admin.list_filter, f"{model.__name__} has no list filter"


def test_search_finds_a_finding_by_its_text(wpsr, curator):
    response = curator.get(reverse("admin:findings_finding_changelist"), {"q": "corruption"})
    text = visible_text(response.getvalue())
    assert "Help address development challenges (e.g. AI to identify corruption in procurement)" in text
    assert "1 result" in text


def test_filter_by_tag_in_the_changelist(wpsr, curator):
    from taggit.models import Tag

    tag = Tag.objects.get(slug="data")
    response = curator.get(reverse("admin:findings_finding_changelist"), {"tags__id__exact": tag.pk})
    text = visible_text(response.getvalue())
    assert "Access to and analysis of data to inform decision-making during the pandemic" in text
    assert "Essential role in furthering innovation" not in text


@pytest.mark.parametrize("model_name", ["chapter", "contribution", "topic", "finding", "suggestion", "dimension", "author"])
def test_add_form_prefills_the_slug(db, curator, model_name):
    response = curator.get(reverse(f"admin:findings_{model_name}_add"))
    assert response.status_code == 200
    assert 'id="id_slug"' in response.getvalue().decode()
    assert "prepopulated_fields" in response.getvalue().decode() or "data-prepopulated-fields" in response.getvalue().decode()


def test_curator_edits_a_findings_tags(wpsr, curator):
    finding = Finding.objects.get(slug="data-to-inform-decision-making")
    response = curator.post(
        reverse("admin:findings_finding_change", args=[finding.pk]),
        {
            "topic": finding.topic_id,
            "order": finding.order,
            "text": finding.text,
            "slug": finding.slug,
            "source": finding.source_id,
            "source_note": "",
            "status": "published",
            "tags": "Data, Crisis management",
        },
    )
    assert response.status_code == 302
    assert sorted(finding.tags.slugs()) == ["crisis-management", "data"]
    page = visible_text(curator.get(finding.get_absolute_url()).getvalue())
    assert "Tags (editorial): Crisis management Data" in page


def test_anonymous_visitors_are_sent_to_the_admin_login(wpsr, client):
    response = client.get(reverse("admin:findings_finding_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("path", ["abc/history/", "abc/history/xyz/", "{pk}/history/xyz/", "{pk}/history/1x/"])
def test_a_history_address_with_a_malformed_id_is_not_found(wpsr, curator, path):
    finding = Finding.objects.get(slug="data-to-inform-decision-making")
    response = curator.get("/admin/findings/finding/" + path.format(pk=finding.pk))
    assert response.status_code == 404
    assert headings_h1(response.getvalue()) == ["Page not found"]


def test_the_history_pages_of_an_item_still_open(wpsr, curator):
    finding = Finding.objects.get(slug="data-to-inform-decision-making")
    version = finding.history.first()
    assert curator.get(f"/admin/findings/finding/{finding.pk}/history/").status_code == 200
    assert curator.get(f"/admin/findings/finding/{finding.pk}/history/{version.pk}/").status_code == 200


def test_an_editor_who_tries_to_delete_gets_the_sites_access_denied_page(wpsr, client):
    client.force_login(make_member("editor", "Editors"))
    finding = Finding.objects.get(slug="data-to-inform-decision-making")

    response = client.get(reverse("admin:findings_finding_delete", args=[finding.pk]))

    assert response.status_code == 403
    assert headings_h1(response.getvalue()) == ["Access denied"]
    text = visible_text(response.getvalue())
    assert "Your account may not do this." in text and "only Publishers publish, unpublish and delete" in text
    assert "WPSR 2023 innovation portal" in text  # the site's own page, not a bare "403 Forbidden"
    assert Finding.objects.filter(pk=finding.pk).exists()


def test_an_over_long_title_is_a_validation_message(wpsr, curator):
    """The form says so before the database is asked: no DataError on PostgreSQL."""
    chapter = Chapter.objects.get(number=3)
    response = curator.post(
        reverse("admin:findings_chapter_change", args=[chapter.pk]),
        {
            "report": chapter.report_id, "number": chapter.number, "title": "x" * 301, "slug": chapter.slug,
            "source": chapter.source_id, "source_note": "", "status": chapter.status,
        },
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters (it has 301)." in visible_text(response.getvalue())
    assert Chapter.objects.get(pk=chapter.pk).title == chapter.title
