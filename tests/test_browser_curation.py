"""In a real browser: an Editor changes a finding and sends it to review, a Publisher publishes
it, and the public page then shows the change with no serious or critical axe violation."""
import importlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from findings.models import Finding

from .factories import PASSWORD, make_member
from .test_browser import _format_violations

pytestmark = pytest.mark.browser

SLUG = "hybrid-service-delivery-models"
NEW_TEXT = "Hybrid service delivery models, online and in person"


@pytest.fixture
def roles(site):
    """The groups of migration 0002 again: live-server tests flush the database after each
    test, and the flush recreates permissions but not the data a migration added."""
    migration = importlib.import_module("findings.migrations.0002_editors_and_publishers")
    for role in ("Editors", "Publishers"):
        group, _ = Group.objects.get_or_create(name=role)
        codenames = migration._codenames(role)
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=["findings", "taggit"], codename__in=codenames))


def _sign_in(page, site, username):
    page.goto(site + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def _sign_out(page):
    page.get_by_role("button", name="Log out").click()


def test_editor_changes_and_publisher_publishes(site, roles, page):
    make_member("editor", "Editors")
    make_member("publisher", "Publishers")
    finding = Finding.objects.get(slug=SLUG)
    finding.status = "draft"
    finding.save()
    change_url = f"{site}/admin/findings/finding/{finding.pk}/change/"

    # The Editor rewrites the draft and sends it to review; "Published" is refused.
    _sign_in(page, site, "editor")
    page.goto(change_url)
    page.get_by_label("Text").fill(NEW_TEXT)
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Only Publishers can publish or unpublish.")).to_be_visible()
    page.get_by_label("Status").select_option("review")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    _sign_out(page)

    # Still not public.
    response = page.goto(f"{site}/findings/{SLUG}/")
    assert response.status == 404

    # The Publisher publishes it from the list with the bulk action.
    _sign_in(page, site, "publisher")
    page.goto(f"{site}/admin/findings/finding/?status__exact=review")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Published: 1 finding.")).to_be_visible()
    _sign_out(page)

    # The public page shows the Editor's words, and passes axe.
    page.goto(f"{site}/findings/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TEXT)
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, _format_violations(f"/findings/{SLUG}/", violations)

    published = Finding.objects.get(slug=SLUG)
    assert (published.status, published.published_by.username) == ("published", "publisher")
    assert [record.history_user.username for record in published.history.all()[:2]] == ["publisher", "editor"]


def test_the_admin_works_under_the_content_security_policy(site, page, tmp_path):
    """Each kind of admin page with its scripts at work: lists and actions, prepopulated slugs,
    autocomplete, history, import, export, the lockout. The `page` fixture fails the test on
    any Content-Security-Policy violation Chromium reports."""
    get_user_model().objects.create_superuser("curator", "curator@example.org", PASSWORD)
    finding = Finding.objects.get(slug=SLUG)
    _sign_in(page, site, "curator")
    admin = f"{site}/admin/findings/finding"

    # The list: "select all" counts the selection (actions.js), the filters show (filters.js).
    page.goto(f"{admin}/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text("18 of 18 selected")
    expect(page.get_by_role("heading", name="Filter")).to_be_visible()

    # A new finding: the slug follows the text (prepopulate.js); the topic list comes from the
    # autocomplete view (select2).
    page.goto(f"{admin}/add/")
    page.get_by_label("Text").press_sequentially("A new finding under the policy")
    expect(page.get_by_label("Slug")).to_have_value("a-new-finding-under-the-policy")
    page.locator("#id_topic + .select2").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")

    # History: the list of versions and one version, ready to revert.
    page.goto(f"{admin}/{finding.pk}/history/")
    page.locator("#change-history a").first.click()
    expect(page.get_by_role("button", name="Revert")).to_be_visible()
    page.goto(f"{admin}/{finding.pk}/delete/")
    expect(page.get_by_role("button", name="Yes, I’m sure")).to_be_visible()

    # Import: the file's extension picks the format (guess_format.js); the preview, then the import.
    exported = tmp_path / "findings.csv"
    tags = ", ".join(sorted(finding.tags.names()))
    exported.write_text(
        "slug,topic,order,text,tags,source,source_note,status\n"
        f'{SLUG},{finding.topic.slug},{finding.order},"{NEW_TEXT}","{tags}",{finding.source.slug},,{finding.status}\n',
        encoding="utf-8",
    )
    page.goto(f"{admin}/import/")
    page.get_by_label("File to import").set_input_files(exported)
    expect(page.get_by_label("Format")).to_have_value("0")
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Import finished: 0 new, 1 updated, 0 deleted and 0 skipped findings.")).to_be_visible()

    # Export: "Select all" clears and ticks every column (js/admin_export.js).
    page.goto(f"{admin}/export/")
    columns = page.locator(".selectable-field-export-row input[type=checkbox]")
    page.get_by_label("Select all").uncheck()
    expect(columns.and_(page.locator(":checked"))).to_have_count(0)
    page.get_by_label("Select all").check()
    expect(columns.and_(page.locator(":not(:checked)"))).to_have_count(0)

    # The lockout page, after five wrong passwords.
    _sign_out(page)
    for _ in range(5):
        page.goto(site + "/admin/login/?next=/admin/")
        page.get_by_label("Username").fill("curator")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Sign-in locked")).to_be_visible()
