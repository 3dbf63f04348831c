"""`flask backup` / `flask restore` on SQLite: the round trip gives back the same database."""
from __future__ import annotations

from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.backup import fingerprint
from homes_qa.spine.people import service as people


def _prints(app):
    with app.app_context():
        return fingerprint(db.engine)


def test_backup_then_restore_gives_back_every_table_identical(app, world, runner, tmp_path):
    before = _prints(app)
    assert before["homes"].rows == 2 and before["audit_events"].rows > 0
    dump = tmp_path / "homes.backup"

    result = runner.invoke(args=["backup", str(dump)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and dump.stat().st_size > 0

    with app.app_context(), acting_as("test: after the backup"):
        people.create_home(name="Cedar House", ofsted_urn="SC900003", address="3 Cedar Road",
                           registered_places=2)
    changed = _prints(app)
    assert changed["homes"].rows == 3 and changed["audit_events"] != before["audit_events"]

    result = runner.invoke(args=["restore", "--yes", str(dump)])
    assert result.exit_code == 0, result.output
    after = _prints(app)
    assert after == before
    assert set(after) >= set(db.metadata.tables)


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(app, world, runner, tmp_path):
    before = _prints(app)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database" * 100)
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code == 1
    assert "not an SQLite backup" in result.output or "not a sound SQLite database" in result.output
    assert _prints(app) == before


def test_restore_asks_before_replacing_everything(app, world, runner, tmp_path):
    dump = tmp_path / "homes.backup"
    assert runner.invoke(args=["backup", str(dump)]).exit_code == 0
    result = runner.invoke(args=["restore", str(dump)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
