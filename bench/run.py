"""Server-time benchmark of the discovery pages at 10,000 and 100,000 findings. Run by hand.

    .venv/bin/python bench/run.py                            # SQLite (a fresh file in /tmp)
    .ci/with-postgres .venv/bin/python bench/run.py          # PostgreSQL (a throwaway server)
    .venv/bin/python bench/run.py --sizes 10000 --repeat 20  # quicker

It builds a fresh database (migrate, load_wpsr, generate_synthetic_data up to each size),
then times each request inside Django (the test client: routing, queries, templates,
no network), after warm-up, and prints median and 95th percentile in milliseconds as a
Markdown table for README. The anonymous page cache is off (PAGE_CACHE=0; every response is
checked to carry no X-Cache header), so every request renders its page; per-request logging
is off too (ACCESS_LOG=0). Target: search p95 at most 50 ms at 100,000 findings on PostgreSQL.
For the same pages through gunicorn under load, see bench/load.py.
"""
import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("list page", "/findings/"),
    ("two-facet filter", "/findings/?tag=synthetic-01&topic=synthetic-topic-3"),
    ("search", "/search/?q=procurement+corruption"),
    ("CSV export (one tag)", "/findings/?format=csv&tag=synthetic-02"),
]
SEARCH_P95_TARGET_MS = 50  # at 100,000 findings on PostgreSQL


def _configure(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    # Every request renders its page: the warm-up would otherwise fill the page cache and the
    # timed requests would measure cache hits.
    os.environ["PAGE_CACHE"] = "0"
    os.environ["CACHE_DIR"] = tempfile.mkdtemp(prefix="portal-bench-cache-")
    os.environ["ACCESS_LOG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    # Production mode refuses the development key; a benchmark's database is thrown away.
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + secrets.token_urlsafe(40))
    # Production-like static files: hashed names from a manifest, as after a deploy.
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="portal-bench-static-")
    import django

    django.setup()


def _fresh_database():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("load_wpsr", verbosity=0)


def _read(response):
    """The whole response read and closed, as a browser would: a download gives back its place
    among the large downloads only when it is closed (else the next ones answer 429)."""
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    response.close()
    return response


def _time(client, url, repeat, warmup=3):
    for _ in range(warmup):
        _read(client.get(url))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = _read(client.get(url))
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        assert "X-Cache" not in response.headers, (url, "answered from the page cache")
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkstemp(prefix='portal-bench-', suffix='.sqlite3')[1]}"
    _configure(database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from findings.models import Finding

    _fresh_database()
    client = Client(HTTP_HOST="localhost")
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    engine = f"{connection.vendor} {version}"
    print(f"Database: {engine}; {args.repeat} timed requests per page after 3 warm-ups\n")
    search_p95 = {}
    print("| findings | page | median ms | p95 ms |")
    print("| ---: | --- | ---: | ---: |")
    for size in sorted(args.sizes):
        missing = size - Finding.objects.count()
        if missing > 0:
            call_command("generate_synthetic_data", findings=missing, verbosity=0)
        if connection.vendor == "postgresql":
            # VACUUM as well, as autovacuum does within a minute of a bulk load in production: the
            # synthetic data's index rewrite leaves a dead search row behind every live one.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        for label, url in PAGES:
            median, p95 = _time(client, url, args.repeat)
            print(f"| {Finding.objects.count():,} | {label} `{url}` | {median:.1f} | {p95:.1f} |", flush=True)
            if label == "search":
                search_p95[Finding.objects.count()] = p95
    largest = max(search_p95)
    if connection.vendor == "postgresql" and largest >= 100_000:
        verdict = "meets" if search_p95[largest] <= SEARCH_P95_TARGET_MS else "misses"
        print(f"\nSearch p95 at {largest:,} findings on PostgreSQL: {search_p95[largest]:.1f} ms, "
              f"target at most {SEARCH_P95_TARGET_MS} ms: {verdict} it.")
    print(f"1-minute load average: {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
