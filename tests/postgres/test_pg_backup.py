"""`flask backup` / `flask restore` on PostgreSQL (pg_dump / pg_restore), and the migrations
upgrading a database that already holds data, from the early revisions to head."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.backup import fingerprint
from homes_qa.spine.people import service as people


def test_pg_backup_then_restore_gives_back_every_table_identical(pg_app, pg_world, tmp_path):
    runner = pg_app.test_cli_runner()
    home_ids = [h.id for h in (pg_world.alder, pg_world.birch, pg_world.cedar)]
    before = fingerprint(db.engine)
    assert before["homes"].rows == 3 and before["audit_events"].rows > 0
    dump = tmp_path / "homes.pgdump"

    result = runner.invoke(args=["backup", str(dump)])
    assert result.exit_code == 0, result.output
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    with acting_as("test: after the backup"):
        people.create_home(name="Damson House", ofsted_urn="SC900004", address="4 Damson Road",
                           registered_places=2)
    db.session.remove()
    assert fingerprint(db.engine)["homes"].rows == 4

    result = runner.invoke(args=["restore", "--yes", str(dump)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert fingerprint(db.engine) == before
    # The restored database is whole: the audit trail is still append-only, sequences are restored.
    with db.engine.connect() as conn, pytest.raises(Exception, match="append-only|audit"):
        conn.execute(text("DELETE FROM audit_events"))
    with acting_as("test: after the restore"):
        home = people.create_home(name="Elder House", ofsted_urn="SC900005", address="5 Elder Road",
                                  registered_places=2)
    assert home.id == max(home_ids) + 1  # the sequences are the backup's too: no collision, no gap


def test_pg_restore_of_a_bad_file_fails_cleanly_and_changes_nothing(pg_app, pg_world, tmp_path):
    runner = pg_app.test_cli_runner()
    before = fingerprint(db.engine)
    junk = tmp_path / "junk.pgdump"
    junk.write_bytes(b"PGDMP but not really" * 10)
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code == 1 and "pg_restore failed" in result.output
    db.session.remove()
    assert fingerprint(db.engine) == before


NOW = datetime(2026, 11, 2, 9, 0)  # naive UTC, as the app's UTCDateTime columns store it


@pytest.mark.pg_from_empty
def test_pg_migrations_upgrade_a_database_holding_data_from_0003_to_head(pg_app):
    downgrade(revision="base")
    upgrade(revision="0003")
    token = "a-feed-secret-issued-before-0010"
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO homes (id, name, ofsted_urn, address, registered_places, status, created_at) "
            "VALUES (1, 'Alder House', 'SC900001', '1 Alder Road', 4, 'open', :now), "
            "(2, 'Birch House', 'SC900002', '2 Birch Road', 3, 'temporarily_closed', :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO users (id, name, email, password_hash, role, active, created_at, ical_token) "
            "VALUES (1, 'Manager A', 'manager@example.org', 'x', 'registered_manager', true, :now, :token), "
            "(2, 'Head', 'head@example.org', 'x', 'head_of_service', true, :now, NULL)"),
            {"now": NOW, "token": token})
        conn.execute(text("INSERT INTO assignments (id, user_id, home_id, created_at) VALUES (1, 1, 1, :now)"),
                     {"now": NOW})
        conn.execute(text(
            "INSERT INTO rules (id, code, title, area, trigger, scope, timing, responsible_role, ladder, "
            "due_soon_days, source, verify, notes, active, updated_at) VALUES (1, 'legacy_check', "
            "'A check', 'checks', 'recurring', 'home', '{\"months\": 1}', 'registered_manager', '[]', 5, "
            "'seed 002', false, '', true, :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO obligations (id, rule_id, rule_code, home_id, scope_key, period_key, title, due_at, "
            "responsible_role, ladder, due_soon_days, status, hidden_from_home_staff, created_at) VALUES "
            "(1, 1, 'legacy_check', 1, 'home:1', '2026-10', 'October check', :now, 'registered_manager', "
            "'[]', 5, 'open', false, :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO alerts (id, obligation_id, level, target_role, home_id, raised_at, reached_at) "
            "VALUES (1, 1, 1, 'registered_manager', 1, :now, :now)"), {"now": NOW})
        conn.execute(text(
            "INSERT INTO audit_events (at, actor_label, action, record_type, record_id, record_label, "
            "home_id, changes) VALUES (:now, 'migration test', 'create', 'Home', 1, 'Alder House', 1, '{}')"),
            {"now": NOW})
        conn.execute(text("SELECT setval(pg_get_serial_sequence(t, 'id'), 10) FROM "
                          "unnest(ARRAY['homes', 'users', 'assignments', 'rules', 'obligations', "
                          "'alerts']) AS t"))

    upgrade()
    db.session.remove()
    with db.engine.connect() as conn:
        def rows(sql):
            return conn.execute(text(sql)).all()
        assert rows("SELECT id, name, status FROM homes ORDER BY id") == [
            (1, "Alder House", "open"), (2, "Birch House", "temporarily_closed")]
        assert rows("SELECT id, session_version, ical_token FROM users ORDER BY id") == [
            (1, 0, hashlib.sha256(token.encode()).hexdigest()), (2, 0, None)]
        assert rows("SELECT id, status, due_at FROM obligations") == [(1, "open", NOW)]
        assert rows("SELECT obligation_id, level FROM alerts") == [(1, 1)]
        assert rows("SELECT count(*) FROM audit_events") == [(1,)]
        # The constraints added on the way are in force on the old rows' tables.
        with pytest.raises(Exception, match="ck_homes_status"), conn.begin_nested():
            conn.execute(text("UPDATE homes SET status = 'demolished' WHERE id = 1"))
    # And the app works on the upgraded data: the home and its manager's assignment are there.
    from homes_qa.spine.people.models import Home, User
    assert db.session.get(Home, 1).name == "Alder House"
    assert [a.home.name for a in db.session.get(User, 1).assignments] == ["Alder House"]
    from homes_qa.spine.obligations.models import Obligation
    assert db.session.get(Obligation, 1).due_at == NOW.replace(tzinfo=UTC)
