"""The QPAG monthly report and the QPAG tracker on the first pages: the service manager's work
queue lists the month's report to draft (the `qpag_report_monthly` obligation's state and due
date) with a link straight to drafting it, then to continue the draft, until it is finalised;
the head of service's "QPAG items" add the QPAG actions escalated to CSLT or overdue. Nobody
else sees them; the page's query count does not grow with the QPAG history."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.qpag import meeting_month, month_of, previous_month
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import QpagAction
from homes_qa.qpag_report.models import QpagReport
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from tests import clock as test_clock
from tests.exceptions.test_exceptions import StatementCounter, _text

pytestmark = pytest.mark.usefixtures("clock")

TODAY = test_clock.TODAY
MONTH = previous_month(TODAY)  # the report waiting: last month's, for this month's meeting
COMMENTARY = {code: f"Commentary on {code} for the meeting." for code in
              ("reviews", "reg44", "kpis", "escalations", "surveys")}


def post(auth, url, data=None):
    return auth.client.post(url, data={"csrf_token": auth.token, **(data or {})})


def _meeting_obligation(app) -> int:
    """This month's `qpag_report_monthly` obligation (the meeting that receives last month's report)."""
    with app.app_context(), acting_as("test"):
        made = obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(MONTH).first)
        db.session.commit()
        return made.id


def _section(page: str, marker: str, end: str) -> str:
    start = page.index(marker)
    return page[start:page.index(end, start)]


def _waiting(page: str) -> str:
    return _section(page, 'id="qpag-reports-waiting"', "</ul>") if 'id="qpag-reports-waiting"' in page else ""


def test_work_queue_lists_the_report_to_draft_then_the_draft_until_final(app, client, world, auth):
    obligation_id = _meeting_obligation(app)
    with app.app_context():
        due = db.session.get(Obligation, obligation_id).due_at
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get("/").get_data(as_text=True)
    queue = _section(page, 'id="work-queue"', "</section>")
    waiting = _waiting(queue)
    assert f"Draft the QPAG report for {MONTH.label}" in waiting and "not started" in waiting
    link = f'href="/qpag-reports/new?year={MONTH.first.year}&amp;month={MONTH.first.month}"'
    assert link in waiting
    assert "for the next QPAG meeting, due" in _text(waiting) and "govuk-tag" in waiting
    assert f"{due.year}" in waiting
    # The link opens the form on that month.
    form = client.get(f"/qpag-reports/new?year={MONTH.first.year}&month={MONTH.first.month}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{MONTH.first.month}">|<option value="{MONTH.first.month}" selected',
                     form)
    assert f'value="{MONTH.first.year}"' in form
    # Drafted: the queue says to continue the draft, linked to its commentary.
    drafted = post(auth, "/qpag-reports/new", {"month": str(MONTH.first.month), "year": str(MONTH.first.year)})
    assert drafted.status_code == 303
    with app.app_context():
        report_id = db.session.scalar(select(QpagReport.id).where(QpagReport.month == MONTH.first))
    waiting = _waiting(client.get("/").get_data(as_text=True))
    assert f"Continue the draft QPAG report for {MONTH.label}" in waiting
    assert f'href="/qpag-reports/{report_id}/edit"' in waiting and "Draft the QPAG report" not in waiting
    # Finalised: the obligation is met and nothing waits.
    assert post(auth, f"/qpag-reports/{report_id}/edit", COMMENTARY).status_code == 303
    assert post(auth, f"/qpag-reports/{report_id}/finalise").status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert _waiting(page) == "" and "No QPAG report is waiting to be drafted or finalised." in page
    # A correction is a draft again: the queue shows it, with its version.
    assert post(auth, f"/qpag-reports/{report_id}/correct", {"reason": "A figure was wrong in the KPIs"}).status_code == 303
    waiting = _waiting(client.get("/").get_data(as_text=True))
    assert f"Continue the draft QPAG report for {MONTH.label}" in waiting and "version 2, a correction" in waiting


def test_a_month_not_yet_over_is_not_listed(app, client, world, auth):
    with app.app_context(), acting_as("test"):  # next month's meeting: the report on this month
        obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(
            month_of(TODAY.year, TODAY.month)).first)
        db.session.commit()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get("/").get_data(as_text=True)
    assert f"QPAG report for {month_of(TODAY.year, TODAY.month).label}" not in page


def _actions(app, world) -> dict[str, int]:
    sm, hos = world.users[Role.SERVICE_MANAGER], world.users[Role.HEAD_OF_SERVICE]
    made = {}
    with app.app_context(), acting_as("test"):
        for name, due, escalated, status in (
                ("overdue", TODAY - timedelta(days=5), None, "open"),
                ("escalated", TODAY - timedelta(days=40), TODAY - timedelta(days=2), "open"),
                ("on-track", TODAY + timedelta(days=10), None, "open"),
                ("completed", TODAY - timedelta(days=5), None, "completed")):
            action = QpagAction(home_id=world.home_b.id if name == "overdue" else None,
                                meeting_on=TODAY - timedelta(days=60), text=f"Action {name}", owner_id=sm.id,
                                due_on=due, status=status, escalated_on=escalated,
                                completed_on=TODAY - timedelta(days=1) if status == "completed" else None,
                                escalation_note="Late" if escalated else "", escalated_by_id=hos.id if escalated else None,
                                created_by_id=sm.id)
            db.session.add(action)
            db.session.flush()
            made[name] = action.id
        db.session.commit()
    return made


def test_head_of_service_sees_qpag_items_the_report_and_actions_escalated_or_overdue(app, client, world, auth):
    _meeting_obligation(app)
    made = _actions(app, world)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/").get_data(as_text=True)
    items = _section(page, 'id="qpag-items"', "</section>")
    assert f"Draft the QPAG report for {MONTH.label}" in items
    listed = [int(i) for i in re.findall(r'id="qpag-action-(\d+)"', items)]
    assert listed == [made["overdue"], made["escalated"]]  # still to escalate first
    overdue = _section(items, f'id="qpag-action-{made["overdue"]}"', "</li>")
    assert "Overdue" in overdue and f'href="/qpag/actions/{made["overdue"]}/escalate"' in overdue
    assert "Birch House" in overdue
    escalated = _section(items, f'id="qpag-action-{made["escalated"]}"', "</li>")
    assert "Escalated to CSLT" in escalated and "the whole service" in escalated and "/escalate" not in escalated
    assert 'href="/qpag"' in items


@pytest.mark.parametrize("role", [Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.HOME_STAFF, Role.ADMIN])
def test_nobody_else_sees_the_qpag_items(app, client, world, auth, role):
    _meeting_obligation(app)
    _actions(app, world)
    auth.sign_in(world.users[role])
    page = client.get("/").get_data(as_text=True)
    assert "QPAG report for" not in page and 'id="qpag-items"' not in page and "Action overdue" not in page


def test_the_first_page_query_count_does_not_grow_with_the_qpag_history(app, client, world, auth):
    _meeting_obligation(app)
    _actions(app, world)

    def count() -> int:
        with app.app_context(), StatementCounter(db.engine) as counter:
            assert client.get("/").status_code == 200
        return counter.count

    roles = (Role.HEAD_OF_SERVICE, Role.SERVICE_MANAGER)
    small = {}
    for role in roles:
        auth.sign_in(world.users[role])
        client.get("/")  # the first look makes the "since you last looked" marker
        small[role] = count()
        auth.sign_out()
    with app.app_context(), acting_as("test"):
        sm = world.users[Role.SERVICE_MANAGER]
        for n in range(1, 13):  # a year of reports, drafts, their obligations and actions
            month = previous_month(MONTH.first - timedelta(days=28 * (n - 1)))
            db.session.add(QpagReport(month=month.first, version=1, status="draft" if n % 2 else "final",
                                      facts={}, author_id=sm.id))
            obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(month).first)
            db.session.add(QpagAction(meeting_on=TODAY - timedelta(days=90), text=f"Old action {n}", owner_id=sm.id,
                                      due_on=TODAY - timedelta(days=n), created_by_id=sm.id))
        db.session.commit()
    large = {}
    for role in roles:
        auth.sign_in(world.users[role])
        page = client.get("/").get_data(as_text=True)
        assert "Continue the draft QPAG report" in page
        assert ("Old action 12" in page) == (role == Role.HEAD_OF_SERVICE)
        large[role] = count()
        auth.sign_out()
    assert large == small
