"""A demo organisation for `make run`: loaded only into an empty database."""
from __future__ import annotations

from sqlalchemy import func, select

from homes_qa.core.roles import ROLE_LABELS, Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User

DEMO_PASSWORD = "homes-qa-demo-2026"

HOMES = (
    ("Oak House", "SC100001", "12 Oak Lane, Dorchester DT1 1AA", 4),
    ("Beech View", "SC100002", "3 Beech Road, Weymouth DT4 2BB", 3),
    ("Cedar Lodge", "SC100003", "27 Cedar Close, Poole BH15 3CC", 5),
    ("Elm Cottage", "SC100004", "8 Elm Street, Bridport DT6 4DD", 2),
    ("Willow Court", "SC100005", "41 Willow Way, Blandford DT11 5EE", 4),
    ("Rowan Place", "SC100006", "16 Rowan Drive, Sherborne DT9 6FF", 3),
)

# (name, email, role, indexes of homes assigned)
PEOPLE = (
    ("Amira Khan", "manager.oak@demo.example.org", Role.REGISTERED_MANAGER, (0,)),
    ("Ben Turner", "manager.beech@demo.example.org", Role.REGISTERED_MANAGER, (1,)),
    ("Chloe Evans", "manager.cedar@demo.example.org", Role.REGISTERED_MANAGER, (2,)),
    ("Daniel Price", "manager.elm@demo.example.org", Role.REGISTERED_MANAGER, (3, 4)),
    ("Grace Holt", "manager.rowan@demo.example.org", Role.REGISTERED_MANAGER, (5,)),
    ("Ivy Marsh", "visitor.one@demo.example.org", Role.REG44_VISITOR, (0, 1, 2)),
    ("Jon Reed", "visitor.two@demo.example.org", Role.REG44_VISITOR, (3, 4, 5)),
    ("Karen Ward", "sm.west@demo.example.org", Role.SERVICE_MANAGER, (0, 1, 2)),
    ("Liam Shaw", "sm.east@demo.example.org", Role.SERVICE_MANAGER, (3, 4, 5)),
    ("Maya Patel", "head@demo.example.org", Role.HEAD_OF_SERVICE, ()),
    ("Noah Fisher", "admin@demo.example.org", Role.ADMIN, ()),
)


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo homes and users; None if the database already has users."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    with acting_as("demo data loader"):
        homes = [people.create_home(name=n, ofsted_urn=u, address=a, registered_places=p)
                 for n, u, a, p in HOMES]
        credentials = []
        visitors: list[tuple[Home, User]] = []
        for name, email, role, home_indexes in PEOPLE:
            user = people.create_user(name=name, email=email, role=role, password=DEMO_PASSWORD)
            for index in home_indexes:
                if role == Role.REG44_VISITOR:
                    visitors.append((homes[index], user))  # assigned below, with a declaration
                else:
                    people.assign(homes[index], user)
            credentials.append((ROLE_LABELS[role], email, ", ".join(homes[i].name for i in home_indexes) or "all homes"))
        _assign_visitors(visitors)
        _demo_activity(homes)
    return credentials


def _assign_visitors(visitors: list[tuple[Home, User]]) -> None:
    """Reg 43 (issue 12): each visitor assigned with the administrator's independence declaration."""
    from homes_qa.admin import service as assigning
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    assert admin is not None  # PEOPLE has an administrator
    for home, user in visitors:
        assigning.assign_to_home(home, user, by=admin, independent=True,
                                 note="Demo data: checked against the provider's staff list")


def _demo_activity(homes: list[Home]) -> None:
    """A little recent Reg 44 history and today's obligations, so every role has something to see."""
    from datetime import timedelta

    from homes_qa.core.calendar import london_date
    from homes_qa.reg44 import service as reg44
    from homes_qa.spine.alerts import service as alerts
    from homes_qa.spine.timestamps import utcnow

    now = utcnow()
    today = london_date(now)
    by_email = {u.email: u for u in db.session.scalars(select(User))}
    visitor = by_email["visitor.one@demo.example.org"]
    service_manager = by_email["sm.west@demo.example.org"]
    oak, beech, cedar = homes[0], homes[1], homes[2]

    # Oak House: last month's visit, report submitted and checked; next visit planned.
    visit = reg44.record_visit(None, by=visitor, home=oak, now=now, details=reg44.VisitDetails(
        visited_on=today - timedelta(days=30), arrived_at="10:00", left_at="13:30", announced=False,
        spoke_children=2, spoke_staff=3, spoke_professionals=1,
        spoke_roles="Two young people; shift leader, two residential workers; a visiting social worker",
        records_inspected="Daily logs, missing-from-care records, medication records, complaints log"))
    reg44.save_draft(visit, by=visitor, now=now, fields={
        "safeguarded_opinion": "yes", "safeguarded_narrative": "Young people said they feel safe; staff knew the safeguarding procedure.",
        "wellbeing_opinion": "with_concerns", "wellbeing_narrative": "Activities were limited at weekends.",
        "findings": "Records were up to date. Weekend activity planning was thin."})
    reg44.add_recommendation(visit, by=visitor, text="Plan weekend activities with the young people each week.",
                             consider_within_days=28, now=now)
    report = reg44.submit_report(visit, by=visitor, now=now)
    reg44.check_and_send(report, by=service_manager, now=now)
    reg44.record_distribution(report, by=visitor, recipients=["ofsted"], detail="Ofsted portal upload",
                              method="ofsted_portal", sent_on=today, now=now)
    reg44.record_distribution(report, by=visitor, recipients=["registered_provider", "registered_manager",
                                                              "responsible_individual"],
                              detail="", method="secure_email", sent_on=today, now=now)
    reg44.plan_visit(home=oak, visitor=visitor, planned_for=today + timedelta(days=12), announced=True, now=now)

    # Beech View: visited ten days ago, report still a draft (its deadline is close).
    beech_visit = reg44.record_visit(None, by=visitor, home=beech, now=now, details=reg44.VisitDetails(
        visited_on=today - timedelta(days=10), arrived_at="14:00", left_at="16:00", announced=True,
        spoke_children=1, spoke_staff=2, spoke_roles="One young person; the registered manager and a residential worker"))
    reg44.save_draft(beech_visit, by=visitor, now=now, fields={"findings": "Notes from the visit, to be written up."})

    # Cedar Lodge: an unannounced visit planned (the home's manager cannot see it).
    reg44.plan_visit(home=cedar, visitor=visitor, planned_for=today + timedelta(days=9), announced=False, now=now)

    _demo_incident(oak, by_email["manager.oak@demo.example.org"], now)
    # An event type the organisation added (issue 8): offered on the record-an-event form.
    from homes_qa.incidents import service as incidents
    incidents.add_event_type(
        label="Self-harm needing medical treatment", notifiable_default=False,
        rules=["incident_ntk_service_manager", "incident_ntk_head_of_service"],
        source="Local self-harm and suicide prevention procedure (demo)", by=by_email["admin@demo.example.org"])
    # Beech View: judged requires improvement three weeks ago, with one requirement (issue 10):
    # fortnightly monitoring reviews until its action is completed.
    from homes_qa.inspections import service as inspections
    beech_manager = by_email["manager.beech@demo.example.org"]
    inspection = inspections.record_inspection(
        beech, inspection_type="full", started_on=today - timedelta(days=22), ended_on=today - timedelta(days=21),
        grades={"overall": "requires_improvement", "helped_protected": "good", "leadership": "requires_improvement"},
        confirm_limiting=False, enforcement=inspections.Enforcement(), by=beech_manager, now=now,
        summary="Leaders do not check records of physical intervention closely enough.")
    inspections.add_item(inspection, kind="requirement", regulation="Regulation 35 (behaviour management)",
                         text="The registered person must ensure every restraint record is reviewed within 48 hours.",
                         compliance_date=today + timedelta(days=40), action="Weekly audit of restraint records",
                         owner_id=beech_manager.id, due_on=today + timedelta(days=30), by=beech_manager, now=now)
    _demo_checks(homes, by_email, now)
    _demo_audit(homes[0], by_email, now)

    # What the scheduler would do on its first run: this period's obligations and their alerts.
    alerts.sweep(now)
    _demo_qpag_report(service_manager, now)


def _demo_qpag_report(service_manager: User, now) -> None:
    """Last month's QPAG report, drafted from the records, with the Reg 44 summary written (issue 11)."""
    from homes_qa.core.calendar import london_date
    from homes_qa.core.qpag import previous_month
    from homes_qa.qpag_report import service as qpag_report
    month = previous_month(london_date(now))
    report = qpag_report.start_draft(year=month.first.year, month=month.first.month, by=service_manager, now=now)
    qpag_report.save_commentary(report, by=service_manager, reg44=(
        "Oak House's visitor found the young people safe; weekend activities need planning with them. "
        "The recommendation is on the action plan."))


def _demo_incident(home: Home, manager: User, now) -> None:
    """Oak House: a need-to-know from this morning, the service manager told, the head of service not yet."""
    from datetime import timedelta

    from homes_qa.core.calendar import to_london
    from homes_qa.incidents import service as incidents

    def local(hours_ago: float):
        at = to_london(now - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)
        return at.date(), at.time(), "later" if at.fold else "earlier"

    occurred, aware, told = local(5), local(4.5), local(3)
    incident = incidents.record_incident(
        home, type_code="need_to_know", occurred_on=occurred[0], occurred_time=occurred[1],
        occurred_occurrence=occurred[2], aware_on=aware[0], aware_time=aware[1], aware_occurrence=aware[2],
        children="JT", what_happened="JT returned from school with a bruise and said another pupil had hit them.",
        action_taken="First aid given; school and JT's social worker told; body map completed.",
        notifiable=False, paragraph=None, by=manager, now=now)
    incidents.record_notification(
        incident, rule_code="incident_ntk_service_manager", recipient="Karen Ward (service manager)",
        notified_on=told[0], notified_time=told[1], notified_occurrence=told[2], method="telephone",
        reference="", late_reason="", by=manager, now=now)
def _demo_checks(homes: list[Home], by_email: dict[str, User], now) -> None:
    """Certificate register and fire log (issue 9): an expiring gas certificate and an in-date
    EICR at Oak House, last week's alarm test; Beech View has no gas supply."""
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    from homes_qa.checks import service as checks
    from homes_qa.checks.models import CheckType
    from homes_qa.core.calendar import london_date

    today = london_date(now)
    manager = by_email["manager.oak@demo.example.org"]
    checks.sync_types()
    types = {t.code: t for t in db.session.scalars(select(CheckType))}
    oak, beech = homes[0], homes[1]
    checks.record_certificate(oak, types["gas_safety"], done_on=today - relativedelta(months=12) + timedelta(days=5),
                              contractor="Wessex Gas Services", certificate_number="GS-48213", note="",
                              upload=None, by=manager, now=now)
    checks.record_certificate(oak, types["eicr"], done_on=today - relativedelta(years=2),
                              contractor="Dorset Electrical Testing", certificate_number="EICR-7731", note="",
                              upload=None, by=manager, now=now)
    checks.log_fire_entry(oak, kind="alarm_test", done_on=today - timedelta(days=7), result="satisfactory",
                          call_point="CP1 front door", by=manager, now=now)
    checks.set_applies(beech, types["gas_safety"], applies=False, reason="No gas supply: the house is all electric",
                       by=by_email["sm.west@demo.example.org"])


def _demo_audit(oak: Home, by_email: dict[str, User], now) -> None:
    """Oak House: this month's health and safety audit, submitted and graded good, with one "no"
    (a missing window restrictor) that became an action for the registered manager."""
    from datetime import timedelta

    from homes_qa.audits import service as audits
    from homes_qa.audits.models import Grade
    from homes_qa.core.calendar import london_date

    manager = by_email["manager.oak@demo.example.org"]
    audit = audits.start_audit(oak, "health_safety", by=manager, now=now)
    given = {q["code"]: audits.GivenAnswer(answer="yes", comment="Seen this month's record, signed and dated")
             for q in audit.questions}
    given["hs_windows"] = audits.GivenAnswer(
        answer="no", comment="Bedroom 3 window opens wider than 100 mm: the restrictor is missing",
        action="Fit a new restrictor to the bedroom 3 window and check the others", owner_id=manager.id,
        due_on=london_date(now) + timedelta(days=7), priority="high")
    audits.save_answers(audit, given, by=manager, now=now)
    audits.save_grades(audit, sections={s["code"]: (Grade.GOOD, "Records complete and current") for s in audit.sections},
                       overall=(Grade.GOOD, "Records complete; one window restrictor missing, action set"),
                       learning_points=["Check every window restrictor after any repair to a window"], by=manager)
    audits.submit(audit, by=manager, now=now)


def demo_exists() -> bool:
    return (db.session.scalar(select(func.count(Home.id))) or 0) > 0
