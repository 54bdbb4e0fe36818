"""Large downloads beside ordinary visitors: four concurrent exports of 10,000 rows (the most a
download holds) while the home page is measured, then one more than the workers' places. Run by
hand, never in CI.

    .venv/bin/python bench/exports.py                          # SQLite, 20,000 findings
    .ci/with-postgres .venv/bin/python bench/exports.py        # PostgreSQL

Each export asks for a different order or filter, so that none comes from the page cache: they
are real work. gunicorn.conf.py runs 2 workers; each streams at most PORTAL_LARGE_EXPORTS_AT_ONCE
(2) large downloads, so four fit and the two more started while they stream are told to come
back (429 with Retry-After). The places are per worker, and the kernel decides which worker
accepts a connection: when it gives three of the first four to one worker, that one is refused
too, and one of the two more may then be served. So the drill passes when the six downloads
give at most as many 200s as there are places, every other answer is a 429 with Retry-After,
and the home page's p99 stays under 1 s. Prints the home page's p50/p99 before and during the
exports, and every download's status, time and size.
"""
import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import Server, build, exit_on_sigterm, get, loadavg, log, machine, require_wrk, wrk  # noqa: E402

EXPORTS = [
    "/findings/?format=csv&tag=synthetic",
    "/findings/?format=csv&tag=synthetic&sort=title",
    "/findings/?format=bibtex&tag=synthetic",
    "/findings/?format=ris&tag=synthetic",
]
EXTRA = ["/findings/?format=csv&tag=synthetic&sort=newest", "/findings/?format=ris&tag=synthetic&sort=title"]
WORKERS = 2  # Server's default, as gunicorn.conf.py runs on this machine's 2 cores


def main():
    exit_on_sigterm()
    require_wrk()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    workspace, count = build(os.environ.get("DATABASE_URL"), args.size)
    from django.conf import settings  # configured by build()
    print(machine())
    server = Server(workspace, "exports", workers=WORKERS)
    server.start()
    try:
        home = f"{server.base}/"
        get(home)  # kept in the cache from now on
        before = wrk(home, args.seconds, connections=16)
        log(f"home alone: {before['rps']:.0f} req/s, p50 {before['p50']:.1f} ms, p99 {before['p99']:.1f} ms")

        results = {}

        def export(path):
            start = time.monotonic()
            status, headers, body = get(server.base + path, timeout=300)
            results[path] = (status, time.monotonic() - start, len(body), headers)

        threads = [threading.Thread(target=export, args=(path,)) for path in EXPORTS]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the four are streaming now
        extra = [threading.Thread(target=export, args=(path,)) for path in EXTRA]
        for thread in extra:  # together, while the four still stream
            thread.start()
        during = wrk(home, args.seconds, connections=16)
        for thread in threads + extra:
            thread.join()

        print(f"\n{count:,} findings; load average {loadavg()}")
        print(f"home page alone:           p50 {before['p50']:.1f} ms, p99 {before['p99']:.1f} ms, "
              f"{before['rps']:.0f} req/s")
        print(f"home page during exports:  p50 {during['p50']:.1f} ms, p99 {during['p99']:.1f} ms, "
              f"{during['rps']:.0f} req/s, errors {during['non2xx'] + during['socket_errors']}")
        places = WORKERS * settings.PORTAL_LARGE_EXPORTS_AT_ONCE  # as the servers read it from the environment
        for path in EXPORTS + EXTRA:
            status, seconds, size, headers = results[path]
            print(f"{'export' if path in EXPORTS else 'one more'} {path}: {status} in {seconds:.1f} s, "
                  f"{size / 1e6:.1f} MB, X-Rows-Truncated {headers.get('X-Rows-Truncated')}, "
                  f"Retry-After {headers.get('Retry-After')}")
        statuses = [results[path][0] for path in EXPORTS + EXTRA]
        refused_well = all(
            status == 200 or (status == 429 and results[path][3].get("Retry-After"))
            for path, status in zip(EXPORTS + EXTRA, statuses, strict=True)
        )
        limited = refused_well and statuses.count(200) <= places and 429 in statuses
        print(f"target: home p99 under 1 s during the exports: {'met' if during['p99'] < 1000 else 'NOT met'}; "
              f"{len(statuses)} downloads at once for {places} places: {statuses.count(200)} served, "
              f"{statuses.count(429)} told to come back (429 with Retry-After): {'met' if limited else 'NOT met'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
