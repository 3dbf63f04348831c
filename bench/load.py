"""`make load`: the app as it would be deployed, under 50 concurrent signed-in people.

Starts, in a temporary directory, and stops again whatever happens:
- a throwaway PostgreSQL server (`initdb`, `pg_ctl`; unix socket only, no TCP), as the
  `postgres` system user when run as root (initdb refuses root);
- a real Redis (`redis-server`, unix socket only, nothing saved) for Flask-Limiter's counters
  (RATELIMIT_STORAGE_URI=redis+unix://…), so every worker shares the sign-in limits;
- `flask db upgrade` and a synthetic estate (bench/run_bench.py `build`, on PostgreSQL);
- gunicorn with 4 workers on a free local port, and `flask scheduler` beside it (one process,
  holding the scheduler lease, sweeping every minute);
then runs locust headless (bench/locustfile.py): 50 people of mixed roles for 60 s, each
signing in with the CSRF token and browsing their first page, lists, a home page and alerts.
Prints requests/s, p50/p95/p99 and errors; exits 1 unless there are 0 errors and p95 < 500 ms.

    python bench/load.py [--users 50] [--seconds 60] [--homes 20] [--months 24] [--workers 4]
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_P95_MS = 500
PG_TOOLS = ("initdb", "pg_ctl", "createdb")


def _missing() -> list[str]:
    """What the run needs and this machine lacks, each with how to install it."""
    problems = []
    if not shutil.which("redis-server"):
        problems.append("redis-server is missing: apt-get install redis-server")
    for tool in ("gunicorn", "locust"):
        if not (BIN / tool).exists() and not shutil.which(tool):
            problems.append(f"{tool} is missing: {BIN / 'pip'} install -r requirements-load.txt "
                            "(`make load` does this)")
    try:
        import redis  # noqa: F401 - Flask-Limiter's redis storage needs the client
    except ImportError:
        problems.append(f"the redis client is missing: {BIN / 'pip'} install -r requirements-load.txt")
    if _pg_bindir() is None:
        problems.append("PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql")
    return problems


def _pg_bindir() -> Path | None:
    def version(path: str) -> tuple:
        return tuple(int(x) for x in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    if shutil.which("initdb"):
        candidates.append(os.path.dirname(os.path.realpath(shutil.which("initdb"))))
    for bindir in candidates:
        if all(os.access(Path(bindir) / tool, os.X_OK) for tool in PG_TOOLS):
            return Path(bindir)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


class Stack:
    """The processes of one run, stopped in reverse order by `close()`."""

    def __init__(self, root: Path):
        self.root = root
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.pg_bindir = _pg_bindir()
        self.pg_user = "postgres" if os.geteuid() == 0 else None
        self.pg_started = False

    def _as_pg(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", self.pg_user, "--", *cmd] if self.pg_user else cmd

    def start_postgres(self) -> str:
        pg = self.root / "pg"
        pg.mkdir()
        if self.pg_user:
            try:
                pwd.getpwnam(self.pg_user)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                                self.pg_user], check=True)
            user = pwd.getpwnam(self.pg_user)
            os.chown(pg, user.pw_uid, user.pw_gid)
        data = pg / "data"
        subprocess.run(self._as_pg([str(self.pg_bindir / "initdb"), "-D", str(data), "-A", "trust",
                                    "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]),
                       check=True, capture_output=True, cwd=pg)
        options = f"-k {pg} -c listen_addresses='' -c max_connections=100 -c fsync=off"
        subprocess.run(self._as_pg([str(self.pg_bindir / "pg_ctl"), "-D", str(data), "-l", str(pg / "server.log"),
                                    "-w", "-t", "60", "start", "-o", options]), check=True, capture_output=True, cwd=pg)
        self.pg_started = True
        subprocess.run(self._as_pg([str(self.pg_bindir / "createdb"), "-h", str(pg), "-U", "postgres", "homes_qa_load"]),
                       check=True, capture_output=True, cwd=pg)
        return f"postgresql://postgres@/homes_qa_load?host={pg}"

    def start_redis(self) -> str:
        sock = self.root / "redis.sock"
        self.spawn("redis", ["redis-server", "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(self.root)], env=os.environ.copy())
        _wait(sock.exists, 20, "redis-server to listen")
        return f"redis+unix://{sock}"

    def spawn(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes.append((name, process))
        return process

    def log(self, name: str, lines: int = 30) -> str:
        path = self.root / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def close(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if self.pg_started:
            subprocess.run(self._as_pg([str(self.pg_bindir / "pg_ctl"), "-D", str(self.root / "pg" / "data"),
                                        "-m", "fast", "-w", "stop"]), capture_output=True, cwd=self.root)


def build_estate(homes: int, months: int) -> None:
    """In this process, on DATABASE_URL: bench/run_bench.py's synthetic estate."""
    sys.path.insert(0, str(ROOT / "bench"))
    import logging

    from run_bench import build

    from homes_qa import create_app
    logging.disable(logging.INFO)
    print(build(create_app(), homes=homes, months=months))


WARM_PAGES = {"manager0": ["/", "/alerts/", "/homes/", "/homes/1"], "sm0": ["/", "/alerts/", "/homes/", "/homes/1"],
              "visitor0": ["/", "/alerts/", "/reg44/", "/reg44/homes/1"], "head": ["/", "/alerts/", "/homes/", "/homes/1"]}


def warm_up(base: str, workers: int) -> None:
    """Each page once per worker and a bit more (a server that has been up has its templates
    compiled and its connections open): locust then measures the steady state, not start-up."""
    import http.cookiejar
    import urllib.parse
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    for _ in range(workers * 2):
        for account, pages in WARM_PAGES.items():
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            with opener.open(base + "/sign-in", timeout=60) as page:
                csrf = token.search(page.read().decode()).group(1)
            form = urllib.parse.urlencode({"email": f"{account}@bench.example.org", "password": "bench-password-123",
                                           "csrf_token": csrf}).encode()
            opener.open(base + "/sign-in", data=form, timeout=60).close()
            for path in pages:
                opener.open(base + path, timeout=60).close()


def summary(stats_csv: Path) -> dict:
    with stats_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {"rows": rows, "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]), "p50": float(total["50%"]), "p95": float(total["95%"]),
            "p99": float(total["99%"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--homes", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--spawn-rate", type=float, default=5, help="people starting per second (default 5)")
    parser.add_argument("--build-estate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_estate:
        build_estate(args.homes, args.months)
        return 0
    problems = _missing()
    if problems:
        print("make load cannot run here:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2

    root = Path(tempfile.mkdtemp(prefix="homes-qa-load-", dir="/tmp"))
    root.chmod(0o755)
    stack = Stack(root)
    try:
        print(f"working in {root}")
        database_url = stack.start_postgres()
        storage = stack.start_redis()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": storage,
               "SECRET_KEY": "load-" + os.urandom(8).hex(), "FLASK_APP": "run.py", "SWEEP_MINUTES": "1",
               "MAIL_OUTBOX": str(root / "outbox"), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
               "PYTHONUNBUFFERED": "1"}
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        started = time.monotonic()
        built = subprocess.run([sys.executable, __file__, "--build-estate", "--homes", str(args.homes),
                                "--months", str(args.months)], cwd=ROOT, env=env, capture_output=True, text=True)
        if built.returncode != 0:
            print(built.stdout, built.stderr, file=sys.stderr)
            return 1
        print(f"estate on PostgreSQL ({time.monotonic() - started:.0f} s): {built.stdout.strip().splitlines()[-1]}")
        gunicorn = stack.spawn("gunicorn", [str(BIN / "gunicorn"), "--workers", str(args.workers),
                                            "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
                                            "homes_qa.wsgi:app"], env)
        scheduler = stack.spawn("scheduler", [str(BIN / "flask"), "scheduler"], env)

        def up() -> bool:
            if gunicorn.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{stack.log('gunicorn')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        _wait(up, 60, "gunicorn to answer")
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; flask scheduler beside it; "
              f"Flask-Limiter on {storage}")
        started = time.monotonic()
        _wait(lambda: "scheduled sweep:" in stack.log("scheduler", 10_000), 300, "the scheduler's first sweep")
        warm_up(f"http://127.0.0.1:{port}", args.workers)
        print(f"warmed up ({time.monotonic() - started:.0f} s: the scheduler's first sweep, then every page "
              f"{args.workers * 2} times); now {args.users} people for {args.seconds} s")
        prefix = root / "locust"
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                        "--run-time", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
                        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                       cwd=ROOT, env={**env, "LOAD_HOMES": str(args.homes)}, check=False,
                       stdout=(root / "locust.log").open("wb"), stderr=subprocess.STDOUT)
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            print(f"locust wrote no statistics:\n{stack.log('locust')}", file=sys.stderr)
            return 1
        result = summary(stats)
        if scheduler.poll() is not None:
            print(f"the scheduler died:\n{stack.log('scheduler')}", file=sys.stderr)
            return 1
        sweeps = stack.log("scheduler", 10_000).count("scheduled sweep:")
        errors = (root / "gunicorn.log").read_text(errors="replace").count("Traceback")
        print(f"\n{'request':<36} {'count':>6} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
        for row in result["rows"]:
            print(f"{row['Name']:<36} {row['Request Count']:>6} {row['Failure Count']:>5} "
                  f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
        print(f"\n{args.users} users × {args.seconds} s, {args.workers} gunicorn workers, PostgreSQL + Redis: "
              f"{result['requests']} requests, {result['rps']:.1f} requests/s, p50 {result['p50']:.0f} ms, "
              f"p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms, {result['failures']} errors; "
              f"server tracebacks {errors}; scheduler sweeps {sweeps}")
        failures = root / "locust_failures.csv"
        if result["failures"] and failures.exists():
            print(failures.read_text(), file=sys.stderr)
        ok = result["failures"] == 0 and errors == 0 and result["p95"] < TARGET_P95_MS
        print("OK: 0 errors and p95 < 500 ms" if ok else "FAIL: the target is 0 errors and p95 < 500 ms")
        return 0 if ok else 1
    finally:
        stack.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
