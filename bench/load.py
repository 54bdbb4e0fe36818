"""Side-by-side load run: the portal's pages against a bare Django view and a static file, under
the committed production configuration (gunicorn.conf.py: gunicorn managing uvicorn workers). Run
by hand, never in CI:

    .venv/bin/python bench/load.py                              # SQLite (a fresh file in /tmp)
    .ci/with-postgres .venv/bin/python bench/load.py            # PostgreSQL (a throwaway server)
    .venv/bin/python bench/load.py --sizes 10000 --seconds 3 --rounds 1   # a quick look

For each size (10,000 then 100,000 findings by default) it builds the database (migrate,
load_wpsr, generate_synthetic_data; VACUUM ANALYZE on PostgreSQL), collects the static files and starts
two servers side by side, both `gunicorn -c gunicorn.conf.py` with 2 workers and
DJANGO_SETTINGS_MODULE=bench.settings (the portal's settings, plus `/bench/bare/`):

- "cached": the production configuration, anonymous page cache on (every page is measured once
  it is in the cache: X-Cache: hit);
- "uncached": the same with PAGE_CACHE=0, so every request renders the page.

The yardsticks are a WhiteNoise static file (css/portal.css under its hashed name, on the cached
server) and the bare view `/bench/bare/` (bench/urls.py: the same 20 findings as the first page
of /findings/, read by primary key in one query, a ten-line template; on the uncached server). Each target gets a 2 s
warm-up, then `--rounds` rounds of `wrk -t2 -c16 -d<seconds>s --latency`; within a round every
target runs once, in an order that rotates from round to round, so that a neighbour's test suite
weighs on all of them alike. The table gives the median of the rounds: req/s, p50, p99, and the
ratio to the yardstick the issue's targets name (cached pages to the static file, uncached pages
to the bare view), then how each uncached page's throughput holds from the smallest size to the
largest. The machine and the 1-minute load average (start and end) are printed with it; the raw
wrk output of every run goes to --raw (default /tmp/bench-out/load-<db>-raw.txt).

Per-request access logging is off (ACCESS_LOG=0) unless --access-log: a log line per request
is the same cost on every target and would fill the terminal. gunicorn.conf.py replaces a worker
after about 5,000 requests (max_requests); the table counts the replacements seen during each
target's runs (a new worker boots while the target is measured), and `--no-recycle` runs gunicorn
with `--max-requests 0` to take them out. The servers' logs go to /tmp/bench-out/logs/.

req/s counts the 2xx/3xx answers completed within the run (wrk's own figure counts a quick
503 as well; the table counts errors apart, with their kind): a page slower than ~1 s at 16
connections loses up to one request per connection at the end of each run, so keep --seconds
at 10 or more for the real table (a 2-3 s run is for checking that everything works); a page
of which fewer requests than connections completed is marked with *. wrk gives up on a request
after 30 s, but the server finishes it: before each run the script waits until both servers
are idle (their CPU time, from /proc), so that no run pays for the previous one's leftovers.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

# The targets (10,000 findings, 2 workers, wrk c16): (server, page) -> (yardstick, ratio).
CACHED_TARGET = 0.5  # of the static file: every cached anonymous page (home, lists, details)
UNCACHED_TARGETS = {"filtered list": 0.25, "detail": 0.5, "search": 0.2}  # of the bare view
SCALING_TARGET = 0.5  # an uncached page keeps at least half its throughput from 10k to 100k


def targets(cached, uncached, static_path):
    """[(label, server, path)]: every page on both servers, plus the two yardsticks."""
    listing = [("static file", cached, static_path)]
    listing += [(f"{label} (cached)", cached, path) for label, path in h.PAGES]
    listing += [("bare view", uncached, h.BARE_PATH)]
    listing += [(f"{label} (uncached)", uncached, path) for label, path in h.PAGES]
    return listing


def check(listing):
    """Every target answers 200; cached pages come from the cache, uncached ones never do."""
    for label, server, path in listing:
        for _ in range(2):  # the first request of a cached page fills the cache
            status, headers, body = h.get(server.base + path, timeout=180)
        if status != 200:
            raise SystemExit(f"{label} {path}: HTTP {status}")
        x_cache = headers.get("X-Cache")
        if "(cached)" in label and x_cache != "hit":
            raise SystemExit(f"{label} {path}: X-Cache {x_cache!r}, expected a hit")
        if "(uncached)" in label and x_cache is not None:
            raise SystemExit(f"{label} {path}: X-Cache {x_cache!r} on the uncached server")
        h.log(f"  {label:<26} {path:<58} {len(body):>8,} bytes  X-Cache: {x_cache}")


def measure(listing, rounds, seconds, connections, threads, raw):
    results = {label: [] for label, _, _ in listing}
    servers = list({id(server): server for _, server, _ in listing}.values())
    for _label, server, path in listing:  # warm-up: connections, caches, the database's pages
        h.wrk(server.base + path, 2, connections, threads)
        h.wait_idle(servers)
    for round_number in range(rounds):
        shift = round_number * len(listing) // max(rounds, 1)
        for label, server, path in listing[shift:] + listing[:shift]:
            # Each run starts on idle servers: what the previous one left running has finished.
            drained = h.wait_idle(servers)
            boots = server.boots()
            result = h.wrk(server.base + path, seconds, connections, threads)
            result["drained"] = drained
            # gunicorn replaces a worker after ~5,000 requests (max_requests): a new one boots.
            result["replaced"] = server.boots() - boots
            results[label].append(result)
            raw.write(f"## round {round_number + 1}: {label} {server.base}{path} (load {h.loadavg()})\n")
            raw.write(result["output"] + "\n")
            raw.flush()
            errors = result["non2xx"] + result["socket_errors"]
            raw.write(f"(workers replaced during this run: {result['replaced']}; "
                      f"waited {drained:.1f} s for idle servers before it)\n\n")
            h.log(f"round {round_number + 1}/{rounds} {label:<26} {result['rps']:>9.1f} req/s "
                  f"p50 {result['p50']:.1f} ms p99 {result['p99']:.1f} ms"
                  + (f"  ERRORS {errors}" if errors else "")
                  + (f"  ({result['replaced']} worker(s) replaced)" if result["replaced"] else ""))
    return {
        label: {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["non2xx"] + r["socket_errors"] for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs),
            "spread": (min(r["rps"] for r in runs), max(r["rps"] for r in runs)),
            "replaced": sum(r["replaced"] for r in runs),
            "completed": min(r["requests"] for r in runs),
        }
        for label, runs in results.items()
    }


def table(size, engine, medians, listing, load_before, load_after, connections):
    static = max(medians["static file"]["rps"], 1e-9)
    bare = max(medians["bare view"]["rps"], 1e-9)
    lines = [
        f"### {engine}, {size:,} findings (load average {load_before} at start, {load_after} at end)",
        "",
        "| page | server | req/s | p50 ms | p99 ms | ratio | target | meets | req/s min–max | worker restarts |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |",
    ]
    for label, _, path in listing:
        m = medians[label]
        name, _, server = label.partition(" (")
        server = server.rstrip(")") or ("cached" if label == "static file" else "uncached")
        ratio, target, meets = "", "", ""
        if label.endswith("(cached)"):
            ratio = f"{m['rps'] / static:.2f} × static"
            target = f"≥ {CACHED_TARGET} × static"
            meets = "yes" if m["rps"] / static >= CACHED_TARGET else "**no**"
        elif label.endswith("(uncached)"):
            ratio = f"{m['rps'] / bare:.2f} × bare"
            if name in UNCACHED_TARGETS:
                target = f"≥ {UNCACHED_TARGETS[name]} × bare"
                meets = "yes" if m["rps"] / bare >= UNCACHED_TARGETS[name] else "**no**"
        elif label == "bare view":
            ratio = f"{bare / static:.2f} × static"
        errors = [f"{m['non2xx']} non-2xx" if m["non2xx"] else "",
                  f"{m['socket_errors']} socket errors" if m["socket_errors"] else ""]
        if m["errors"]:
            meets = f"{meets} ({', '.join(e for e in errors if e)})".strip()
        rps = f"{m['rps']:,.1f}" if m["rps"] < 10 else f"{m['rps']:,.0f}"
        if m["completed"] < connections:
            rps += " *"
        lines.append(
            f"| {name} `{path}` | {server} | {rps} | {m['p50']:.1f} | {m['p99']:.1f} "
            f"| {ratio} | {target} | {meets} | {m['spread'][0]:,.0f}–{m['spread'][1]:,.0f} | {m['replaced']} |"
        )
    if any(medians[label]["completed"] < connections for label, _, _ in listing):
        lines += ["", f"\\* in at least one round, fewer requests than connections ({connections}) completed "
                  "within the run: the page answers more slowly than the run lasts, its req/s is a rough "
                  "bound and its latencies come from the few requests that did complete (0 ms: none did)."]
    return "\n".join(lines)


def scaling_table(engine, by_size):
    sizes = sorted(by_size)
    small, large = sizes[0], sizes[-1]
    lines = [
        f"### {engine}: uncached throughput from {small:,} to {large:,} findings",
        "",
        f"| page | req/s at {small:,} | req/s at {large:,} | kept | target | meets |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    labels = ["bare view"] + [f"{label} (uncached)" for label, _ in h.PAGES]
    for label in labels:
        before, after = by_size[small][label]["rps"], by_size[large][label]["rps"]
        kept = after / max(before, 1e-9)
        is_page = label != "bare view"
        lines.append(
            f"| {label.replace(' (uncached)', '')} | {before:,.0f} | {after:,.0f} | {kept:.2f} | "
            f"{f'≥ {SCALING_TARGET}' if is_page else ''} | "
            f"{('yes' if kept >= SCALING_TARGET else '**no**') if is_page else ''} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--access-log", action="store_true", help="keep the per-request log line")
    parser.add_argument("--no-recycle", action="store_true",
                        help="gunicorn --max-requests 0: workers are never replaced during the run")
    parser.add_argument("--raw", type=Path, help="where the raw wrk output goes")
    args = parser.parse_args()
    h.exit_on_sigterm()
    h.require_wrk()

    started = time.monotonic()
    machine, load_start = h.machine(), h.loadavg()
    workspace = h.Workspace(os.environ.get("DATABASE_URL"), access_log=args.access_log)
    workspace.setup_django()
    engine = workspace.engine()
    raw_path = args.raw or Path(f"/tmp/bench-out/load-{workspace.vendor()}-raw.txt")
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    h.log(f"{engine}; raw wrk output in {raw_path}")
    by_size, tables = {}, []
    try:
        workspace.fresh_database()
        static_path = workspace.static_path()
        with open(raw_path, "w") as raw:
            raw.write(f"{machine}\n")
            for size in sorted(args.sizes):
                count = workspace.grow_to(size)
                h.log(f"{count:,} findings: starting the servers")
                extra = ["--max-requests", "0"] if args.no_recycle else []
                cached = h.Server(workspace, "cached", workers=args.workers, page_cache=True, extra_args=extra)
                uncached = h.Server(workspace, "uncached", workers=args.workers, page_cache=False, extra_args=extra)
                try:
                    cached.start()
                    uncached.start()
                    listing = targets(cached, uncached, static_path)
                    check(listing)
                    load_before = h.loadavg()
                    medians = measure(listing, args.rounds, args.seconds, args.connections, args.threads, raw)
                    load_after = h.loadavg()
                finally:
                    cached.stop()
                    uncached.stop()
                by_size[count] = medians
                tables.append(table(count, engine, medians, listing, load_before, load_after, args.connections))
                h.log("\n" + tables[-1])
    finally:
        workspace.cleanup()

    print(f"## Load run, {engine}\n")
    print(f"{machine}")
    print(
        f"gunicorn -c gunicorn.conf.py{' --max-requests 0' if args.no_recycle else ''}, "
        f"{args.workers} uvicorn workers; `wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds}s --latency`, median of {args.rounds} interleaved rounds; 1-minute load average "
        f"{load_start.split()[0]} at start, {h.loadavg().split()[0]} at end "
        f"({(time.monotonic() - started) / 60:.0f} min)."
        f" Cached pages are compared with the static file, uncached pages with the bare view.\n"
    )
    for text in tables:
        print(text + "\n")
    if len(by_size) > 1:
        print(scaling_table(engine, by_size) + "\n")


if __name__ == "__main__":
    main()
