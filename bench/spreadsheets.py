"""Server-time benchmark of the admin's bulk import and export at spreadsheet scale. Run by hand.

    .venv/bin/python bench/spreadsheets.py                     # SQLite (a fresh file in /tmp)
    .ci/with-postgres .venv/bin/python bench/spreadsheets.py   # PostgreSQL (a throwaway server)
    .venv/bin/python bench/spreadsheets.py --rows 2000 --export-size 20000   # quicker

It builds a fresh database (migrate, load_wpsr), signs a superuser in with the test client
and drives the real admin forms, as a curator's browser would (routing, middleware, queries,
templates; no network):

- import of a findings CSV of `--rows` rows: the preview (the upload, a dry run) and the
  confirmation (the import itself), once with new findings and once changing every one of them;
- export of `--export-size` findings, every column, as CSV and as XLSX
  (`generate_synthetic_data` adds the findings).

Each step runs once and prints its wall time in seconds, as a Markdown table for README;
the production server gives a request 60 seconds (gunicorn's timeout).
"""
import argparse
import csv
import datetime
import io
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import _configure, _fresh_database  # noqa: E402  (bench/run.py: the same fresh database)

TIMEOUT = 60  # seconds: gunicorn's default worker timeout, as in production
CSV_FORMAT, XLSX_FORMAT = "0", "1"  # their places in CuratedAdmin.formats
HEADER = ["slug", "topic", "order", "text", "tags", "source", "source_note", "status"]


def _curator():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_superuser("bench-curator", "bench@example.org", "a long passphrase 42")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _timed(step):
    start = time.perf_counter()
    response = step()
    return time.perf_counter() - start, response


def _findings_csv(rows, text="Imported finding"):
    """`rows` findings under the synthetic topics, each with three tags, as a curator's file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number in range(1, rows + 1):
        writer.writerow([
            f"bench-finding-{number}", f"synthetic-topic-{(number - 1) // 500 + 1}", (number - 1) % 500 + 1,
            f"{text} {number}: participación ciudadana and digital public services",
            f"Bench, Synthetic {number % 20 + 1:02d}, Digital technology",
            "synthetic-data", "", "draft",
        ])
    return out.getvalue().encode("utf-8")


class _ConfirmForm(HTMLParser):
    """The hidden fields of the preview's "Confirm import" form, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields, self._inside = {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = "process_import" in (attrs.get("action") or "")
        elif tag == "input" and self._inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def _import(client, content):
    """The admin's import form, then "Confirm import": (preview seconds, its page's size, confirm seconds,
    what the confirmation said)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile("findings.csv", content, content_type="text/csv")
    preview_seconds, preview = _timed(lambda: client.post(
        reverse("admin:findings_finding_import"), {"format": CSV_FORMAT, "import_file": upload}
    ))
    form = _ConfirmForm()
    form.feed(preview.content.decode())
    if not form.fields:
        raise SystemExit(f"The preview refused the file:\n{_text(preview.content)[:2000]}")
    confirm_seconds, confirmed = _timed(lambda: client.post(
        reverse("admin:findings_finding_process_import"), form.fields, follow=True
    ))
    message = re.search(r'<li class="success">(.*?)</li>', confirmed.content.decode())
    said = message.group(1) if message else _text(confirmed.content)[:300]
    return preview_seconds, f"a page of {len(preview.content) / 1e6:.1f} MB", confirm_seconds, said


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def _export(client, file_format):
    """The admin's export form with every column ticked: (seconds, bytes)."""
    from django.contrib import admin
    from django.urls import reverse

    from findings.models import Finding

    resource = admin.site._registry[Finding].resource_classes[0]
    columns = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()}
    seconds, response = _timed(lambda: client.post(
        reverse("admin:findings_finding_export"), {"format": file_format, **columns}
    ))
    assert response.status_code == 200, response.status_code
    return seconds, len(response.content)


def _load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _machine():
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores, {int(memory.split()[1]) / 2**20:.0f} GiB"


def _row(what, size, seconds, note=""):
    verdict = "within" if seconds < TIMEOUT else "**over**"
    print(f"| {what} | {size:,} | {seconds:.1f} | {verdict} 60 s | {note} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the imported CSV")
    parser.add_argument("--export-size", type=int, default=100_000, help="findings in the database for the export")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL")
    scratch = None
    if not database_url:
        scratch = Path(tempfile.mkstemp(prefix="portal-bench-", suffix=".sqlite3")[1])
        database_url = f"sqlite:///{scratch}"
    _configure(database_url)
    try:
        _run(args)
    finally:
        # The database of a few hundred megabytes and the collected static files are thrown away.
        shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)
        if scratch is not None:
            scratch.unlink(missing_ok=True)


def _run(args):
    import django
    from django.core.management import call_command
    from django.db import connection

    from findings.models import Finding

    _fresh_database()
    # The synthetic topics and source the imported rows point to.
    call_command("generate_synthetic_data", findings=args.rows, verbosity=0)
    client = _curator()
    if connection.vendor == "sqlite":
        engine = f"SQLite {connection.Database.sqlite_version}"
    else:
        engine = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    versions = f"Python {platform.python_version()}, Django {django.__version__}"
    print(f"{datetime.date.today()}, {engine}, {_machine()}; {versions}")
    print(f"load average before: {_load()}\n")
    print("| step | rows | seconds | limit | result |")
    print("| --- | ---: | ---: | --- | --- |")

    new = _findings_csv(args.rows)
    preview, page, confirm, said = _import(client, new)
    _row("import preview, new findings", args.rows, preview, page)
    _row("import confirmation, new findings", args.rows, confirm, said)
    changed = _findings_csv(args.rows, text="Changed finding")
    preview, page, confirm, said = _import(client, changed)
    _row("import preview, every finding changed", args.rows, preview, page)
    _row("import confirmation, every finding changed", args.rows, confirm, said)

    missing = args.export_size - Finding.objects.count()
    if missing > 0:
        call_command("generate_synthetic_data", findings=missing, verbosity=0)
    size = Finding.objects.count()
    for label, file_format in (("CSV", CSV_FORMAT), ("XLSX", XLSX_FORMAT)):
        seconds, length = _export(client, file_format)
        _row(f"export, every column, {label}", size, seconds, f"{length / 1e6:.1f} MB")
    print(f"\nload average after: {_load()}")


if __name__ == "__main__":
    main()
