"""What the load, soak, slow-client and fault scripts share: a fresh database of N findings,
gunicorn started with the committed gunicorn.conf.py, wrk, worker memory, the machine.

Servers bind 127.0.0.1 on a free port, are started by these scripts alone and stopped by them
(by PID) when they finish; the kernel also stops them if the script dies (PR_SET_PDEATHSIG).
"""
import contextlib
import ctypes
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"

# Pages of the portal the scripts measure; the filter uses generate_synthetic_data's slugs.
PAGES = [
    ("home", "/"),
    ("list", "/findings/"),
    ("filtered list", "/findings/?tag=synthetic-01&topic=synthetic-topic-3"),
    ("search", "/search/?q=procurement+corruption"),
    ("detail", "/findings/ai-to-identify-corruption-in-procurement/"),
    ("tags", "/tags/"),
    ("topics", "/topics/"),
]
BARE_PATH = "/bench/bare/"
# Words of the synthetic findings (and of the report), for searches that miss the cache.
WORDS = (
    "innovation public administration data digital services procurement corruption accountability "
    "participation resilience training health education crisis governance collaboration citizens "
    "institutions technology regulation inclusion equity platforms local national oversight"
).split()


# -- process hygiene ---------------------------------------------------------------------------

def _die_with_parent():
    """preexec_fn: the child gets SIGTERM when the script that started it dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def exit_on_sigterm():
    """SIGTERM and SIGHUP unwind like Ctrl-C, so that `finally:` blocks stop what was started."""
    def handler(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- Django and the database -------------------------------------------------------------------

class Workspace:
    """Environment shared by this script's Django (to build the database) and its servers."""

    def __init__(self, database_url=None, access_log=False, log_dir=Path("/tmp/bench-out/logs")):
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not database_url:
            database_url = f"sqlite:///{self.tmp / 'db.sqlite3'}"
        self.database_url = database_url
        self.env = {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": "benchmark-only-" + secrets.token_urlsafe(40),
            # Plain HTTP on 127.0.0.1, as `make serve` does.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "STATIC_ROOT": str(self.tmp / "static"),
            "CACHE_DIR": str(self.tmp / "cache-build"),
            "ACCESS_LOG": "1" if access_log else "0",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("REDIS_URL", None)

    def setup_django(self):
        os.environ.update(self.env)
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("DB_POOL", None)
        os.environ.pop("PAGE_CACHE", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def vendor(self):
        from django.db import connection

        return connection.vendor

    def engine(self):
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "sqlite":
            return f"SQLite {connection.Database.sqlite_version}"
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"

    def fresh_database(self):
        """migrate, load_wpsr, collectstatic; on PostgreSQL the public schema is emptied first."""
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        call_command("load_wpsr", verbosity=0, stdout=sys.stderr)

    def grow_to(self, size):
        """Add synthetic findings until there are `size` (VACUUM ANALYZE on PostgreSQL); returns the count."""
        from django.core.management import call_command
        from django.db import connection, connections

        from findings.models import Finding

        missing = size - Finding.objects.count()
        if missing > 0:
            started = time.monotonic()
            call_command("generate_synthetic_data", findings=missing, verbosity=0, stdout=sys.stderr)
            log(f"added {missing:,} synthetic findings in {time.monotonic() - started:.0f} s")
        if connection.vendor == "postgresql":
            # VACUUM as well, as autovacuum does within a minute of a bulk load in production: the
            # synthetic data's index rewrite leaves a dead search row behind every live one.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        count = Finding.objects.count()
        connections.close_all()  # the servers own the database from here on
        return count

    def static_path(self, name="css/portal.css"):
        """The hashed URL of a collected static file, as a page links it."""
        manifest = json.loads((Path(self.env["STATIC_ROOT"]) / "staticfiles.json").read_text())
        return "/static/" + manifest["paths"][name]

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def build(database_url=None, size=10_000, access_log=False):
    """A Workspace with a fresh database of `size` findings (Django set up in this process)."""
    workspace = Workspace(database_url, access_log=access_log)
    workspace.setup_django()
    log(f"database: {workspace.engine()} ({redact(workspace.database_url)})")
    workspace.fresh_database()
    count = workspace.grow_to(size)
    log(f"{count:,} findings")
    return workspace, count


def redact(url):
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


# -- gunicorn ----------------------------------------------------------------------------------

class Server:
    """gunicorn -c gunicorn.conf.py (uvicorn workers, portal.asgi) on 127.0.0.1:<free port>."""

    def __init__(self, workspace, name, workers=2, page_cache=True, extra_env=None, extra_args=()):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.log_path = workspace.log_dir / f"gunicorn-{stamp}-{name}-{self.port}.log"
        self.env = {
            **os.environ,
            **workspace.env,
            "WEB_CONCURRENCY": str(workers),
            "BIND": f"127.0.0.1:{self.port}",
            "PAGE_CACHE": "1" if page_cache else "0",
            "CACHE_DIR": str(workspace.tmp / f"cache-{name}-{self.port}"),
            **(extra_env or {}),
        }
        # Whatever this script's Django was told, the server follows gunicorn.conf.py alone.
        for name_ in ("DB_POOL", "CONN_MAX_AGE", "GUNICORN_CMD_ARGS", "REDIS_URL"):
            if name_ not in (extra_env or {}):
                self.env.pop(name_, None)
        self.workers = workers
        # gunicorn 27 opens a control socket, by default at one path for every gunicorn that root
        # starts on the machine (~/.gunicorn/gunicorn.ctl): each server here gets its own, so as
        # not to take it from another gunicorn on this machine. Nothing else differs.
        control = workspace.tmp / f"ctl-{name}-{self.port}.sock"
        self.extra_args = ["--control-socket", str(control), *extra_args]
        self.process = None

    def start(self, timeout=90, healthy=True):
        """Start and wait until /healthz answers 200 (or answers at all, with healthy=False)."""
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), *self.extra_args],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.log_path}:\n{self.tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    status, _, _ = get(self.base + "/healthz", timeout=5)
                    if status == 200 or not healthy:
                        return self
                except OSError:
                    pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn {self.name} did not answer /healthz in {timeout} s:\n{self.tail()}")

    @property
    def pid(self):
        return self.process.pid

    def worker_pids(self):
        """gunicorn's worker processes: the children of the master."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self):
        """CPU time (user + system) the master and its workers have used so far."""
        ticks = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def boots(self):
        """How many workers gunicorn has booted so far (its log says each one)."""
        return self.log_text().count("Booting worker")

    def worker_rss(self):
        """{pid: RSS in MiB} of each worker."""
        return {pid: rss_mib(pid) for pid in self.worker_pids()}

    def tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def exceptions(self):
        """'OperationalError: 3, PoolTimeout: 5': the exceptions the server's log ends a traceback with."""
        counts = {}
        for line in self.log_text().splitlines():
            match = re.match(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Exit))(?::|$)", line)
            if match:
                name = match.group(1).rsplit(".", 1)[-1]
                counts[name] = counts.get(name, 0) + 1
        return ", ".join(f"{name}: {count}" for name, count in sorted(counts.items())) or "none"

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_idle(servers, busy=0.1, window=1.0, timeout=180):
    """Wait until the servers use less than `busy` of a core together (requests a client gave up
    on still run to their end on the server's threads); returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        before = sum(server.cpu_seconds() for server in servers)
        time.sleep(window)
        if sum(server.cpu_seconds() for server in servers) - before < busy * window:
            break
    return time.monotonic() - start


def rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def get(url, timeout=10, headers=None):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# -- wrk ---------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def require_wrk():
    """Stop at once, with what to do, when wrk is missing (before a database is built for nothing)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (`make bench` installs it)")


def wrk(url, seconds, connections=16, threads=2, script=None, timeout="30s"):
    """Run wrk; returns {rps, p50, p99 (ms), requests, non2xx, socket_errors, output}.

    rps counts the 2xx and 3xx answers only (wrk's own Requests/sec, kept as rps_all, counts
    every answer, a quick 503 included)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"--timeout={timeout}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    result = {"output": output, "non2xx": 0, "socket_errors": 0}
    result["rps_all"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for percent, key in (("50", "p50"), ("99", "p99")):
        match = re.search(rf"^\s+{percent}(?:\.000)?%\s+(\S+)", output, re.M)
        result[key] = _ms(match.group(1)) if match else float("nan")
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        result["non2xx"] = int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        result["socket_errors"] = sum(int(n) for n in match.groups())
    answered = result["requests"] - result["non2xx"]
    result["rps"] = result["rps_all"] * answered / result["requests"] if result["requests"] else 0.0
    return result


# -- the machine ---------------------------------------------------------------------------------

def machine():
    """One line: date, CPU, cores, RAM, kernel, Python."""
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    ram_gib = int(memory.split()[1]) / 1024 / 1024
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}; {os.cpu_count()} cores; "
        f"{ram_gib:.0f} GiB RAM; Linux {platform.release()}; Python {platform.python_version()}; {wrk_version}"
    )


def loadavg():
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- a Python load generator that keeps every answer (for timelines) -------------------------------

class Visitors:
    """`count` threads, each with a keep-alive connection, asking for `next_path()` in a loop
    (pausing `pause` seconds between requests) and recording every answer:
    (start, end, label, path, status or None, error or None, X-Cache)."""

    def __init__(self, base, next_path, count=8, timeout=15.0, pause=0.0):
        import threading

        self.host, self.port = base.removeprefix("http://").split(":")
        self.next_path, self.count, self.timeout, self.pause = next_path, count, timeout, pause
        self.records, self.lock, self.stopping = [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]

    def _run(self, number):
        import http.client
        import random

        rng = random.Random(number)
        connection = None
        while not self.stopping.is_set():
            label, path = self.next_path(rng)
            start = time.monotonic()
            status = error = x_cache = None
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, int(self.port), timeout=self.timeout)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status, x_cache = response.status, response.headers.get("X-Cache")
                if response.headers.get("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
                if connection is not None:
                    connection.close()
                connection = None
            with self.lock:
                self.records.append((start, time.monotonic(), label, path, status, error, x_cache))
            if self.pause:
                self.stopping.wait(self.pause)

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 5)

    def between(self, start, end=float("inf")):
        """The records of the requests started in [start, end)."""
        with self.lock:
            return [record for record in self.records if start <= record[0] < end]


def outcome(record):
    """'200', '503', ... or the socket error's name."""
    return str(record[4]) if record[4] is not None else record[5]


def tally(records):
    """'200: 812, 503: 14' (how many answers of each status or error)."""
    counts = {}
    for record in records:
        counts[outcome(record)] = counts.get(outcome(record), 0) + 1
    return ", ".join(f"{key}: {value}" for key, value in sorted(counts.items())) or "none"


def percentile(values, fraction):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]
