"""Anonymous visitors' pages come from the cache, and every write path makes the next visitor
see the change (findings.cache): on the embedded default (a folder shared by every worker), on
Redis, and on the per-process cache the rest of the suite uses."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from taggit.models import Tag

from findings import workflow
from findings.models import Finding, Status

from .html import visible_text
from .test_history import _edit_in_admin, _form_data
from .test_import_export import _confirm, _csv, _preview

FINDING = "hybrid-service-delivery-models"
FINDING_URL = f"/findings/{FINDING}/"
TEXT = "Hybrid service delivery models"


def _visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _cached(client, url):
    """`url` as an anonymous visitor gets it twice: rendered, then from the cache."""
    first = _visit(client, url)
    second = _visit(client, url)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit"), url
    assert second.getvalue() == first.getvalue()
    return second


# --- what a visitor's browser sees ------------------------------------------------------------


def test_a_page_comes_from_the_cache_the_second_time_and_revalidates_with_its_etag(wpsr, client):
    page = _cached(client, "/findings/?tag=data")
    assert page["Cache-Control"] == "no-cache"
    assert "Cookie" in page["Vary"]
    assert page["ETag"].startswith('"') and page["ETag"].endswith('"')

    again = client.get("/findings/?tag=data", headers={"If-None-Match": page["ETag"]})
    assert again.status_code == 304
    assert again.getvalue() == b""
    assert again["ETag"] == page["ETag"]

    # Another address is another page with another tag.
    other = _visit(client, "/findings/?tag=digital-technology")
    assert other["ETag"] != page["ETag"]
    assert client.get("/findings/?tag=digital-technology", headers={"If-None-Match": page["ETag"]}).status_code == 200


def test_the_etag_changes_when_the_content_does(wpsr, client):
    before = _cached(client, FINDING_URL)
    finding = Finding.objects.get(slug=FINDING)
    finding.text = "Hybrid service delivery models, as edited"
    finding.save()

    after = client.get(FINDING_URL, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Hybrid service delivery models, as edited" in visible_text(after.getvalue())


def test_downloads_and_feeds_are_cached_too(wpsr, client):
    kept = {}
    for url in ("/findings/?format=csv", "/findings/?format=json", "/findings/?format=atom", "/report/?format=bibtex"):
        first = client.get(url)
        kept[url] = _visit(client, url)
        assert kept[url]["X-Cache"] == "hit"
        assert kept[url]["Content-Type"] == first["Content-Type"]
        assert kept[url].getvalue() == first.getvalue()
    assert kept["/findings/?format=csv"]["Content-Disposition"] == 'attachment; filename="findings.csv"'


def test_a_page_that_is_not_found_or_refused_is_not_kept(wpsr, client):
    for url in ("/findings/no-such-finding/", "/findings/?format=docx"):
        assert client.get(url).status_code in (400, 404)
        assert "X-Cache" not in client.get(url)


def test_signed_in_curators_get_live_pages_and_their_previews_are_never_kept(wpsr, client, admin_client):
    finding = Finding.objects.get(slug=FINDING)
    finding.status = Status.DRAFT
    finding.save()

    preview = admin_client.get(FINDING_URL)
    assert preview.status_code == 200
    assert "X-Cache" not in preview
    assert "X-Cache" not in admin_client.get(FINDING_URL)
    assert client.get(FINDING_URL).status_code == 404  # the public never gets the curator's preview

    assert TEXT not in visible_text(_visit(client, "/findings/").getvalue())
    assert "X-Cache" not in _visit(admin_client, "/findings/")


# --- every write path shows on the next anonymous request ------------------------------------


def _publish_in_admin(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    finding.status = Status.DRAFT
    finding.save()
    return lambda: admin_client.post(
        reverse("admin:findings_finding_changelist"), {"action": "publish", "_selected_action": [finding.pk]}
    )


def _edit(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    return lambda: _edit_in_admin(admin_client, finding, text="Hybrid service delivery models, edited")


def _tag_in_admin(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    return lambda: admin_client.post(
        reverse("admin:findings_finding_changelist"),
        {"action": "add_tags", "_selected_action": [finding.pk], "tags": "Cache proof"},
    )


def _import(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    row = {
        "slug": finding.slug, "topic": finding.topic.slug, "order": str(finding.order),
        "text": "Hybrid service delivery models, imported", "tags": ", ".join(sorted(finding.tags.names())),
        "source": finding.source.slug, "source_note": finding.source_note, "status": "published",
    }

    def import_file():
        preview = _preview(admin_client, _csv([row]))
        assert preview.status_code == 200
        assert _confirm(admin_client, preview).status_code == 200

    return import_file


def _revert(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    original = finding.history.get()
    _edit_in_admin(admin_client, finding, text="A wrong edit")
    url = reverse("admin:findings_finding_simple_history", args=[finding.pk, original.history_id])
    return lambda: admin_client.post(url, _form_data(original.instance, tags=original.tag_names))


def _rename_tag(admin_client):
    tag = Tag.objects.get(name="Hybrid services")
    return lambda: admin_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "Hybrid public services", "slug": tag.slug}
    )


def _delete(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    return lambda: admin_client.post(reverse("admin:findings_finding_delete", args=[finding.pk]), {"post": "yes"})


def _shell_publish(admin_client):
    finding = Finding.objects.get(slug=FINDING)
    finding.status = Status.DRAFT
    finding.save()

    def publish():
        workflow.set_status(finding, Status.PUBLISHED)
        finding.save()

    return publish


# (how the change is made, the page a visitor reads, what it shows after, what it no longer shows)
WRITES = {
    "publish": (_publish_in_admin, "/findings/?tag=hybrid-services", TEXT, None),
    "publish-in-shell": (_shell_publish, "/search/?q=hybrid", TEXT, None),
    "edit": (_edit, FINDING_URL, "Hybrid service delivery models, edited", None),
    "tag-change": (_tag_in_admin, FINDING_URL, "Cache proof", None),
    "import": (_import, "/findings/", "Hybrid service delivery models, imported", None),
    "revert": (_revert, FINDING_URL, TEXT, "A wrong edit"),
    "tag-rename": (_rename_tag, "/tags/", "Hybrid public services", None),
    "delete": (_delete, "/findings/", None, TEXT),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_shows_on_the_next_anonymous_request(wpsr, client, admin_client, write):
    prepare, url, shown, gone = write
    change = prepare(admin_client)
    before = visible_text(_cached(client, url).getvalue())
    assert shown is None or shown not in before
    assert gone is None or gone in before

    response = change()
    assert response is None or response.status_code in (200, 302)

    after = _visit(client, url)
    assert after["X-Cache"] == "miss"
    text = visible_text(after.getvalue())
    assert shown is None or shown in text
    assert gone is None or gone not in text


def test_merging_tags_shows_on_the_next_anonymous_request(wpsr, client, admin_client):
    before = visible_text(_cached(client, "/tags/").getvalue())
    assert "Crisis management" in before
    tags = Tag.objects.filter(name__in=["Crisis management", "Resilience"])
    admin_client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge", "_selected_action": [tag.pk for tag in tags], "name": "Resilience and crisis management"},
    )
    after = visible_text(_visit(client, "/tags/").getvalue())
    assert "Resilience and crisis management" in after
    assert "Crisis management 1" not in after


def test_synthetic_data_shows_on_the_next_anonymous_request(wpsr, client):
    from django.core.management import call_command

    before = _cached(client, "/findings/")
    call_command("generate_synthetic_data", findings=30, seed=1, verbosity=0)
    after = _visit(client, "/findings/")
    assert after["X-Cache"] == "miss"
    assert "48 findings" in visible_text(after.getvalue())
    assert "48 findings" not in visible_text(before.getvalue())


# --- the shared backends: every worker, every machine --------------------------------------------

PROBE = """
import django, json, os
from django.conf import settings
settings.CACHES = json.loads(os.environ["PROBE_CACHES"])
settings.ALLOWED_HOSTS = ["testserver"]  # the test client's, as the suite allows it
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for url, etag in json.loads(os.environ["PROBE_URLS"]):
    response = client.get(url, headers={"If-None-Match": etag} if etag else {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    answers[url] = [response.status_code, response.get("Retry-After"), response.get("X-Cache"), body.decode()]
print(json.dumps(answers))
"""


def _unreachable_database_url(tmp_path):
    """The suite's own database, made unreachable: a PostgreSQL port nothing listens on, or
    an SQLite file in a folder that does not exist."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        return f"postgres://portal:wrong@127.0.0.1:{free}/portal"
    return f"sqlite:///{tmp_path / 'gone' / 'db.sqlite3'}"


def _folders(tmp_path):
    """The embedded default's two caches, as settings.py makes them."""
    return {
        alias: {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / alias)}
        for alias in ("default", "generation")
    }


def _other_worker(backend, requests, tmp_path, database_url=None, **settings):
    """What another process (a second gunicorn worker, or another machine) answers to
    `requests` ((url, etag) pairs) with the same cache `backend` and its database away (or at
    `database_url`), by URL: (status, Retry-After, X-Cache, body)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url or _unreachable_database_url(tmp_path),
        "CONN_MAX_AGE": "0",
        **settings,
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "PROBE_CACHES": json.dumps(backend),
        "PROBE_URLS": json.dumps(requests),
    }
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=Path(__file__).parent.parent,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout)


def _shared_backend_round(client, admin_client, backend, tmp_path):
    with override_settings(CACHES=backend):
        first = client.get(FINDING_URL)
        assert first["X-Cache"] == "miss"
        other = _other_worker(backend, [(FINDING_URL, None)], tmp_path)
        # Kept by this process, served by the other, without asking its database.
        assert other[FINDING_URL][:3] == [200, None, "hit"]
        assert other[FINDING_URL][3] == first.getvalue().decode()
        assert _other_worker(backend, [(FINDING_URL, first["ETag"])], tmp_path)[FINDING_URL][0] == 304

        _edit_in_admin(admin_client, Finding.objects.get(slug=FINDING), text="Hybrid service delivery models, shared")
        # The other process no longer has the old page to give: it must ask its database.
        assert _other_worker(backend, [(FINDING_URL, None)], tmp_path)[FINDING_URL][0] == 503
        after = client.get(FINDING_URL)
        assert after["X-Cache"] == "miss"
        assert "Hybrid service delivery models, shared" in visible_text(after.getvalue())


def test_the_embedded_default_is_shared_by_every_worker(wpsr, client, admin_client, tmp_path):
    _shared_backend_round(client, admin_client, _folders(tmp_path), tmp_path)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis: REDIS_URL when CI started one (.ci/run), else a redis-server started here."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: install the Debian package `redis-server` (make system-deps).",
                    pytrace=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_redis_is_shared_by_every_worker_and_machine(wpsr, client, admin_client, redis_url, tmp_path):
    prefix = f"test-{os.getpid()}-{time.time_ns()}"
    backend = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                "KEY_PREFIX": f"{prefix}-{alias}"}
        for alias in ("default", "generation")
    }
    _shared_backend_round(client, admin_client, backend, tmp_path)


# --- while the database is away ------------------------------------------------------------------


def test_with_the_database_away_visitors_get_503_and_cached_pages_still_answer(wpsr, client, tmp_path):
    backend = _folders(tmp_path)
    with override_settings(CACHES=backend):
        kept = _visit(client, "/topics/")
        assert kept["X-Cache"] == "miss"

    answers = _other_worker(
        backend, [(url, None) for url in ("/healthz", "/findings/", FINDING_URL, "/topics/", "/ar/findings/")], tmp_path
    )
    status, retry_after, _, body = answers["/healthz"]
    assert (status, retry_after) == (503, "30")
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}
    for url in ("/findings/", FINDING_URL):
        status, retry_after, _, body = answers[url]
        assert (status, retry_after) == (503, "30"), url
        assert "The portal is briefly unavailable" in visible_text(body.encode())
        assert "Traceback" not in body
    # In the language of the address asked for.
    status, retry_after, _, body = answers["/ar/findings/"]
    assert (status, retry_after) == (503, "30")
    assert '<html lang="ar" dir="rtl">' in body and "البوابة غير متاحة لفترة وجيزة" in body and 'href="/ar/"' in body
    status, _, x_cache, body = answers["/topics/"]
    assert (status, x_cache) == (200, "hit")  # kept before the database went away
    assert body == kept.getvalue().decode()


def test_the_production_database_settings_answer(db, tmp_path):
    """gunicorn.conf.py's settings (no persistent connections; a checked pool on PostgreSQL)
    reach the database: on PostgreSQL, the server the suite runs on."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}"
    answers = _other_worker(_folders(tmp_path), [("/healthz", None)], tmp_path, database_url=database_url,
                            DB_POOL="1", CONN_MAX_AGE="0")
    status, _, _, body = answers["/healthz"]
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})


def test_healthz_answers_200_while_the_database_does(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "X-Cache" not in response  # the load balancer always asks the database
    assert "no-cache" in response["Cache-Control"]


def test_an_unknown_host_is_refused_even_for_a_kept_page_and_each_host_has_its_own(wpsr, client):
    kept = _cached(client, "/topics/")
    assert kept.status_code == 200
    assert client.get("/topics/", headers={"Host": "evil.example"}).status_code == 400
    # Another allowed name of the site gets its own page, with its own absolute addresses.
    other = client.get("/topics/", headers={"Host": "localhost"})
    assert (other.status_code, other["X-Cache"]) == (200, "miss")
