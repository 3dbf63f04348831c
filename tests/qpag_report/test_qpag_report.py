"""The QPAG monthly report (seed 002 §8.2–8.4): drafted from a fixture month's records, the
commentary written, finalised (locked, audited, the obligation met), corrected as a new version,
printed and downloaded as a PDF; bad months and a second draft refused; access."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from homes_qa.core.calendar import london_day_start
from homes_qa.core.qpag import meeting_month, month_of, previous_month
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback.models import FeedbackResponse
from homes_qa.qpag_report.models import QpagReport
from homes_qa.reg44.models import Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock
from tests.qpag_report.pdftext import pdf_text
from tests.qpag_report.records import seed_month

pytestmark = pytest.mark.usefixtures("clock")

TODAY = test_clock.TODAY
MONTH = previous_month(TODAY)  # the report's month: last month, every date inside it
SURVEY_MONTH = month_of(2026, 6)  # a June: the half-year's survey analysis is in it
COMMENTARY = {"reviews": "The medication theme needs a follow-up.", "reg44": "Alder House: safeguarding concern.",
              "kpis": "Occupancy steady; one home not entered.", "escalations": "Two escalations, both met."}


def post(auth, url, data=None):
    return auth.client.post(url, data={"csrf_token": auth.token, **(data or {})})


def draft(auth, month=MONTH):
    return post(auth, "/qpag-reports/new", {"month": str(month.first.month), "year": str(month.first.year)})


def only_report(app, month=MONTH) -> QpagReport:
    with app.app_context():
        reports = db.session.scalars(select(QpagReport).where(QpagReport.month == month.first)).all()
        assert len(reports) == 1
        db.session.expunge_all()
        return reports[0]


def test_drafting_content_equals_the_fixture_data(app, world, auth, client):
    seed_month(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    response = draft(auth)
    assert response.status_code == 303
    report = only_report(app)
    assert response.headers["Location"].endswith(f"/qpag-reports/{report.id}/edit")
    facts = report.facts
    assert report.version == 1 and report.status == "draft" and facts["homes"] == 2

    assert facts["reviews"]["counts"] == {"Thematic review": 1}
    [review] = facts["reviews"]["items"]
    assert review["area"] == "Medication" and review["summary"] == "Errors in two homes"
    assert review["homes"] == [{"home": "Alder House", "rag": "Amber", "findings": "Two missed signatures"}]

    reg44 = facts["reg44"]
    assert (reg44["visits"], reg44["submitted"], reg44["adverse"], reg44["concerns"], reg44["good"]) == (3, 2, 1, 0, 1)
    assert [(v["home"], v["judgement"]) for v in reg44["items"]] == [
        ("Alder House", "adverse"), ("Birch House", "good"), ("Birch House", "awaiting")]
    first = reg44["items"][0]
    assert first["findings"] == "Medication records were missing"  # the latest submitted version
    assert (first["safeguarded"], first["wellbeing"], first["announced"]) == ("No", "Yes, with concerns", False)
    assert reg44["not_visited"] == []

    kpis = facts["kpis"]
    alder, birch = kpis["items"]
    assert alder["values"]["missing_episodes"] == 4 and alder["occupancy"] == 75 and alder["retention"] == 90
    assert (alder["deadlines"], alder["on_time"], alder["on_time_percent"]) == (2, 1, 50)
    assert birch["entered"] is False and kpis["not_entered"] == ["Birch House"]
    assert kpis["totals"]["restraint_incidents"] == 2 and kpis["entered"] == 1

    escalations = facts["escalations"]
    assert [(a["home"], a["to"], a["still_open"]) for a in escalations["alerts"]] == [
        ("Alder House", "Service manager", False)]
    assert [(c["home"], c["text"], c["note"]) for c in escalations["cslt"]] == [
        ("Whole service", "Recruit night staff", "Two months late")]
    assert facts["surveys"] is None  # not June or December (unless last month was)
    page = client.get(f"/qpag-reports/{report.id}").get_data(as_text=True)
    for text in ("Medication records were missing", "Recruit night staff", "Two missed signatures",
                 "Deadlines met on time", "Not entered for the month"):
        assert text in page
    for hidden in ("DRAFT-NOT-SHOWN", "OLDER-VISIT", "OUTSIDE-THE-MONTH", "STILL-OPEN", "SUPERSEDED"):
        assert hidden not in page


def test_the_june_report_carries_the_half_year_survey_analysis(app, world, auth, client):
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test setup"):
        visit = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor.id, status="recorded", visited_on=date(2026, 3, 2))
        db.session.add(visit)
        db.session.flush()
        for audience, answers, when in (
                ("young_person", {"feel_safe": "no", "good": "My room"}, date(2026, 1, 10)),
                ("young_person", {"feel_safe": "yes"}, date(2026, 6, 30)),
                ("professional", {"role": "iro", "communication": "good", "child_helped": "well",
                                  "concerns": "Staffing at night"}, date(2026, 3, 3)),
                ("young_person", {"feel_safe": "no"}, date(2026, 7, 1))):  # the next half-year
            db.session.add(FeedbackResponse(visit_id=visit.id, home_id=world.home_a.id, audience=audience,
                                            answers=answers, submitted_at=london_day_start(when) + timedelta(hours=12)))
        db.session.commit()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert draft(auth, SURVEY_MONTH).status_code == 303
    report = only_report(app, SURVEY_MONTH)
    surveys = report.facts["surveys"]
    assert (surveys["period_start"], surveys["period_end"]) == ("2026-01-01", "2026-06-30")
    summary = surveys["summary"]
    assert (summary["young_people"], summary["professionals"], summary["professional_concerns"]) == (2, 1, 1)
    assert summary["feel_safe"] == {"No": 1, "Yes": 1} and summary["communication"] == {"Good": 1}
    assert surveys["per_home"] == [{"home": "Alder House", "young_people": 2, "professionals": 1}]
    page = client.get(f"/qpag-reports/{report.id}/edit").get_data(as_text=True)
    assert "Young people&#39;s and professionals&#39; surveys" in page and 'name="surveys"' in page
    # Every section needs its commentary, the surveys' too, before finalising.
    post(auth, f"/qpag-reports/{report.id}/edit", COMMENTARY)
    refused = post(auth, f"/qpag-reports/{report.id}/finalise")
    assert refused.status_code == 200 and "Enter your analysis of the surveys" in refused.get_data(as_text=True)


def test_write_finalise_locks_meets_the_obligation_and_is_audited(app, world, auth, client):
    seed_month(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report_id = only_report(app).id
    early = post(auth, f"/qpag-reports/{report_id}/finalise")
    assert early.status_code == 200
    assert "Enter your commentary on the reviews and dip samples before finalising" in early.get_data(as_text=True)
    assert post(auth, f"/qpag-reports/{report_id}/edit", COMMENTARY).status_code == 303
    too_long = post(auth, f"/qpag-reports/{report_id}/edit", {"kpis": "x" * 20001})
    assert too_long.status_code == 200 and "There is a problem" in too_long.get_data(as_text=True)
    assert only_report(app).commentary("kpis") == COMMENTARY["kpis"]
    assert post(auth, f"/qpag-reports/{report_id}/finalise").status_code == 303
    final = only_report(app)
    assert final.status == "final" and final.finalised_at is not None and final.commentary("reg44") == COMMENTARY["reg44"]
    with app.app_context():
        obligation = db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "qpag_report_monthly", Obligation.period_key == meeting_month(MONTH).key))
        assert obligation.status in (ObligationStatus.MET, ObligationStatus.MET_LATE)
        assert (obligation.discharged_by_type, obligation.discharged_by_id) == ("QpagReport", report_id)
        changes = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "QpagReport",
                                                              AuditEvent.record_id == report_id)).all()
        assert len(changes) >= 3  # drafted, commentary saved, finalised
    # Locked: nothing changes a final report.
    for url in ("edit", "finalise"):
        assert client.get(f"/qpag-reports/{report_id}/{url}").status_code == 303
    assert post(auth, f"/qpag-reports/{report_id}/edit", {"kpis": "changed"}).status_code == 303
    assert post(auth, f"/qpag-reports/{report_id}/redraft").status_code == 303
    assert only_report(app).commentary("kpis") == COMMENTARY["kpis"]
    # A correction is a new version carrying the reason; the final one stays.
    short = post(auth, f"/qpag-reports/{report_id}/correct", {"reason": "typo"})
    assert short.status_code == 200 and "at least 10 characters" in short.get_data(as_text=True)
    corrected = post(auth, f"/qpag-reports/{report_id}/correct", {"reason": "The KPI commentary named the wrong home"})
    assert corrected.status_code == 303
    with app.app_context():
        versions = db.session.scalars(select(QpagReport).where(QpagReport.month == MONTH.first)
                                      .order_by(QpagReport.version)).all()
        assert [(v.version, v.status) for v in versions] == [(1, "final"), (2, "draft")]
        assert versions[1].correction_reason == "The KPI commentary named the wrong home"
        assert versions[1].commentary("kpis") == COMMENTARY["kpis"] and versions[1].facts == versions[0].facts
        second = versions[1].id
    assert post(auth, f"/qpag-reports/{report_id}/correct", {"reason": "A second correction now"}).status_code == 303
    assert post(auth, f"/qpag-reports/{second}/finalise").status_code == 303


def test_redrafting_takes_in_new_records_and_keeps_the_commentary(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report_id = only_report(app).id
    post(auth, f"/qpag-reports/{report_id}/edit", COMMENTARY)
    assert only_report(app).facts["reg44"]["visits"] == 0
    seed_month(app, world)
    assert post(auth, f"/qpag-reports/{report_id}/redraft").status_code == 303
    report = only_report(app)
    assert report.facts["reg44"]["visits"] == 3 and report.commentary("reviews") == COMMENTARY["reviews"]


@pytest.mark.parametrize(("month", "year", "message"), [
    ("1", "1999", "The year must be 2000 or later"),
    ("1", str(TODAY.year + 2), f"The year must be {TODAY.year + 1} or earlier"),
    ("12", str(TODAY.year + 1), "The month must have begun"),
    ("13", "2026", "Select the month"),
    ("", "2026", "Select the month"),
    ("x", "2026", "Select the month"),
    ("6", "", "Enter the year"),
    ("6", "twenty", "The year must be a whole number"),
    ("6", "9" * 40, "The year must be"),
])
def test_bad_months_are_refused_by_the_field(app, world, auth, month, year, message):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    response = post(auth, "/qpag-reports/new", {"month": month, "year": year})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert 'class="govuk-error-message"' in page
    with app.app_context():
        assert db.session.scalar(select(QpagReport.id)) is None


def test_a_second_draft_for_the_same_month_is_refused(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert draft(auth).status_code == 303
    again = draft(auth)
    assert again.status_code == 200
    assert f"There is already a draft for {MONTH.label}" in again.get_data(as_text=True)
    report_id = only_report(app).id
    post(auth, f"/qpag-reports/{report_id}/edit", COMMENTARY)
    post(auth, f"/qpag-reports/{report_id}/finalise")
    assert f"There is already a final report for {MONTH.label}" in draft(auth).get_data(as_text=True)
    only_report(app)


def test_print_page_and_pdf_come_from_the_same_template(app, world, auth, client):
    seed_month(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report_id = only_report(app).id
    post(auth, f"/qpag-reports/{report_id}/edit", COMMENTARY)
    page = client.get(f"/qpag-reports/{report_id}/print")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "govuk-service-navigation" not in html
    assert f"Report to the Quality and Performance Assurance Group: {MONTH.label}" in html
    pdf = client.get(f"/qpag-reports/{report_id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="qpag-report-{MONTH.key}-v1.pdf"'
    text = re.sub(r"\s+", "", pdf_text(pdf.data))
    for expected in (f"Report to the Quality and Performance Assurance Group: {MONTH.label}",
                     "Medication records were missing", COMMENTARY["reg44"], "Recruit night staff",
                     "Draft: not yet final."):
        assert re.sub(r"\s+", "", expected) in text, expected
    assert client.get("/qpag-reports/999999/pdf").status_code == 404


def test_pdf_without_system_libraries_falls_back_to_print(app, world, auth, client, monkeypatch):
    from homes_qa.reg44 import pdf as pdf_module

    def missing_pango(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf_module, "html_to_pdf", missing_pango)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report_id = only_report(app).id
    response = client.get(f"/qpag-reports/{report_id}/pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/qpag-reports/{report_id}")
    assert "Save as PDF" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.HOME_STAFF, Role.ADMIN])
def test_only_service_managers_and_the_head_of_service_see_it(app, world, auth, client, role):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    draft(auth)
    report_id = only_report(app).id
    auth.sign_out()
    auth.sign_in(world.users[role])
    for url in ("/qpag-reports", f"/qpag-reports/{report_id}", f"/qpag-reports/{report_id}/print",
                f"/qpag-reports/{report_id}/pdf"):
        assert client.get(url).status_code == 403
    assert "/qpag-reports" not in client.get("/").get_data(as_text=True)


def test_the_list_shows_each_month_with_its_latest_version(app, world, auth, client):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    draft(auth)
    draft(auth, previous_month(MONTH.first))
    page = client.get("/qpag-reports").get_data(as_text=True)
    older = previous_month(MONTH.first)
    assert page.index(MONTH.label) < page.index(older.label)
    assert "Draft a report" in page and "June and December" in page
    assert client.get("/qpag-reports/999999").status_code == 404


def test_the_month_after_the_report_is_the_meeting_that_receives_it():
    assert meeting_month(month_of(2026, 12)).key == "2027-01"
    assert month_of(2024, 2).last == date(2024, 2, 29)
    assert previous_month(date(2027, 1, 15)) == month_of(2026, 12)
    assert MONTH.first + relativedelta(months=1) > TODAY - timedelta(days=31)


def test_the_demo_has_last_months_draft_and_its_pdf_is_made(app, runner, auth, client):
    assert "homes-qa-demo-2026" in runner.invoke(args=["seed-demo"]).output
    report = only_report(app)
    assert report.is_draft and report.facts["homes"] == 6 and report.commentary("reg44").startswith("Oak House")
    auth.sign_in("sm.west@demo.example.org", "homes-qa-demo-2026")
    assert MONTH.label in client.get("/qpag-reports").get_data(as_text=True)
    pdf = client.get(f"/qpag-reports/{report.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", pdf_text(pdf.data))
    for expected in (f"Report to the Quality and Performance Assurance Group: {MONTH.label}", report.commentary("reg44"),
                     "Willow Court", "Thematic reviews and dip samples completed"):
        assert re.sub(r"\s+", "", expected) in text, expected


def test_drafting_reads_a_fixed_number_of_queries_whatever_the_homes_and_records(app, world):
    from sqlalchemy import event

    from homes_qa.qpag_report.queries import draft_facts
    from homes_qa.spine.people import service as people
    from homes_qa.spine.timestamps import utcnow

    def counted() -> int:
        statements = []

        def count(*args):
            statements.append(1)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                facts = draft_facts(MONTH, utcnow())
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert facts["homes"] >= 2
        return len(statements)

    seed_month(app, world)
    small = counted()
    with app.app_context(), acting_as("test setup"):
        visitor = world.users[Role.REG44_VISITOR]
        for n in range(8):
            home = people.create_home(name=f"Extra Home {n}", ofsted_urn=f"SC8000{n:02d}", address="Somewhere",
                                      registered_places=3)
            db.session.flush()
            visit = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status="recorded",
                               visited_on=MONTH.first + timedelta(days=n))
            db.session.add(visit)
            db.session.flush()
            db.session.add(Reg44Report(visit_id=visit.id, home_id=home.id, version=1, status="submitted",
                                       author_id=visitor.id, safeguarded_opinion="yes", wellbeing_opinion="yes"))
        db.session.commit()
    assert counted() == small


def test_the_list_of_reports_reads_an_index_not_the_reports_snapshots(app, world):
    """Issue 13: `author_id` lies after each report's `facts` (a snapshot of every home, 1 MB at
    1,000 homes), so reading it from the rows walked every listed report's overflow pages. With
    the planner's statistics (the scheduler's ANALYZE) the list is read from ix_qpag_reports_listed."""
    from homes_qa.qpag_report import queries
    from tests.helpers import statements_run
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))
        with statements_run(app) as seen:
            queries.reports_by_month()
        plan = [row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {seen[0]}", (25 * 3, 0))]
    assert plan and all("COVERING INDEX ix_qpag_reports_listed" in step for step in plan), plan
