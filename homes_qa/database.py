"""Engine settings: SQLite gets WAL, foreign keys and a busy timeout on every connection."""
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def init_app(app) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
