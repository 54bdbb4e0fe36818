"""Security answers on every response: the policies, bad requests that stay 400s, and text that
cannot reverse a page (bidirectional controls)."""
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import CharField, TextField
from django.db.models.signals import pre_save
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from findings.models import Finding

from .factories import make_finding, make_topic
from .html import headings_h1, visible_text
from .test_admin import MODELS

POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    # "border-top: 0", "background:#e6ffe6;" and "background:#ffe6e6;": the admin libraries' fixed style attributes
    "style-src-attr": (
        "'unsafe-hashes' 'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM=' "
        "'sha256-AFyijjilwBx8kC+SMDLzasw2VV9MWz1VYVQ8xIgdMlA=' 'sha256-S0qL3AVCJ6EdYX2E0yOmH+5YvauOwNAxIl4pJ/0IUUg='"
    ),
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS = (
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=()"
)
# Every bidirectional embedding, override and isolate character.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RLO = "\u202e"  # right-to-left override: "abc\u202edef" shows as "abcfed"
TOO_MANY_PARAMETERS = "&".join(f"p{number}=1" for number in range(1001))


def _policy(response):
    """The Content-Security-Policy header as {directive: sources} (django-csp orders them freely)."""
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, sources in directives}


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/findings/?format=csv", 200),
        ("/findings/?format=atom", 200),
        ("/admin/login/", 200),
        ("/admin/", 302),
        ("/no-such-page/", 404),
        ("/findings/?tag=%00", 400),
        ("/static/css/portal.css", 200),
    ],
)
def test_every_response_carries_the_content_security_policy_and_permissions_policy(wpsr, client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert _policy(response) == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == PERMISSIONS


def test_the_https_redirect_carries_the_policies_too(db, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/findings/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/findings/")
    assert _policy(response) == POLICY
    assert response["Permissions-Policy"] == PERMISSIONS


def test_the_server_error_page_has_no_inline_style_or_script():
    html = render_to_string("500.html")
    assert "Sorry, something went wrong" in visible_text(html)
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html


# Bad requests: 400 and the site's page, not a 500.


@pytest.mark.parametrize("ssl_redirect", [False, True], ids=["http", "https-redirect"])
def test_an_unknown_host_is_a_bad_request(db, client, settings, ssl_redirect):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = ssl_redirect

    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert headings_h1(response.getvalue()) == ["Bad request"]
    assert "evil.example" not in response.getvalue().decode()


def test_more_than_1000_query_parameters_is_a_bad_request(db, client, settings):
    settings.DEBUG = False
    response = client.get(f"/findings/?{TOO_MANY_PARAMETERS}")
    assert response.status_code == 400
    assert headings_h1(response.getvalue()) == ["Bad request"]
    assert "such as a control character or more than 1,000 parameters" in visible_text(response.getvalue())


def test_more_than_1000_query_parameters_is_a_bad_request_in_development_mode_too(db, client, settings):
    """DEBUG's error page reads the query string again: it must not fail on it a second time."""
    settings.DEBUG = True
    response = client.get(f"/findings/?{TOO_MANY_PARAMETERS}")
    assert response.status_code == 400
    assert "TooManyFieldsSent" in response.getvalue().decode()


def test_a_form_with_more_than_1000_fields_is_a_bad_request_in_development_mode_too(db, client, settings):
    settings.DEBUG = True
    response = client.post("/admin/login/", TOO_MANY_PARAMETERS, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


# Bidirectional controls are stripped on save, whoever saves.


def _has_bidi_control(content: str) -> bool:
    """Whether `content` carries a bidirectional control, raw or escaped (JSON, HTML)."""
    escapes = [f"\\u{ord(c):04x}" for c in BIDI_CONTROLS] + [f"&#{ord(c)};" for c in BIDI_CONTROLS]
    return bool(set(BIDI_CONTROLS) & set(content)) or any(escape in content.lower() for escape in escapes)


@pytest.mark.parametrize("model", [*MODELS, Tag], ids=[model.__name__ for model in [*MODELS, Tag]])
def test_saving_strips_bidi_controls_from_every_text_field(model):
    text_fields = [field for field in model._meta.concrete_fields if isinstance(field, CharField | TextField)]
    assert text_fields, f"{model.__name__} has no text field"
    instance = model(**{field.attname: f"a{BIDI_CONTROLS}b" for field in text_fields})

    pre_save.send(sender=model, instance=instance, raw=False, using="default", update_fields=None)

    assert {field.name: getattr(instance, field.attname) for field in text_fields} == {field.name: "ab" for field in text_fields}


def test_a_bidi_override_reaches_no_page_download_feed_or_citation(db, client):
    topic = make_topic(title=f"Budgets {RLO}online", tags=[f"{RLO}Remote work"])
    finding = make_finding(topic=topic, text=f"Procurement {RLO}moved online", tags=[f"Open {RLO}data"])

    finding.refresh_from_db()
    assert finding.text == "Procurement moved online"
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Open data", "Remote work"]
    detail = finding.get_absolute_url()
    for url, expected in [
        (detail, "Procurement moved online"),
        (f"{detail}?format=bibtex", "Procurement moved online"),
        (f"{detail}?format=ris", "Procurement moved online"),
        ("/findings/?format=csv", "Procurement moved online"),
        ("/findings/?format=atom", "Procurement moved online"),
        ("/findings/?format=json", "Procurement moved online"),
        (topic.get_absolute_url(), "Budgets online"),
        ("/tags/", "Remote work"),
        ("/search/?q=procurement", "moved online"),
    ]:
        response = client.get(url)
        content = response.getvalue().decode()
        assert response.status_code == 200, url
        assert expected in content, url
        assert not _has_bidi_control(content), url
    assert "Cite this" in visible_text(client.get(detail).getvalue())


@pytest.fixture
def curator(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("curator", "curator@example.org", "a long passphrase 42"))
    return client


def test_the_admin_form_strips_bidi_controls(db, curator):
    finding = make_finding(tags=["Data"])

    response = curator.post(
        reverse("admin:findings_finding_change", args=[finding.pk]),
        {
            "topic": finding.topic_id, "order": finding.order, "text": f"Reversed {RLO}text", "slug": finding.slug,
            "source": finding.source_id, "source_note": f"{RLO}note", "status": "published", "tags": f"Data, {RLO}Rights",
        },
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.text, finding.source_note, sorted(finding.tags.names())) == ("Reversed text", "note", ["Data", "Rights"])
    assert finding.history.first().text == "Reversed text"


def test_an_import_strips_bidi_controls(db, curator):
    topic = make_topic(slug="imported-topic")
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["slug", "topic", "order", "text", "tags", "source", "source_note", "status"])
    writer.writerow(["imported", topic.slug, "1", f"Imported {RLO}text", f"{RLO}Imported tag", topic.source.slug, "", "published"])
    upload = SimpleUploadedFile("findings.csv", rows.getvalue().encode())
    preview = curator.post(reverse("admin:findings_finding_import"), {"format": "0", "import_file": upload})

    curator.post(reverse("admin:findings_finding_process_import"), preview.context["confirm_form"].initial)

    finding = Finding.objects.get(slug="imported")
    assert (finding.text, finding.tags.names()[0]) == ("Imported text", "Imported tag")


def test_a_form_without_its_csrf_token_gets_the_sites_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "someone", "password": "a long passphrase 42"})

    assert response.status_code == 403
    assert headings_h1(response.getvalue()) == ["Form not accepted"]
    text = visible_text(response.getvalue())
    assert "The form failed this site’s security check" in text
    assert "WPSR 2023 innovation portal" in text
