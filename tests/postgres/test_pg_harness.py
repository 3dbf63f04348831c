"""The harness itself: every test starts from a database at head with no rows, whatever the
test before it did (rows written, schema changed)."""
import pytest
from sqlalchemy import inspect, text

from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people


def _row_counts() -> dict[str, int]:
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in sorted(tables)}


def _assert_fresh():
    assert set(_row_counts()) == set(db.metadata.tables)
    assert not any(_row_counts().values()), _row_counts()
    assert db.session.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_no_rows_and_fresh_ids(pg_app, run):
    _assert_fresh()
    with acting_as("test"):
        home = people.create_home(name="Alder House", ofsted_urn="SC900001", address="x", registered_places=1)
    assert home.id == 1  # sequences restarted too


@pytest.mark.parametrize("step", ["break the schema", "find it rebuilt"])
def test_a_test_that_changes_the_schema_does_not_leak_it(pg_app, step):
    if step == "break the schema":
        db.session.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        db.session.execute(text("ALTER TABLE homes ADD COLUMN stray integer"))
        db.session.commit()
        return
    _assert_fresh()
    assert "stray" not in {c["name"] for c in inspect(db.engine).get_columns("homes")}
    triggers = db.session.execute(text(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal")).scalars().all()
    assert "audit_events_append_only" in triggers


def test_server_listens_on_a_unix_socket_only(pg_app):
    settings = dict(db.session.execute(text(
        "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'fsync')")).all())
    assert settings == {"listen_addresses": "", "fsync": "off"}
    assert db.engine.url.query["host"].startswith("/tmp/")
