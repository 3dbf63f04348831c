"""The Alembic migrations, run for real on PostgreSQL, from an empty database."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from homes_qa.extensions import db


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _triggers() -> set[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"))
        return {tuple(row) for row in rows}


@pytest.mark.pg_from_empty
def test_upgrade_builds_every_declared_table(pg_app):
    declared = set(db.metadata.tables)
    assert declared, "no models registered on db.metadata"
    assert _tables() == declared
    inspector = inspect(db.engine)
    for name, table in db.metadata.tables.items():
        migrated = {column["name"] for column in inspector.get_columns(name)}
        assert migrated == set(table.columns.keys()), name


@pytest.mark.pg_from_empty
def test_migrated_schema_matches_the_models(pg_app):
    """No drift between the models and what the migrations build (as autogenerate sees it)."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


@pytest.mark.pg_from_empty
def test_upgrade_installs_the_append_only_trigger(pg_app):
    assert ("audit_events", "audit_events_append_only") in _triggers()


@pytest.mark.pg_from_empty
def test_downgrade_to_base_and_upgrade_again(pg_app):
    downgrade(revision="base")
    db.session.remove()
    assert _tables() == set()
    assert not any(table == "audit_events" for table, _ in _triggers())
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0

    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert ("audit_events", "audit_events_append_only") in _triggers()
    with db.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    from alembic.script import ScriptDirectory
    from flask import current_app
    config = current_app.extensions["migrate"].migrate.get_config()
    assert head == ScriptDirectory.from_config(config).get_current_head()
