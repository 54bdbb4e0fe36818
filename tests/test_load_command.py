"""`load_wpsr` fills an empty database and never overwrites a curator's work."""
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from findings.models import Finding, Source, Topic


def test_loads_the_whole_report_into_an_empty_database(db, capsys):
    call_command("load_wpsr")
    assert "Loaded WPSR 2023 content: 8 sources, 1 report, 3 chapters, 13 contributions, 7 topics, 18 findings, 6 suggestions." in capsys.readouterr().out
    finding = Finding.objects.get(slug="ai-to-identify-corruption-in-procurement")
    assert finding.topic.title == "Digital technology"
    assert sorted(finding.tags.names()) == ["AI", "Corruption", "Digital technology", "Procurement"]


def test_refuses_to_load_over_existing_content(wpsr):
    with pytest.raises(CommandError, match=r"already has content \(8 sources, 1 report, 3 chapters"):
        call_command("load_wpsr")


def test_second_run_keeps_a_curators_edit(wpsr, capsys):
    """What `make run` does on its second start: `--if-empty` leaves the database alone."""
    topic = Topic.objects.get(slug="digital-technology")
    topic.title = "Digital technology (curated)"
    topic.save()

    call_command("load_wpsr", "--if-empty")

    assert "nothing was loaded, so no edit is lost" in capsys.readouterr().out
    assert Topic.objects.get(slug="digital-technology").title == "Digital technology (curated)"
    assert Topic.objects.count() == 7


def test_bad_record_loads_nothing_and_is_named(db, tmp_path):
    from django.conf import settings

    records = json.loads((settings.BASE_DIR / "fixtures" / "wpsr2023.json").read_text())
    bad = next(record for record in records if record["model"] == "findings.finding" and record["pk"] == 5)
    bad["fields"]["topic"] = 999  # a topic that does not exist
    fixture = tmp_path / "broken.json"
    fixture.write_text(json.dumps(records))

    with pytest.raises(CommandError) as raised:
        call_command("load_wpsr", "--fixture", str(fixture))

    assert "In record" in str(raised.value)
    assert "(findings.finding pk=5), topic=999 refers to a findings.topic" in str(raised.value)
    assert Source.objects.count() == 0
    assert Finding.objects.count() == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda fields: fields.update(slug="not a slug!"), "(findings.finding pk=5): {'slug': ["),
        (lambda fields: fields.update(text=""), "(findings.finding pk=5): {'text': ['This field cannot be blank.']}"),
        (lambda fields: fields.update(slug="data-to-inform-decision-making"), "repeats the slug 'data-to-inform-decision-making'"),
    ],
    ids=["invalid-slug", "blank-text", "duplicate-slug"],
)
def test_invalid_field_loads_nothing_and_is_named(db, tmp_path, change, message):
    from django.conf import settings

    records = json.loads((settings.BASE_DIR / "fixtures" / "wpsr2023.json").read_text())
    change(next(r for r in records if r["model"] == "findings.finding" and r["pk"] == 5)["fields"])
    fixture = tmp_path / "broken.json"
    fixture.write_text(json.dumps(records))

    with pytest.raises(CommandError) as raised:
        call_command("load_wpsr", "--fixture", str(fixture))

    assert message in str(raised.value)
    assert Finding.objects.count() == 0


def test_unreadable_fixture_is_a_clear_error(db, tmp_path):
    fixture = tmp_path / "broken.json"
    fixture.write_text("[{not json")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_wpsr", "--fixture", str(fixture))
    assert Source.objects.count() == 0


def _statements(run):
    """The SQL statements `run()` sends to the database."""
    from django.db import connection

    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return sent


def _analyzed(statements):
    from django.db import connection

    found = [sql for sql in statements if sql.lstrip().upper().startswith("ANALYZE")]
    assert found, "no ANALYZE was run"
    if connection.vendor == "postgresql":  # PostgreSQL's ANALYZE names every content table
        return {name.strip().strip('"') for name in found[-1].split(None, 1)[1].split(",")}
    return {"*"}  # SQLite's plain ANALYZE covers every table


def test_loading_refreshes_the_planner_statistics_of_every_table_it_fills(db):
    from django.db import connection

    analyzed = _analyzed(_statements(lambda: call_command("load_wpsr", verbosity=0)))
    if connection.vendor == "postgresql":
        assert {"findings_finding", "findings_topic", "findings_searchdocument", "taggit_taggeditem",
                "taggit_tag", "findings_historicalfinding"} <= analyzed


def test_synthetic_data_refreshes_the_planner_statistics(wpsr):
    from django.db import connection

    analyzed = _analyzed(_statements(lambda: call_command("generate_synthetic_data", findings=20, verbosity=0)))
    if connection.vendor == "postgresql":
        assert {"findings_finding", "findings_topic", "findings_searchdocument", "taggit_taggeditem"} <= analyzed
