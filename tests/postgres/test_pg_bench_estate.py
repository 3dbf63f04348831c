"""`make load` builds its estate on PostgreSQL with bench/estate.py, which gives rows their ids
up front: the sequences must be moved past them, or the app's next insert reuses an id (the
build itself failed so, at its first audited record after the first history module)."""
from __future__ import annotations

from bench import run_bench
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.people import service as people


def test_the_bench_estate_builds_on_postgresql_and_the_app_writes_after_it(pg_app):
    built = run_bench.build(pg_app, homes=2, months=3)
    assert built["history_rows"]["obligations"] > 0 and built["audit_events"] > 0
    before = db.session.scalar(db.select(db.func.max(AuditEvent.id)))
    with acting_as("test"):
        home = people.create_home(name="After the bench", ofsted_urn="SC955555", address="1 Road", registered_places=2)
        db.session.commit()
    assert home.id is not None
    assert db.session.scalar(db.select(db.func.max(AuditEvent.id))) > before
