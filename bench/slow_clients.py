"""Slow clients: while 200 connections send their requests one byte every few seconds, ordinary
visitors must still get their pages. Run by hand, never in CI:

    .venv/bin/python bench/slow_clients.py                       # SQLite, 10,000 findings
    .ci/with-postgres .venv/bin/python bench/slow_clients.py     # PostgreSQL
    .venv/bin/python bench/slow_clients.py --seconds 20 --findings 2000   # quicker

It builds the database and starts `gunicorn -c gunicorn.conf.py` (2 uvicorn workers, production
configuration). `--visitors` ordinary visitors (threads, one keep-alive connection each) then ask
for a page, wait a second, and ask again: a page of the portal, from the cache most of the time,
rendered afresh (a query string never seen) otherwise. Each request must be answered within
`--limit` seconds (5): a slower one is a failure. First `--baseline` seconds without slow clients,
then `--slow` (200) connections that trickle their request, one byte every 2 to 4 s (half of them
from the request line's first byte, half after a complete request line and Host header, in an
endless header), for `--seconds` (60), visitors still asking. It prints, for both phases, the
visitors' requests, failures and latency (p50, p95, max), and how many slow connections are still
open at the end or were closed by the server (and when). Exit status 1 if a visitor's request
failed while the slow clients were connected.
"""
import argparse
import asyncio
import itertools
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

_nonce = itertools.count(1)
_lock = threading.Lock()


def next_path(rng):
    label, path = rng.choice(h.PAGES)
    if rng.random() < 0.7:
        return "cached", path
    with _lock:
        nonce = next(_nonce)
    return "rendered", f"{path}{'&' if '?' in path else '?'}visitor={nonce}"


class SlowClients:
    """`count` connections trickling a request, in an event loop on a thread of its own."""

    def __init__(self, host, port, count, seconds):
        self.host, self.port, self.count, self.seconds = host, port, count, seconds
        self.opened = 0
        self.connect_errors = []
        self.closed = []  # (seconds after start, how)
        self.still_open = 0
        self.bytes_sent = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _one(self, number, start):
        rng = random.Random(number)
        if number % 2:
            payload = b"GET /findings/ HTTP/1.1\r\n"  # the request line itself, byte by byte
            head = b""
        else:
            head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            payload = b"X-Slow: " + b"a" * 10_000  # a header that never ends
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as error:
            self.connect_errors.append(type(error).__name__)
            return
        self.opened += 1
        eof = asyncio.ensure_future(reader.read(65536))  # the server closing (or answering)
        try:
            if head:
                writer.write(head)
                await writer.drain()
            for byte in itertools.cycle(payload):
                if time.monotonic() - start > self.seconds:
                    self.still_open += 1
                    return
                done, _ = await asyncio.wait({eof}, timeout=rng.uniform(2, 4))
                if done:
                    data = eof.result()
                    status = data.split(b"\r\n", 1)[0].decode(errors="replace") if data else "closed"
                    self.closed.append((time.monotonic() - start, status))
                    return
                writer.write(bytes([byte]))
                await writer.drain()
                self.bytes_sent += 1
        except OSError as error:
            self.closed.append((time.monotonic() - start, type(error).__name__))
        finally:
            eof.cancel()
            writer.close()

    async def _main(self):
        start = time.monotonic()
        tasks = []
        for number in range(self.count):
            tasks.append(asyncio.ensure_future(self._one(number, start)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)

    def start(self):
        self.thread.start()
        return self

    def join(self):
        self.thread.join()


def summary(name, records, limit):
    latencies = [(r[1] - r[0]) for r in records]
    failures = [r for r in records if r[4] != 200 or (r[1] - r[0]) > limit]
    worst = max(latencies, default=float("nan"))
    lines = [f"- {name}: {len(records)} requests, {len(failures)} failed "
             f"({h.tally(failures) if failures else 'none'}); "
             f"latency p50 {h.percentile(latencies, 0.5) * 1000:.0f} ms, "
             f"p95 {h.percentile(latencies, 0.95) * 1000:.0f} ms, max {worst * 1000:.0f} ms"]
    for kind in ("cached", "rendered"):
        mine = [r for r in records if r[2] == kind]
        if mine:
            own = [(r[1] - r[0]) * 1000 for r in mine]
            lines.append(f"  - {kind}: {len(mine)} requests ({h.tally(mine)}), p50 {h.percentile(own, 0.5):.0f} ms, "
                         f"max {max(own):.0f} ms")
    return "\n".join(lines), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--slow", type=int, default=200, help="slow connections (default 200)")
    parser.add_argument("--seconds", type=int, default=60, help="how long they stay (default 60)")
    parser.add_argument("--baseline", type=int, default=15, help="seconds of visitors alone first")
    parser.add_argument("--visitors", type=int, default=8)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds a visitor waits at most")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    h.exit_on_sigterm()
    h.require_wrk()

    workspace = server = visitors = None
    failed = False
    try:
        load_start = h.loadavg()
        workspace, count = h.build(os.environ.get("DATABASE_URL"), args.findings)
        server = h.Server(workspace, "slow", workers=args.workers).start()
        for _, path in h.PAGES:  # into the cache
            h.get(server.base + path, timeout=60)
        print(f"## Slow clients, {workspace.engine()}, {count:,} findings\n")
        print(h.machine())
        print(f"gunicorn -c gunicorn.conf.py, {args.workers} workers; {args.visitors} visitors (a page, then 1 s "
              f"pause; 70% cached pages, 30% rendered afresh), each request allowed {args.limit:.0f} s; "
              f"1-minute load average at start {load_start}")
        rss_before = server.worker_rss()
        visitors = h.Visitors(server.base, next_path, count=args.visitors, timeout=args.limit, pause=1.0).start()
        t0 = time.monotonic()
        time.sleep(args.baseline)
        t1 = time.monotonic()
        h.log(f"{args.slow} slow clients for {args.seconds} s")
        host, port = server.base.removeprefix("http://").split(":")
        slow = SlowClients(host, int(port), args.slow, args.seconds).start()
        time.sleep(5)
        connected_rss = server.worker_rss()
        slow.join()
        t2 = time.monotonic()
        visitors.stop()
        baseline_text, _ = summary("without slow clients", visitors.between(t0, t1), args.limit)
        slow_text, failures = summary(f"with {args.slow} slow clients", visitors.between(t1, t2), args.limit)
        print("\n### Visitors\n")
        print(baseline_text)
        print(slow_text)
        print("\n### Slow clients\n")
        print(f"- connected: {slow.opened} of {args.slow} (connect errors: {len(slow.connect_errors)}); "
              f"{slow.bytes_sent:,} bytes trickled in {args.seconds} s")
        print(f"- still open at the end: {slow.still_open}; closed by the server: {len(slow.closed)}")
        if slow.closed:
            how = {}
            for _, status in slow.closed:
                how[status] = how.get(status, 0) + 1
            times = [seconds for seconds, _ in slow.closed]
            print(f"  - how: {how}; after {min(times):.1f} to {max(times):.1f} s")
        print("\n### Workers' memory (VmRSS, MiB)\n")
        def fmt(rss):
            return ", ".join(f"{pid}: {mib:.1f}" for pid, mib in rss.items())

        print(f"- before: {fmt(rss_before)}")
        print(f"- with the slow clients connected: {fmt(connected_rss)}")
        print(f"- after: {fmt(server.worker_rss())}")
        print(f"- exceptions in the server's log: {server.exceptions()}")
        print(f"\n1-minute load average at end: {h.loadavg()}")
        failed = bool(failures) or slow.opened < args.slow
        print("\nResult: " + ("FAIL" if failed else "every visitor's request answered 200 within "
                                                    f"{args.limit:.0f} s while the slow clients were connected"))
    finally:
        if visitors is not None:
            visitors.stop()
        if server is not None:
            server.stop()
        if workspace is not None:
            workspace.cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
