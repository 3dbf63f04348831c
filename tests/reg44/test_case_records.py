"""Issue 12, reg 44(2)(b): the visitor records, per child (initials or a reference), consent to
look at their case records; the report says which records were seen with consent."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from test_visits_support import record, submit, today

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44.models import CaseRecordConsent
from homes_qa.spine.audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def visit(app, world) -> int:
    return record(app, world.users[Role.REG44_VISITOR].id, today(), home_id=world.home_a.id)


def _url(visit_id, tail=""):
    return f"/reg44/visits/{visit_id}/case-records{tail}"


def _rows(app, visit_id):
    with app.app_context():
        return [(c.child_ref, c.child_consented, c.authority_consented, c.records_seen) for c in db.session.scalars(
            select(CaseRecordConsent).where(CaseRecordConsent.visit_id == visit_id).order_by(CaseRecordConsent.child_ref))]


def test_visitor_lists_case_records_with_consent_and_the_report_shows_them(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    assert "No children are listed yet." in client.get(_url(visit)).get_data(as_text=True)
    both = auth.post(_url(visit), {"child_ref": " ab ", "consent_from": ["child", "authority"], "records_seen": "yes"})
    assert both.status_code == 303
    assert auth.post(_url(visit), {"child_ref": "CD/2", "consent_from": ["child"], "records_seen": "no"}).status_code == 303
    assert auth.post(_url(visit), {"child_ref": "EF", "records_seen": "no"}).status_code == 303
    assert _rows(app, visit) == [("AB", True, True, True), ("CD/2", True, False, False), ("EF", False, False, False)]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "CaseRecordConsent",
                                                           AuditEvent.action == "create"))
        assert event.actor_id == visitor.id and event.home_id == world.home_a.id
    detail = client.get(f"/reg44/visits/{visit}").get_data(as_text=True)
    assert "AB: case records seen, with consent from the child and the placing authority" in detail
    assert "CD/2: case records not seen (consent from the child)" in detail
    assert "EF: case records not seen (no consent)" in detail

    submit(app, visit, visitor.id)
    for tail in ("/report/v1", "/report/v1/print"):
        page = client.get(f"/reg44/visits/{visit}{tail}").get_data(as_text=True)
        assert "Children's case records (regulation 44(2)(b))" in page
        assert "AB: case records seen, with consent from the child and the placing authority" in page
        assert "EF: case records not seen (no consent)" in page
    # Locked with the submitted report
    locked = auth.post(_url(visit), {"child_ref": "GH", "consent_from": ["child", "authority"], "records_seen": "yes"})
    assert locked.status_code == 200 and "locked" in locked.get_data(as_text=True)
    assert len(_rows(app, visit)) == 3


def test_records_seen_without_both_consents_is_refused(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    for consent in ([], ["child"], ["authority"]):
        page = auth.post(_url(visit), {"child_ref": "AB", "consent_from": consent, "records_seen": "yes"})
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "There is a problem" in body and 'href="#records_seen"' in body
        assert "only with the consent of both the child and the placing authority" in body
    assert _rows(app, visit) == []
    with app.app_context(), pytest.raises(IntegrityError):  # the database refuses it too
        db.session.execute(text(
            "INSERT INTO reg44_case_record_consents (visit_id, home_id, child_ref, child_consented, "
            "authority_consented, records_seen, recorded_by_id, recorded_at) "
            f"VALUES ({visit}, {world.home_a.id}, 'ZZ', 1, 0, 1, {world.users[Role.REG44_VISITOR].id}, '2026-12-01')"))


@pytest.mark.parametrize(("data", "message"), [
    ({"records_seen": "no"}, "Enter the child&#39;s initials or reference"),
    ({"child_ref": "A" * 13, "records_seen": "no"}, "Initials or reference must be 12 characters or fewer"),
    ({"child_ref": "Amy-<b>", "records_seen": "no"}, "not the child&#39;s name"),
    ({"child_ref": "AB"}, "Select whether you looked at the case records"),
    ({"child_ref": "AB", "records_seen": "maybe"}, "Not a valid choice"),
    ({"child_ref": "AB", "records_seen": "no", "consent_from": ["parent"]}, "Select who consented from the list"),
])
def test_bad_input_is_refused_by_the_field(app, client, world, auth, visit, data, message):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    page = auth.post(_url(visit), data)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert _rows(app, visit) == []


def test_one_entry_per_child_bounded_and_removable(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    auth.post(_url(visit), {"child_ref": "AB", "records_seen": "no"})
    again = auth.post(_url(visit), {"child_ref": "ab", "records_seen": "no"})
    assert "AB is already listed for this visit" in again.get_data(as_text=True)
    for n in range(19):
        assert auth.post(_url(visit), {"child_ref": f"C{n:02d}", "records_seen": "no"}).status_code == 303
    full = auth.post(_url(visit), {"child_ref": "ZZ", "records_seen": "no"})
    assert "A visit can list up to 20 children" in full.get_data(as_text=True)
    with app.app_context():
        consent_id = db.session.scalar(select(CaseRecordConsent.id).where(CaseRecordConsent.child_ref == "AB"))
    assert auth.post(_url(visit, f"/{consent_id}/remove")).status_code == 303
    assert auth.post(_url(visit, f"/{consent_id}/remove")).status_code == 404
    assert len(_rows(app, visit)) == 19
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "CaseRecordConsent",
                                                          AuditEvent.record_id == consent_id,
                                                          AuditEvent.action == "delete")) is not None


def test_only_the_visits_own_visitor_and_never_another_home(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(_url(visit)).status_code == 403
    auth.sign_out()
    auth.sign_in(world.visitor_b)  # another home's visitor
    assert client.get(_url(visit)).status_code == 404
    assert auth.post(_url(visit), {"child_ref": "AB", "records_seen": "no"}).status_code == 404
    assert _rows(app, visit) == []
