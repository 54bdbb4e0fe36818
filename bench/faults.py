"""Fault drill: PostgreSQL restarted, then stopped, then started again, while visitors keep asking
for pages. Run by hand (as root: it runs PostgreSQL as the postgres user), never in CI:

    .venv/bin/python bench/faults.py                   # 10,000 findings, 8 visitors
    .venv/bin/python bench/faults.py --findings 2000 --phase-seconds 8   # quicker

It starts its own throwaway PostgreSQL (the recipe of .ci/with-postgres, but under this script's
control), builds the database, and starts `gunicorn -c gunicorn.conf.py` (2 uvicorn workers, the
production configuration: page cache on, CONN_MAX_AGE=0, a psycopg pool per worker with
DB_POOL_TIMEOUT=5). `--clients` threads then ask in a loop for a mix of

- cached pages (home, lists, a detail page, search: in the cache before the drill starts),
- database pages (the same pages with a query parameter never seen before, so every one is
  rendered: a cache miss that needs the database),
- /healthz (never cached),

and every answer is kept with its time. The phases, `--phase-seconds` each:

1. baseline;
2. `pg_ctl restart -m fast` (every database connection cut): answers by status, no 500 allowed,
   503 at most, and the recovery time (from the restart to the last failed request);
3. `pg_ctl stop -m fast`: database pages must answer 503 (with Retry-After), or 200 when all
   they read is in the cache for this content generation (the tag index's remembered counts);
   cached pages 200 from the cache; /healthz 503;
4. `pg_ctl start`: the time until /healthz and a database page answer 200 again (target: 5 s),
   without restarting gunicorn (its master keeps its PID).

Worker memory (VmRSS of gunicorn's worker processes, /proc/<pid>/status) is printed before and
after. Exit status 1 if a 500 or a socket error was seen, or recovery took longer than 5 s.
"""
import argparse
import itertools
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench._postgres import ThrowawayPostgres  # noqa: E402

RECOVERY_TARGET = 5.0
_nonce = itertools.count(1)
_nonce_lock = threading.Lock()


def next_path(rng):
    """(label, path): one of cached pages, database pages (a fresh query string) and /healthz."""
    roll = rng.random()
    label, path = rng.choice(h.PAGES)
    if roll < 0.4:
        return "cached", path
    if roll < 0.9:
        with _nonce_lock:
            nonce = next(_nonce)
        return "database", f"{path}{'&' if '?' in path else '?'}fault-drill={nonce}"
    return "healthz", "/healthz"


def report_phase(name, records, t0, out):
    """Answers by kind and status; returns (records that failed, worst latency)."""
    out(f"\n#### {name}: {len(records)} requests")
    for kind in ("cached", "database", "healthz"):
        mine = [r for r in records if r[2] == kind]
        if mine:
            latencies = [(r[1] - r[0]) * 1000 for r in mine]
            hits = sum(1 for r in mine if r[6] == "hit")
            out(f"- {kind:<8} {len(mine):>5} requests: {h.tally(mine)}; X-Cache hit {hits}; "
                f"p50 {h.percentile(latencies, 0.5):.0f} ms, max {max(latencies):.0f} ms")
    failed = [r for r in records if r[4] != 200]
    return failed


def poll_until_ok(base, path, deadline):
    """Seconds until `path` answers 200, or None by the deadline."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        try:
            status, _, _ = h.get(base + path, timeout=max(0.1, deadline - time.monotonic()))
            if status == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="visitor threads (default 8)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--phase-seconds", type=float, default=15.0)
    args = parser.parse_args()
    h.exit_on_sigterm()
    h.require_wrk()
    lines = []

    def out(text=""):
        lines.append(text)
        print(text, flush=True)

    problems = []
    postgres = ThrowawayPostgres()
    workspace = server = visitors = None
    try:
        postgres.create()
        out(f"## Fault drill ({h.machine()})\n")
        out(f"1-minute load average at start: {h.loadavg()}")
        workspace, count = h.build(postgres.url, args.findings)
        out(f"{workspace.engine()}, {count:,} findings; gunicorn -c gunicorn.conf.py, {args.workers} workers; "
            f"{args.clients} visitors; {args.phase_seconds:.0f} s per phase")
        server = h.Server(workspace, "faults", workers=args.workers).start()
        master = server.pid
        for _, path in h.PAGES:  # into the cache
            h.get(server.base + path, timeout=60)
        rss_before = server.worker_rss()
        out(f"gunicorn master {master}; workers' RSS before: "
            + ", ".join(f"{pid}: {rss:.1f} MiB" for pid, rss in rss_before.items()))

        visitors = h.Visitors(server.base, next_path, count=args.clients, timeout=20).start()
        phase = args.phase_seconds

        # 1. baseline
        t0 = time.monotonic()
        time.sleep(phase)
        report_phase("1. baseline", visitors.between(t0, time.monotonic()), t0, out)

        # 2. restart
        t1 = time.monotonic()
        took = postgres.restart()
        out(f"\n`pg_ctl restart -m fast` took {took:.2f} s")
        time.sleep(max(0.0, phase - (time.monotonic() - t1)))
        t2 = time.monotonic()
        records = visitors.between(t1, t2)
        failed = report_phase("2. PostgreSQL restarted", records, t1, out)
        if failed:
            last = max(r[1] for r in failed) - t1
            out(f"- failed requests: {len(failed)} ({h.tally(failed)}); "
                f"the last ended {last:.2f} s after the restart began")
        else:
            out("- no request failed")
        if any(r[4] == 500 or r[5] for r in records):
            problems.append("restart: a 500 or a socket error")
        if failed and max(r[1] for r in failed) - t1 > RECOVERY_TARGET:
            problems.append("restart: failures for longer than 5 s")

        # 3. stop
        took = postgres.stop()
        out(f"\n`pg_ctl stop -m fast` took {took:.2f} s")
        time.sleep(1)
        status, headers, _ = h.get(server.base + "/healthz", timeout=30)
        out(f"- /healthz while stopped: {status}, Retry-After: {headers.get('Retry-After')}")
        status_db, headers_db, _ = h.get(server.base + "/findings/?fault-drill=probe", timeout=30)
        out(f"- a database page while stopped: {status_db}, Retry-After: {headers_db.get('Retry-After')}")
        if status != 503 or status_db != 503:
            problems.append("stopped: /healthz or a database page did not answer 503")
        time.sleep(max(0.0, phase - (time.monotonic() - t2)))
        t3 = time.monotonic()
        # Requests sent once the server was down and answered before it was started again; one
        # sent near the end can wait in a worker's queue (behind the pool's 5 s waits) and be
        # answered, rightly, from the restarted server: those are counted apart.
        started = visitors.between(t2 + took + 0.5, t3)
        records = [r for r in started if r[1] < t3]
        if len(records) < len(started):
            late = [r for r in started if r[1] >= t3]
            out(f"\n- sent while stopped, answered after `pg_ctl start`: {len(late)} ({h.tally(late)})")
        report_phase("3. PostgreSQL stopped", records, t2, out)
        # A page that needs nothing but what the cache holds for this content generation (the
        # tag index reads only its remembered counts) is rightly answered 200: listed, not wrong.
        served = [r for r in records if r[2] == "database" and r[4] == 200]
        if served:
            out(f"- database pages answered 200 without the database: {len(served)}")
            for record in served:
                out(f"  - {record[3]} in {record[1] - record[0]:.1f} s")
        wrong = [r for r in records if r[4] not in (200, 503)]
        if wrong:
            out(f"- neither 503 nor 200: {len(wrong)} ({h.tally(wrong)})")
            problems.append("stopped: answers other than 503 or 200")

        # 4. start
        results = {}

        def poll(path):
            results[path] = poll_until_ok(server.base, path, time.monotonic() + 60)

        pollers = [threading.Thread(target=poll, args=(p,)) for p in ("/healthz", "/findings/?fault-drill=after-start")]
        t4 = time.monotonic()
        took = postgres.start()
        t4_up = time.monotonic()
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join()
        out(f"\n`pg_ctl start` took {took:.2f} s (ready to accept connections)")
        for path, seconds in results.items():
            if seconds is None:
                out(f"- {path}: no 200 within 60 s of the start")
                problems.append(f"start: {path} did not recover")
            else:
                out(f"- {path}: 200 after {seconds:.2f} s from PostgreSQL's being ready "
                    f"({seconds + (t4_up - t4):.2f} s from `pg_ctl start`)")
                if seconds > RECOVERY_TARGET:
                    problems.append(f"start: {path} took {seconds:.1f} s (> 5 s)")
        time.sleep(max(0.0, phase - (time.monotonic() - t4)))
        t5 = time.monotonic()
        records = visitors.between(t4_up, t5)
        failed = report_phase("4. PostgreSQL started again", records, t4, out)
        database_failed = [r for r in failed if r[2] != "cached"]
        if database_failed:
            out(f"- the last failed request ended {max(r[1] for r in database_failed) - t4_up:.2f} s after "
                "PostgreSQL was ready")
        visitors.stop()
        everything = visitors.between(t0)
        visitors = None
        out(f"\nAll {len(everything)} requests of the drill: {h.tally(everything)}")
        if any(r[4] == 500 or r[5] for r in everything):
            problems.append("a 500 or a socket error during the drill")
        rss_after = server.worker_rss()
        out(f"\ngunicorn master {server.pid} {'still running' if server.process.poll() is None else 'GONE'} "
            f"(never restarted); workers' RSS after: "
            + ", ".join(f"{pid}: {rss:.1f} MiB" for pid, rss in rss_after.items()))
        same = sorted(rss_before) == sorted(rss_after)
        out(f"workers before {sorted(rss_before)}, after {sorted(rss_after)} "
            f"({'the same' if same else 'replaced by gunicorn (max_requests or a crash)'})")
        out(f"exceptions logged by the server (the 503s are logged with theirs): {server.exceptions()}")
        out(f"1-minute load average at end: {h.loadavg()}")
        out("\nResult: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
    finally:
        if visitors is not None:
            visitors.stop()
        if server is not None:
            server.stop()
        if workspace is not None:
            workspace.cleanup()
        postgres.destroy()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
