"""The QPAG report's KPI section carries the exceptions area's derived measures for the
report's month, per home (exceptions.queries.monthly_kpis and consecutive_misses): Reg 44
reports, audits and notifications on time (%), actions overdue, average days late and
consecutive misses, equal to hand-computed values on a fixture month, on the page, the print
page and the PDF."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from homes_qa.core.calendar import london_day_start
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home
from tests.qpag_report.pdftext import pdf_text
from tests.qpag_report.records import in_month, seed_month
from tests.qpag_report.test_qpag_report import COMMENTARY, draft, only_report, post

pytestmark = pytest.mark.usefixtures("clock")

HOUR = timedelta(hours=1)


def _deadline(rule: str, home: Home, key: str, day: int, met_after: timedelta | None, *, target=None):
    """An obligation due at noon (London) on the month's `day`, met `met_after` its due time
    (negative: early), or never met."""
    due = london_day_start(in_month(day)) + 12 * HOUR
    made = obligations.obligation_for_event(rule, home, due - 24 * HOUR, key=key, target=target)
    made.due_at = due
    if met_after is not None:
        obligations.discharge(made, met_at=due + met_after)
    return made


def seed_birch(app, world) -> None:
    """Birch House's month, by hand:
      Reg 44 reports: day 3 met an hour early, day 10 never met          -> 1 of 2 on time, 50%
      notifications:  day 4 early, day 5 met 12 h late, day 6 36 h late   -> 1 of 3 on time, 33%
      actions:        day 2 met early, day 20 never met                   -> 1 overdue at the month's end
      met late: the two notifications, 0.5 + 1.5 days                    -> average 1.0 day late
      the last deadlines of one rule in a row missed: the notifications' two -> 2
    """
    with app.app_context(), acting_as("test setup"):
        birch = db.session.get(Home, world.home_b.id)
        _deadline("reg44_report_complete", birch, "r1", 3, -HOUR)
        _deadline("reg44_report_complete", birch, "r2", 10, None)
        _deadline("incident_ntk_service_manager", birch, "n1", 4, -HOUR)
        _deadline("incident_ntk_service_manager", birch, "n2", 5, 12 * HOUR)
        _deadline("incident_ntk_service_manager", birch, "n3", 6, 36 * HOUR)
        _deadline("action_complete", birch, "a1", 2, -HOUR, target=in_month(2))
        _deadline("action_complete", birch, "a2", 20, None, target=in_month(20))
        db.session.commit()


def test_derived_kpis_equal_the_hand_computed_values(app, world, auth, client):
    seed_month(app, world)  # Alder House: an H&S audit on time, a fire audit late, a KPI review waived
    seed_birch(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # assigned to Alder House only: the report is the service's
    assert draft(auth).status_code == 303
    report = only_report(app)
    alder, birch = report.facts["kpis"]["items"]
    assert (alder["home"], birch["home"]) == ("Alder House", "Birch House")

    b = birch["derived"]
    assert b["percent"] == {"notifications": 33, "reg44_reports": 50, "audits": None}
    assert b["due"] == {"notifications": 3, "reg44_reports": 2, "audits": 0}
    assert b["on_time"] == {"notifications": 1, "reg44_reports": 1, "audits": 0}
    assert (b["actions_overdue"], b["late"], b["average_days_late"]) == (1, 2, 1.0)
    assert (b["consecutive_misses"], b["missed_rule"]) == (2, "Need-to-know: service manager told")

    a = alder["derived"]
    assert a["percent"] == {"notifications": None, "reg44_reports": None, "audits": 50}
    assert (a["due"]["audits"], a["on_time"]["audits"], a["actions_overdue"], a["late"]) == (2, 1, 0, 1)
    assert a["consecutive_misses"] == 1 and a["missed_rule"] == "Monthly fire safety audit"

    post(auth, f"/qpag-reports/{report.id}/edit", COMMENTARY)
    expected = ("Reg 44 reports on time", "50% (1 of 2)", "Notifications on time", "33% (1 of 3)",
                "Audits on time", "None due in the month", "Actions overdue at the month's end",
                "1.0 days (2 met late)", "2 in a row: Need-to-know: service manager told")
    for url in (f"/qpag-reports/{report.id}", f"/qpag-reports/{report.id}/print"):
        html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))
        html = html.replace("&#39;", "'")
        for text in expected:
            assert text in html, (url, text)
    pdf = client.get(f"/qpag-reports/{report.id}/pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", "", pdf_text(pdf.data)).replace("’", "'")
    for wanted in expected:
        assert re.sub(r"\s+", "", wanted) in text, wanted


def test_a_report_drafted_before_the_derived_measures_still_shows(app, world, auth, client):
    """Facts snapshotted without the derived measures (earlier reports) render as before."""
    seed_month(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report = only_report(app)
    with app.app_context():
        from homes_qa.qpag_report.models import QpagReport
        stored = db.session.get(QpagReport, report.id)
        facts = dict(stored.facts)
        facts["kpis"] = {**facts["kpis"], "items": [{k: v for k, v in row.items() if k != "derived"}
                                                    for row in facts["kpis"]["items"]]}
        stored.facts = facts
        db.session.commit()
    page = client.get(f"/qpag-reports/{report.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Deadlines met on time" in body and "Reg 44 reports on time" not in body
