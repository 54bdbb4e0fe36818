"""`export_content` writes the whole curated content as a fixture that loads back into an empty database."""
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from findings.management.commands.export_content import content_models
from findings.models import Finding, Topic

from .html import visible_text


@pytest.fixture(autouse=True)
def _forget_content_type_ids():
    """Content type ids made in a test go with its rolled-back transaction; Django's cache of them must too."""
    yield
    ContentType.objects.clear_cache()


def _counts():
    return {model._meta.label: model._default_manager.count() for model in content_models()}


def _empty_the_database():
    """Empty every table with `flush`; the content types come back with new ids, as in another database."""
    # PostgreSQL will not TRUNCATE a table whose deferred foreign-key checks are still pending
    # in this transaction (the test's own); run them first.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.filter(app_label="findings").delete()
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_models(*content_models())


def _pages(client):
    """The visible text of the findings list and of a topic page, as a visitor reads them."""
    urls = [reverse("findings:finding-list"), Topic.objects.get(slug="digital-technology").get_absolute_url()]
    return {url: visible_text(client.get(url).getvalue()) for url in urls}


def test_export_goes_to_stdout_with_every_kind_and_no_history(wpsr):
    out = io.StringIO()
    call_command("export_content", stdout=out)
    records = json.loads(out.getvalue())

    models = {record["model"] for record in records}
    assert models == {model._meta.label_lower for model in content_models()}
    assert not [model for model in models if "historical" in model]
    assert len(records) == sum(_counts().values())
    tagged = next(record for record in records if record["model"] == "taggit.taggeditem")
    assert tagged["fields"]["content_type"][0] == "findings"  # a natural key, not a database id
    finding = next(record for record in records if record["fields"].get("slug") == "ai-to-identify-corruption-in-procurement")
    assert finding["fields"]["text"] == "Help address development challenges (e.g. AI to identify corruption in procurement)"
    assert finding["fields"]["published_by"] is None


def test_export_flush_and_load_gives_the_same_public_pages(wpsr, client, tmp_path, capsys):
    finding = Finding.objects.get(slug="hybrid-service-delivery-models")
    finding.text = "Hybrid service delivery models (curated after loading)"
    finding.save()
    finding.tags.add("Curated tag")
    counts, pages = _counts(), _pages(client)
    topic_type = ContentType.objects.get_for_model(Topic).pk
    export = tmp_path / "content.json"

    call_command("export_content", "-o", str(export))
    assert f"Wrote {sum(counts.values())} records to {export}." in capsys.readouterr().out
    _empty_the_database()
    assert sum(_counts().values()) == 0
    assert ContentType.objects.get_for_model(Topic).pk != topic_type  # only natural keys can find it now
    call_command("load_wpsr", "--fixture", str(export), verbosity=0)

    assert _counts() == counts
    assert _pages(client) == pages
    assert "Hybrid service delivery models (curated after loading)" in pages[reverse("findings:finding-list")]
    reloaded = Finding.objects.get(slug="hybrid-service-delivery-models")
    assert "Curated tag" in reloaded.tags.names()
    assert reloaded.history.get().history_change_reason == "Loaded from content.json"


def test_loaddata_accepts_the_export_on_an_empty_database(wpsr, tmp_path):
    counts = _counts()
    export = tmp_path / "content.json"
    call_command("export_content", "--output", str(export))
    _empty_the_database()

    call_command("loaddata", str(export), verbosity=0)

    assert _counts() == counts
