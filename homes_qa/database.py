"""Engine settings: SQLite gets WAL, foreign keys and a busy timeout on every connection, and a
transaction begun before any savepoint; the query planner's statistics are refreshed by a
scheduled job."""
from collections.abc import Sequence

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from homes_qa.extensions import db

BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # A writer waits for the lock rather than failing: the sweep holds it for one unit of
    # work (seconds on a large estate under load) while mail delivery and pages want it too.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin_before_savepoint(connection: Connection, _name: str | None) -> None:
    """Python's sqlite3 begins a transaction only before an INSERT, UPDATE or DELETE, so a
    SAVEPOINT as a unit of work's first write began one of its own, and its RELEASE committed
    it: a sweep's dry run kept the alerts it only meant to show, and a batch that failed after
    its alerts went in kept them (issue 13). Begin the transaction first: the savepoint is then
    inside it, released into it, and committed or rolled back with the rest. Reads before it
    keep the driver's own behaviour (no transaction, so no snapshot held across a request)."""
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def init_app(app) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "savepoint", _begin_before_savepoint)


def refresh_planner_statistics() -> str:
    """ANALYZE: give the query planner row counts per index.

    Without them SQLite guesses, and on a county-sized database it guessed wrong: a manager's
    alert count walked every open obligation of every home (40–100 ms on 1,000 homes) rather
    than their own home's (about 1 ms). PostgreSQL's autovacuum also analyzes on its own; running
    it here keeps both the same. Returns the dialect's name.
    """
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return db.engine.dialect.name


def analyze_added(connection: Connection, *, sqlite: Sequence[str], postgresql: Sequence[str]) -> None:
    """For a migration that adds indexes: their statistics at once. On a SQLite database the
    planner has statistics for (the scheduler's ANALYZE), an index without them looks more
    selective than it is and was chosen wrongly (a manager's alerts walked the estate's): ANALYZE
    `sqlite` (tables or single indexes; nothing on a database never analyzed, which has no
    statistics to be misled by). PostgreSQL samples whole tables: ANALYZE `postgresql`."""
    if connection.dialect.name != "sqlite":
        names: Sequence[str] = postgresql
    elif connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is not None:
        names = sqlite
    else:
        return
    for name in names:
        connection.execute(text(f"ANALYZE {name}"))
