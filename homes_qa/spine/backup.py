"""`flask backup` / `flask restore`: a whole-database copy while the app keeps running.

SQLite: the sqlite3 online backup API (a consistent copy page by page, readers and writers
carry on; restoring copies the backup's pages over the live file the same way).
PostgreSQL: `pg_dump --format=custom` of the configured database, `pg_restore --clean
--if-exists --single-transaction` back into it (all or nothing). The connection details are
passed to the tools as options and PGPASSWORD, never on a shell.

`fingerprint` gives every table's row count and a SHA-256 of its rows in primary-key order,
so a round trip can be checked: the restored database has the same fingerprint.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.engine import URL


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


@dataclass(frozen=True)
class TablePrint:
    rows: int
    sha256: str


def fingerprint(engine: Engine) -> dict[str, TablePrint]:
    """Each table's row count and a checksum of its rows (ordered by primary key)."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    prints: dict[str, TablePrint] = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
                count += 1
            prints[name] = TablePrint(count, digest.hexdigest())
    return prints


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools.")
    return found


def _pg_connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options for the database of `url`, and the environment (password) for the tool."""
    args: list[str] = []
    host = url.host or url.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    if not url.database:
        raise BackupError("DATABASE_URL names no database.")
    args += ["--dbname", url.database]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore. The bandit B404/B603 waivers (`# nosec`) hold because the
    program is one of those two, found on PATH, given an argument list with no shell, and the
    database's details come from the app's own configuration."""
    result = subprocess.run(cmd, env=env, capture_output=True, text=True,  # nosec B603
                            stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def backup(engine: Engine, destination: Path) -> None:
    """Write a copy of the whole database to `destination` (overwritten if it exists)."""
    url = engine.url
    destination = Path(destination)
    if destination.exists():
        destination.unlink()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_connection(url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(destination), *args], env)
    else:
        raise BackupError(f"No backup for the {url.get_backend_name()} database.")


def restore(engine: Engine, source: Path) -> None:
    """Replace the whole database with the backup at `source`."""
    url = engine.url
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    engine.dispose()  # this process's pooled connections would hold the old pages or locks
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{source} is not a sound SQLite database.")
            live = sqlite3.connect(_sqlite_path(url))
            try:
                with live:
                    backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not an SQLite backup: {error}") from None
        finally:
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_connection(url)
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", *args, str(source)], env)
    else:
        raise BackupError(f"No restore for the {url.get_backend_name()} database.")
    with engine.connect() as conn:  # the restored database answers
        conn.execute(text("SELECT 1"))

