"""A throwaway PostgreSQL server for the tests in this directory.

One server per test session: `initdb` into a temp dir, started with `pg_ctl` on a unix socket
only (no TCP), stopped at the end whatever happens. Every test gets a fresh database at the
head of the real Alembic migrations (`flask_migrate.upgrade()`; see `pg_app`).

initdb refuses to run as root, so as root the server programs run as the `postgres` system user.
These tests never skip: if PostgreSQL is not installed they fail with a clear message.

The server runs in a non-UTC zone on purpose, so that a timestamp stored or read in the
session zone rather than as UTC would show up in the tests.
"""
from __future__ import annotations

import glob
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_USER = "postgres"          # OS user that runs the server when we are root
DB_NAME = "homes_qa_test"
SERVER_TIMEZONE = "America/New_York"
PASSWORD = "correct-horse-battery"


# ---------------------------------------------------------------- the server

TOOLS = ("initdb", "pg_ctl", "createdb")


def _pg_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin with the server tools, else initdb's own
    directory found on PATH (symlinks resolved: Debian's /usr/bin wrappers are not enough)."""
    def version(path: str) -> tuple:
        return tuple(int(x) for x in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    if shutil.which("initdb"):
        candidates.append(os.path.dirname(os.path.realpath(shutil.which("initdb"))))
    for bindir in candidates:
        if all(os.access(Path(bindir) / tool, os.X_OK) for tool in TOOLS):
            return Path(bindir)
    pytest.fail("PostgreSQL server binaries (initdb, pg_ctl, createdb) not found in "
                "/usr/lib/postgresql/*/bin or next to initdb on PATH: install PostgreSQL (e.g. "
                "`apt-get install postgresql`). The PostgreSQL tests must run; they are never skipped.",
                pytrace=False)


def _ensure_os_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True, text=True)


def _run(cmd: list[str], *, as_root_user: str | None, cwd: Path) -> subprocess.CompletedProcess:
    if as_root_user:
        cmd = ["runuser", "-u", as_root_user, "--", *cmd]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
                    pytrace=False)
    return result


@dataclass
class PgServer:
    bindir: Path
    root: Path        # temp dir: data/, server.log and the unix socket
    run_as: str | None

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        return _run([str(self.bindir / tool), *args], as_root_user=self.run_as, cwd=self.root)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join((self.root / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _admin_connect(server: PgServer):
    """An autocommit psycopg connection to the `postgres` maintenance database."""
    import psycopg
    return psycopg.connect(host=str(server.socket_dir), user="postgres", dbname="postgres",
                           autocommit=True)


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bindir()
    run_as = None
    if os.geteuid() == 0:
        _ensure_os_user(PG_USER)
        run_as = PG_USER
    root = Path(tempfile.mkdtemp(prefix="homes-qa-pg-", dir="/tmp"))
    root.chmod(0o755)
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(root, user.pw_uid, user.pw_gid)
    server = PgServer(bindir, root, run_as)
    started = False
    try:
        server.run("initdb", "-D", str(server.datadir), "-A", "trust", "-U", "postgres",
                   "--no-sync", "-E", "UTF8", "--locale=C")
        options = (f"-k {server.socket_dir} -c listen_addresses='' -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c timezone={SERVER_TIMEZONE} "
                   "-c lock_timeout=15s "  # a test stuck on a lock fails instead of hanging
                   "-c autovacuum=off -c wal_level=minimal -c max_wal_senders=0")
        started = True  # from here on, always try to stop it
        try:
            server.run("pg_ctl", "-D", str(server.datadir), "-l", str(root / "server.log"),
                       "-w", "-t", "60", "start", "-o", options)
        except BaseException:
            print(server.log_tail())
            raise
        yield server
    finally:
        if started:
            cmd = [str(bindir / "pg_ctl"), "-D", str(server.datadir), "-m", "fast", "-w", "stop"]
            if run_as:
                cmd = ["runuser", "-u", run_as, "--", *cmd]
            stop = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL)
            if stop.returncode != 0 and (server.datadir / "postmaster.pid").exists():
                subprocess.run([c if c != "fast" else "immediate" for c in cmd], cwd=root,
                               capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """SQLAlchemy URL of the (initially empty) test database on the throwaway server."""
    pg_server.run("createdb", "-h", str(pg_server.socket_dir), "-U", "postgres", DB_NAME)
    return f"postgresql+psycopg://postgres@/{DB_NAME}?host={pg_server.socket_dir}"


# Everything a migration can build in the public schema, and the revision it reached.
_SCHEMA_SQL = """
    SELECT 'rel', c.relname, c.relkind::text, '', '' FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'col', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
           a.attnotnull::text || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'con', conrelid::regclass::text, conname, pg_get_constraintdef(oid), '' FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'idx', tablename, indexname, indexdef, '' FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'trg', tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled::text
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'fn', proname, pg_get_function_identity_arguments(oid), md5(prosrc), '' FROM pg_proc
     WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'ver', version_num, '', '', '' FROM alembic_version
    ORDER BY 1, 2, 3, 4, 5"""

# The schema as `upgrade()` last built it from an empty database.
_migrated_schema: list[str | None] = [None]


def _test_db(server: PgServer):
    import psycopg
    return psycopg.connect(host=str(server.socket_dir), user="postgres", dbname=DB_NAME,
                           autocommit=True)


def schema_fingerprint(server: PgServer) -> str | None:
    import psycopg
    with _test_db(server) as conn:
        try:
            rows = conn.execute(_SCHEMA_SQL).fetchall()
        except psycopg.Error:  # e.g. no alembic_version table
            return None
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def reset_database(server: PgServer, *, from_empty: bool) -> bool:
    """A fresh test database; True if it was emptied (for `upgrade()` to build from scratch).

    Building the schema costs the server far more than anything else in these tests, so when
    the schema is exactly as the migrations last built it (same tables, columns, constraints,
    indexes, triggers, functions and revision: a test may have changed none of it), only the
    rows are deleted and the sequences restarted. Otherwise, or when `from_empty`, the public
    schema is dropped with everything in it. Any connection a previous test leaked is ended.
    """
    with _admin_connect(server) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (DB_NAME,))
    if not from_empty and _migrated_schema[0] and schema_fingerprint(server) == _migrated_schema[0]:
        with _test_db(server) as conn, conn.transaction():
            # Replica mode: no triggers, so neither the audit trail's append-only guard nor
            # foreign keys get in the way of emptying every table.
            conn.execute("SET LOCAL session_replication_role = replica")
            for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "AND tablename <> 'alembic_version'").fetchall():
                conn.execute(f'DELETE FROM "{table}"')
            conn.execute("SELECT setval(c.oid, s.seqstart, false) FROM pg_class c "
                         "JOIN pg_sequence s ON s.seqrelid = c.oid "
                         "WHERE c.relnamespace = 'public'::regnamespace")
        return False
    with _test_db(server) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
        leftovers = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                                 "AND nspname NOT IN ('public', 'information_schema')").fetchall()
        assert not leftovers, f"unexpected schemas in the test database: {leftovers}"
    return True


def pytest_configure(config):
    config.addinivalue_line("markers", "pg_from_empty: pg_app migrates an empty database from "
                                       "scratch (always done when the schema is not as migrated)")


# ---------------------------------------------------------------- the app

class _SharedBytecodeCache:
    """Jinja bytecode shared by every test's app: each app has a fresh Jinja environment and
    would otherwise parse and compile the GOV.UK templates again (seconds per test).
    Only compile time changes; templates are still loaded and checksummed each time."""

    def __init__(self):
        from jinja2 import BytecodeCache

        store: dict[str, bytes] = {}

        class Cache(BytecodeCache):
            def load_bytecode(self, bucket):
                if bucket.key in store:
                    bucket.bytecode_from_string(store[bucket.key])

            def dump_bytecode(self, bucket):
                store[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()


@pytest.fixture(scope="session")
def _jinja_bytecode():
    return _SharedBytecodeCache().cache


def _make_app(pg_url: str, instance: Path, bytecode_cache):
    from homes_qa import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": pg_url,
                      "INSTANCE_PATH": str(instance), "LOGIN_RATE_LIMIT": "1000 per minute"})
    app.jinja_env.bytecode_cache = bytecode_cache
    return app


@pytest.fixture
def pg_app(request, pg_server, pg_url, tmp_path, _jinja_bytecode):
    """The app on a fresh PostgreSQL database at the migrations' head, inside an app context.

    `upgrade()` builds the schema from empty for the first test, for tests marked
    `pg_from_empty`, and whenever a test has left the schema changed; otherwise the database
    is the last one built, emptied of rows (see reset_database) and `upgrade()` finds it at head.
    """
    from flask_migrate import upgrade

    from homes_qa.extensions import db, limiter

    emptied = reset_database(pg_server, from_empty=bool(request.node.get_closest_marker("pg_from_empty")))
    app = _make_app(pg_url, tmp_path / "instance", _jinja_bytecode)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        limiter.reset()
        try:
            upgrade()
            if emptied:
                _migrated_schema[0] = schema_fingerprint(pg_server)
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def pg_client(pg_app):
    return pg_app.test_client()


@dataclass
class PgWorld:
    alder: object
    birch: object
    cedar: object
    manager: object       # registered manager of Alder and Cedar
    visitor: object       # Reg 44 visitor of Birch
    admin: object
    head: object
    unassigned: object    # registered manager of nothing


_HASHES: dict[str, str] = {}


@pytest.fixture
def pg_world(pg_app, monkeypatch) -> PgWorld:
    from homes_qa.core.roles import Role
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people

    # argon2 is slow by design: hash each password once per session (still real argon2 hashes).
    real_hash = people.hash_password

    def cached_hash(password: str) -> str:
        if password not in _HASHES:
            _HASHES[password] = real_hash(password)
        return _HASHES[password]

    monkeypatch.setattr(people, "hash_password", cached_hash)
    with acting_as("test setup"):
        # Created out of name order, so ordering by name is observable.
        cedar = people.create_home(name="Cedar House", ofsted_urn="SC900003", address="3 Cedar Road", registered_places=2)
        alder = people.create_home(name="Alder House", ofsted_urn="SC900001", address="1 Alder Road", registered_places=4)
        birch = people.create_home(name="Birch House", ofsted_urn="SC900002", address="2 Birch Road", registered_places=3)

        def user(name, email, role):
            return people.create_user(name=name, email=email, role=role, password=PASSWORD)

        manager = user("Manager AC", "manager@example.org", Role.REGISTERED_MANAGER)
        visitor = user("Visitor B", "visitor@example.org", Role.REG44_VISITOR)
        admin = user("Admin", "admin@example.org", Role.ADMIN)
        head = user("Head", "head@example.org", Role.HEAD_OF_SERVICE)
        unassigned = user("New Manager", "new@example.org", Role.REGISTERED_MANAGER)
        people.assign(alder, manager)
        people.assign(cedar, manager)
        people.assign(birch, visitor)
    return PgWorld(alder, birch, cedar, manager, visitor, admin, head, unassigned)
