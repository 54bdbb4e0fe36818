"""A throwaway PostgreSQL server that a script can restart, stop and start (bench/faults.py).

The recipe of .ci/with-postgres: initdb and pg_ctl as the postgres user (runuser, so the script
runs as root), listening on 127.0.0.1 on a free port, in a data directory under /tmp that is
removed, with the server stopped, when the script finishes.
"""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ._harness import free_port, log

PASSWORD = "portal-throwaway"


def _pg_bin():
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")]
    )
    if not candidates:
        raise SystemExit("PostgreSQL server binaries not found: apt-get install postgresql")
    return candidates[-1]


class ThrowawayPostgres:
    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="portal-bench-pg-"))
        self.dir.chmod(0o755)
        self.data, self.sock = self.dir / "data", self.dir / "sock"
        self.port = free_port()
        self.url = f"postgres://portal:{PASSWORD}@127.0.0.1:{self.port}/portal"
        self.running = False

    def _as_postgres(self, *command, check=True):
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=check,
                              capture_output=True, text=True)

    def _pg_ctl(self, *args):
        started = time.monotonic()
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), *args)
        return time.monotonic() - started

    def create(self):
        for folder in (self.data, self.sock):
            subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", "-m", "700", str(folder)], check=True)
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                          "--auth-local=trust", "--auth-host=scram-sha-256")
        self.start()
        self._as_postgres(
            "psql", "-h", str(self.sock), "-p", str(self.port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q",
            "-c", f"CREATE ROLE portal LOGIN CREATEDB PASSWORD '{PASSWORD}'",
            "-c", "CREATE DATABASE portal OWNER portal",
        )
        version = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True, text=True).stdout
        log(f"throwaway {version.strip()} on 127.0.0.1:{self.port} ({self.dir})")
        return self

    def start(self):
        took = self._pg_ctl("-l", str(self.data / "log"), "-w",
                            "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock}", "start")
        self.running = True
        return took

    def restart(self):
        """pg_ctl restart -m fast: every connection is cut, the server comes back."""
        took = self._pg_ctl("-m", "fast", "-w", "-l", str(self.data / "log"),
                            "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock}", "restart")
        self.running = True
        return took

    def stop(self):
        took = self._pg_ctl("-m", "fast", "-w", "stop")
        self.running = False
        return took

    def destroy(self):
        if self.running:
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc):
        self.destroy()
