"""Soak: 60 s at 32 connections over a mix of pages, under the production configuration. Run by
hand, never in CI:

    .venv/bin/python bench/soak.py                          # SQLite, 10,000 findings
    .ci/with-postgres .venv/bin/python bench/soak.py        # PostgreSQL
    .venv/bin/python bench/soak.py --no-recycle             # workers never replaced (a leak shows)
    .venv/bin/python bench/soak.py --seconds 20             # quicker

It builds the database, starts `gunicorn -c gunicorn.conf.py` (2 uvicorn workers, page cache on,
as in production) and runs `wrk -t2 -c32` with a Lua script that picks each request at random:
the home page, every list, the report, tag pages, a static file and /healthz (cached after their
first request), and requests that mostly miss the cache: a search for two random words of the
synthetic findings' vocabulary, the detail page of a random synthetic finding, a random page of
/findings/. It prints the answers by status, X-Cache hits and misses, socket errors, req/s and
latency, and the workers' memory (VmRSS from /proc/<pid>/status) after a 10 s warm-up with the
same mix, every 5 s during the soak and at its end. gunicorn.conf.py replaces a worker after
about 5,000 requests (max_requests), so at this rate workers are replaced during the soak: the
PIDs say so, and the memory of a replaced worker starts again. `--no-recycle` passes
`--max-requests 0` to gunicorn, so that the same two workers serve the whole soak and any creep
shows. Exit status 1 on any error (non-2xx/3xx answer or socket error).
"""
import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

FIXED = [path for _, path in h.PAGES] + [
    "/report/", "/chapters/", "/contributions/", "/suggestions/", "/tags/synthetic-05/",
    "/findings/?tag=synthetic-02", "/topics/synthetic-topic-2/", "/healthz",
]

LUA = r"""
local fixed = {%(fixed)s}
local words = {%(words)s}
local synthetic, pages = %(synthetic)d, %(pages)d
local threads = {}
local counter = 0
counts, hits, misses = {}, 0, 0

function setup(thread)
  thread:set("seed", counter * 7919 + os.time())
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed)
end

function request()
  local roll = math.random()
  local path
  if roll < 0.15 then
    path = "/search/?q=" .. words[math.random(#words)] .. "+" .. words[math.random(#words)]
  elseif roll < 0.25 then
    path = "/findings/synthetic-finding-" .. math.random(1, synthetic) .. "/"
  elseif roll < 0.30 then
    path = "/findings/?page=" .. math.random(1, pages)
  else
    path = fixed[math.random(#fixed)]
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  local x = headers["X-Cache"] or headers["x-cache"]
  if x == "hit" then hits = hits + 1 elseif x == "miss" then misses = misses + 1 end
end

function done(summary, latency, requests)
  local total, h, m = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
    h = h + thread:get("hits")
    m = m + thread:get("misses")
  end
  for status, n in pairs(total) do io.write(string.format("STATUS %%d %%d\n", status, n)) end
  io.write(string.format("XCACHE hit %%d miss %%d\n", h, m))
end
"""


def lua_script(synthetic, pages):
    quoted = lambda items: ", ".join(f'"{item}"' for item in items)  # noqa: E731
    text = LUA % {"fixed": quoted(FIXED), "words": quoted(h.WORDS), "synthetic": synthetic, "pages": pages}
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="portal-soak-", delete=False)
    handle.write(text)
    handle.close()
    return Path(handle.name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-recycle", action="store_true", help="gunicorn --max-requests 0")
    args = parser.parse_args()
    h.exit_on_sigterm()
    h.require_wrk()

    workspace, server, script = None, None, None
    failed = False
    try:
        load_start = h.loadavg()
        workspace, count = h.build(os.environ.get("DATABASE_URL"), args.findings)
        from findings.models import Finding

        synthetic = Finding.objects.filter(slug__startswith="synthetic-finding-").count()
        pages = max(1, count // 20)
        from django.db import connections

        connections.close_all()
        script = lua_script(synthetic, pages)
        extra = ["--max-requests", "0"] if args.no_recycle else []
        server = h.Server(workspace, "soak", workers=args.workers, extra_args=extra).start()
        print(f"## Soak, {workspace.engine()}, {count:,} findings\n")
        print(h.machine())
        recycle = "workers never replaced (--max-requests 0)" if args.no_recycle else \
            "workers replaced after ~5,000 requests (gunicorn.conf.py)"
        print(f"gunicorn -c gunicorn.conf.py, {args.workers} workers, page cache on, {recycle}; "
              f"`wrk -t{args.threads} -c{args.connections} -d{args.seconds}s` over a mix of pages; "
              f"1-minute load average at start {load_start}")
        fresh = server.worker_rss()
        h.log("warm-up, 10 s")
        h.wrk(server.base + "/", 10, args.connections, args.threads, script=script)
        before = server.worker_rss()
        boots = server.boots()
        samples, stop = [], threading.Event()

        def sample():
            start = time.monotonic()
            while not stop.wait(5):
                samples.append((time.monotonic() - start, server.worker_rss()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        h.log(f"soak, {args.seconds} s")
        result = h.wrk(server.base + "/", args.seconds, args.connections, args.threads, script=script)
        stop.set()
        sampler.join()
        after = server.worker_rss()
        output = result["output"]
        Path("/tmp/bench-out").mkdir(exist_ok=True)

        statuses = {}
        for line in output.splitlines():
            if line.startswith("STATUS "):
                _, status, n = line.split()
                statuses[int(status)] = int(n)
        hits_misses = next((line for line in output.splitlines() if line.startswith("XCACHE")), "XCACHE ? ?")
        bad = sum(n for status, n in statuses.items() if not 200 <= status < 400)
        print("\n### Answers\n")
        print(f"- {result['requests']:,} requests, {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
              f"p99 {result['p99']:.1f} ms")
        print("- by status: " + ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items())))
        print(f"- X-Cache: {hits_misses.split(' ', 1)[1]}")
        print(f"- errors: {bad} non-2xx/3xx answers, {result['socket_errors']} socket errors "
              f"(wrk: non-2xx/3xx {result['non2xx']})")
        print(f"- exceptions in the server's log: {server.exceptions()}")
        print("\n### Workers' memory (VmRSS, MiB)\n")
        fmt = lambda rss: ", ".join(f"{pid}: {mib:.1f}" for pid, mib in rss.items()) or "none"  # noqa: E731
        print(f"- fresh (after start): {fmt(fresh)}")
        print(f"- before the soak (after the warm-up): {fmt(before)}; total {sum(before.values()):.1f}")
        for seconds, rss in samples:
            print(f"- at {seconds:4.0f} s: {fmt(rss)}; total {sum(rss.values()):.1f}")
        print(f"- after the soak: {fmt(after)}; total {sum(after.values()):.1f}")
        seen = sorted({pid for _, rss in samples for pid in rss} | set(before) | set(after))
        replaced = server.boots() - boots
        change = sum(after.values()) / max(sum(before.values()), 1e-9) - 1
        print(f"- workers seen: {len(seen)}; {replaced} booted during the soak to replace others; "
              f"total RSS after/before: "
              f"{change:+.1%}")
        same = sorted(before) == sorted(after)
        if same:
            per_worker = ", ".join(f"{pid}: {after[pid] / before[pid] - 1:+.1%}" for pid in before)
            print(f"- the same workers before and after: {per_worker}")
        print(f"\n1-minute load average at end: {h.loadavg()}")
        failed = bool(bad or result["socket_errors"])
        print("\nResult: " + ("FAIL (errors)" if failed else "no errors"))
    finally:
        if server is not None:
            server.stop()
        if workspace is not None:
            workspace.cleanup()
        if script is not None:
            script.unlink(missing_ok=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
