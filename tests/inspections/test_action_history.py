"""Every action on the combined list has its own page: where it comes from, its progress notes
and evidence (the manager, service manager and QA lead add them; the Reg 44 visitor reads), and
its history from the audit trail in words (who, when, before → after), including its deadline
being met and the note given when it was recorded as done. Monthly audits' finding actions are a
source of the list (for those who read audits). Another home's action, an unknown source, or a
record that is not an action yet is 404; a note is required and bounded."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from homes_qa.actionplans.models import ActionPlanResponse
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import ActionNote, InspectionItem, QpagAction
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from tests import clock as test_clock
from tests.inspections.records import audit_finding, inspection_records

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def record_done(app, world, finding_id: int, note: str) -> None:
    with app.app_context(), acting_as("test manager"):
        obligation = db.session.scalar(select(Obligation).where(Obligation.subject_type == "AuditFinding",
                                                                Obligation.subject_id == finding_id))
        obligations.record_completion(rule_code="action_complete", home=obligation.home, done_on=TODAY, note=note,
                                      by=db.session.get(User, world.users[Role.REGISTERED_MANAGER].id),
                                      obligation=obligation)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_audit_findings_are_on_the_action_list_for_those_who_read_audits(app, world, auth):
    finding_id = audit_finding(app, world, world.home_a, "WEDGE-A")
    audit_finding(app, world, world.home_b, "WEDGE-B", due_in=-3)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    listing = text(auth.client.get("/actions?source=audit"))
    assert "WEDGE-A" in listing and "WEDGE-B" not in listing
    assert f'href="/actions/audit/{finding_id}"' in listing
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert "WEDGE-B" in text(auth.client.get("/actions?overdue=1"))
    assert "WEDGE-A" not in text(auth.client.get("/actions?overdue=1"))
    by_owner = text(auth.client.get("/actions?owner=manager%20b&source=audit"))
    assert "WEDGE-B" in by_owner and "WEDGE-A" not in by_owner
    record_done(app, world, finding_id, "Door closers fitted; invoice on file")
    assert "WEDGE-A" not in text(auth.client.get("/actions?source=audit"))
    done = text(auth.client.get("/actions?source=audit&status=completed"))
    assert "WEDGE-A" in done and "Completed" in done
    csv = text(auth.client.get("/actions/export.csv?source=audit&status=all"))
    assert "Monthly audit" in csv and "WEDGE-A" in csv
    auth.sign_out()
    # The independent visitor does not read the home's audits.
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert "WEDGE-A" not in text(auth.client.get("/actions?status=all"))
    assert auth.client.get(f"/actions/audit/{finding_id}").status_code == 404


def test_a_waived_audit_action_is_closed_not_completed(app, world, auth):
    finding_id = audit_finding(app, world, world.home_a, "WEDGE-W")
    with app.app_context(), acting_as("test"):
        obligation = db.session.scalar(select(Obligation).where(Obligation.subject_id == finding_id,
                                                                Obligation.subject_type == "AuditFinding"))
        obligations.waive(obligation, reason="The door was replaced by the landlord",
                          by=db.session.get(User, world.users[Role.SERVICE_MANAGER].id))
        db.session.commit()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert "WEDGE-W" not in text(auth.client.get("/actions"))
    closed = text(auth.client.get("/actions?status=completed&source=audit"))
    assert "WEDGE-W" in closed and "Waived" in closed
    page = text(auth.client.get(f"/actions/audit/{finding_id}"))
    assert "Waived" in page and "The door was replaced by the landlord" in page  # the waiver, in the history


def test_action_page_shows_notes_evidence_and_history_in_words(app, world, auth):
    finding_id = audit_finding(app, world, world.home_a, "WEDGE-H")
    record_done(app, world, finding_id, "Door closers fitted; invoice on file")
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = text(auth.client.get(f"/actions/audit/{finding_id}"))
    assert "WEDGE-H" in page and "Door wedged open" in page and "Are fire doors closed?" in page
    assert "Recorded as done on" in page and "Door closers fitted; invoice on file" in page
    assert 'id="action-history"' in page
    assert "Its deadline (changed)" in page and "Open → Met" in page
    assert "The action (created)" in page and "test setup" in page
    assert 'href="/audits/' in page  # to the audit it comes from


def test_adding_a_note_to_an_ofsted_action(app, world, auth):
    item_id = inspection_records(app, world, world.home_a)["inspection_item_id"]
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/actions/inspection/{item_id}"
    page = text(auth.client.get(url))
    assert "Audit the records" in page and "No progress notes or evidence yet." in page
    assert "Regulation 37" in page
    empty = auth.post(f"{url}/notes", data={"text": "   "})
    assert empty.status_code == 422
    assert "There is a problem" in text(empty) and "Enter the note" in text(empty)
    long = auth.post(f"{url}/notes", data={"text": "x" * 2001})
    assert long.status_code == 422 and "2000 characters or fewer" in text(long)
    added = auth.post(f"{url}/notes", data={"text": "Records audit half done; sample in the office file"})
    assert added.status_code == 303 and added.headers["Location"].endswith(url)
    page = text(auth.client.get(url))
    assert "Records audit half done; sample in the office file" in page
    assert "Note added (created)" in page
    with app.app_context():
        [note] = db.session.scalars(select(ActionNote)).all()
        assert (note.source, note.action_id, note.home_id) == ("inspection", item_id, world.home_a.id)
    # Completing the action shows in its history, before → after.
    assert auth.post(f"/inspection-actions/{item_id}/complete",
                     data={"completed_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}).status_code == 303
    page = text(auth.client.get(url))
    assert "Status: Open → Completed" in page


def test_visitor_reads_but_does_not_add_notes(app, world, auth):
    item_id = inspection_records(app, world, world.home_a)["inspection_item_id"]
    auth.sign_in(world.users[Role.REG44_VISITOR])
    page = text(auth.client.get(f"/actions/inspection/{item_id}"))
    assert "Audit the records" in page and "Add the note" not in page
    assert auth.post(f"/actions/inspection/{item_id}/notes", data={"text": "Seen"}).status_code == 403


def test_scope_and_what_is_not_an_action_are_404(app, world, auth):
    records_b = inspection_records(app, world, world.home_b)
    records_a = inspection_records(app, world, world.home_a)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.client.get(f"/actions/inspection/{records_b['inspection_item_id']}").status_code == 404
    assert auth.post(f"/actions/inspection/{records_b['inspection_item_id']}/notes",
                     data={"text": "x"}).status_code == 404
    assert auth.client.get("/actions/nonsense/1").status_code == 404
    assert auth.client.get("/actions/inspection/999999").status_code == 404
    # QPAG's tracker is for service managers and up.
    assert auth.client.get(f"/actions/qpag/{records_a['qpag_action_id']}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.client.get(f"/actions/qpag/{records_a['qpag_action_id']}").status_code == 200
    assert auth.client.get(f"/actions/qpag/{records_b['qpag_action_id']}").status_code == 404
    # A Reg 44 response in a plan not yet approved is not an action.
    from tests.spine.test_access import _reg44_records
    response_id = _reg44_records(app, world, world.home_a)["response_id"]
    assert auth.client.get(f"/actions/reg44/{response_id}").status_code == 200
    with app.app_context(), acting_as("test"):
        response = db.session.get(ActionPlanResponse, response_id)
        response.plan.status = "submitted"
        db.session.commit()
    assert auth.client.get(f"/actions/reg44/{response_id}").status_code == 404


def test_qpag_notes_are_for_qpag_editors(app, world, auth):
    qpag_id = inspection_records(app, world, world.home_a)["qpag_action_id"]
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post(f"/actions/qpag/{qpag_id}/notes", data={"text": "Chased the owner"}).status_code == 303
    assert "Chased the owner" in text(auth.client.get(f"/actions/qpag/{qpag_id}"))
    with app.app_context():
        assert db.session.get(QpagAction, qpag_id) is not None


def test_action_list_queries_stay_fixed_with_audit_findings(app, world, auth):
    audit_finding(app, world, world.home_a, "COUNT-1")
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    counts = [0]

    def count(*_args, **_kwargs):
        counts[-1] += 1

    with app.app_context():
        engine = db.engine
    auth.client.get("/actions")  # warm-up
    event.listen(engine, "before_cursor_execute", count)
    try:
        auth.client.get("/actions")
        counts.append(0)
        event.remove(engine, "before_cursor_execute", count)
        for n in range(4):
            audit_finding(app, world, world.home_b if n % 2 else world.home_a, f"COUNT-{n + 2}")
        event.listen(engine, "before_cursor_execute", count)
        html = text(auth.client.get("/actions"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "COUNT-5" in html
    assert counts[0] == counts[1]


def test_action_page_queries_stay_fixed_with_history(app, world, auth):
    item_id = inspection_records(app, world, world.home_a)["inspection_item_id"]
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/actions/inspection/{item_id}"
    auth.post(f"{url}/notes", data={"text": "First"})
    auth.client.get(url)  # warm-up
    counts = [0]

    def count(*_args, **_kwargs):
        counts[-1] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        auth.client.get(url)
        counts.append(0)
        event.remove(engine, "before_cursor_execute", count)
        for n in range(5):
            auth.post(f"{url}/notes", data={"text": f"Note {n}"})
        with app.app_context(), acting_as("test"):
            item = db.session.get(InspectionItem, item_id)
            item.due_on = item.due_on + timedelta(days=1)
            db.session.commit()
        event.listen(engine, "before_cursor_execute", count)
        page = text(auth.client.get(url))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "Note 4" in page
    assert counts[0] == counts[1]
