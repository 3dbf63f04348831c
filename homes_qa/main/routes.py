"""The start page: each role's work first (seed 002 §7.1; design card: "service managers
reviewing exceptions"), read from the spine's obligations and alerts and the owning areas' queries."""
from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from homes_qa.actionplans import queries as action_plans
from homes_qa.actionplans.models import PlanStatus
from homes_qa.core import since as since_core
from homes_qa.core.calendar import london_date
from homes_qa.core.roles import ROLES, Role
from homes_qa.exceptions import policy as exceptions_policy
from homes_qa.exceptions import queries as exceptions
from homes_qa.exceptions import service as exceptions_service
from homes_qa.extensions import db, limiter
from homes_qa.feedback import queries as feedback
from homes_qa.inspections import queries as inspections
from homes_qa.qpag_report import policy as qpag_policy
from homes_qa.qpag_report import queries as qpag_reports
from homes_qa.reg44 import queries as reg44
from homes_qa.spine.access import first_visible_homes, roles_required, visible_homes
from homes_qa.spine.timestamps import utcnow

bp = Blueprint("main", __name__)

REPORT_RULE = "reg44_report_complete"
# The start page shows the first few of each list (worst first) and links to the rest: what it
# renders stays the same size however many homes and open items there are (issue 13).
DASHBOARD_ROWS = 10


@bp.route("/")
@roles_required(*ROLES)
def dashboard():
    """The signed-in person's work: what to do now, linked to where it is done."""
    now = utcnow()
    user = current_user
    # The look is recorded after the page is rendered: the write commits, and a commit expires
    # what was loaded (the user, the homes), which would be read again.
    view = exceptions.first_page_view(user.id)
    marker = exceptions_service.first_page_marker(view, now)
    if user.role == Role.REG44_VISITOR:  # this month's summary covers every home they visit
        homes = visible_homes(user)
        homes_total = len(homes)
    else:  # the first few are listed, with how many there are
        homes, homes_total = first_visible_homes(user, DASHBOARD_ROWS)
    queue = user.role in exceptions_policy.QUEUE_ROLES
    work = exceptions.my_work(user, now, limit=DASHBOARD_ROWS, queue=queue,  # only the lists the page shows
                              mine=user.role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER))
    context: dict[str, object] = {"work": work, "title": "Overview", "homes": homes,
                                  "homes_total": homes_total, "cap": DASHBOARD_ROWS}
    context["changes"] = exceptions.changes_since(user, since_core.window_start(marker, now), now,
                                                  first_look=marker.since is None)
    if user.role == Role.REG44_VISITOR:
        months = reg44.home_summaries(user, homes, now, with_report_deadlines=False)  # read just below
        to_write = [visit for month in months for visit in month.reports_to_write]
        context.update(
            months=months, to_write=to_write,
            report_deadlines=exceptions.subject_items(user, now, REPORT_RULE, "Reg44Visit", [v.id for v in to_write]),
            feedback_waiting=feedback.waiting_for_visitor(user))
    if queue:
        plans = action_plans.plans_by_status(user, (PlanStatus.SUBMITTED, PlanStatus.RETURNED),
                                             limit=DASHBOARD_ROWS + 1)
        context.update(
            reports_to_check=reg44.reports_to_check(user, limit=DASHBOARD_ROWS + 1),
            plans_awaiting=plans[PlanStatus.SUBMITTED], plans_returned=plans[PlanStatus.RETURNED],
            late_notifications=work.late_notifications, signals=work.signals)
    if qpag_policy.can_write(user.role):  # the month's QPAG report to draft or finalise (seed 002 §8.2)
        context["qpag_waiting"] = qpag_reports.waiting(now)
    if user.role == Role.HEAD_OF_SERVICE:  # QPAG's chair: actions escalated to CSLT or overdue (§8.8)
        context["qpag_actions"] = inspections.qpag_actions_for_chair(user, london_date(now))
    if user.role == Role.REG44_VISITOR:  # read with the month's summaries already
        shown = {home.id for home in homes[:DASHBOARD_ROWS]}
        context["reg44_opinions"] = {m.home.id: m.latest_report for m in months
                                     if m.home.id in shown and m.latest_report is not None}
    elif user.role != Role.HOME_STAFF:  # a "No" or "with concerns" opinion is visible at once
        context["reg44_opinions"] = reg44.latest_reports(user, [home.id for home in homes[:DASHBOARD_ROWS]])
    if exceptions_policy.can_see_grid(user):
        context["grid"] = exceptions.grid(user, now, limit=DASHBOARD_ROWS)
    page = render_template("main/dashboard.html", **context)
    exceptions_service.record_first_page_view(user, now, view=view)
    return page


@bp.route("/health")
@limiter.exempt
def health():
    """For load balancers and monitors: the app answers and the database is reachable."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def _database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return False
    return True


@bp.route("/status")
@limiter.exempt
def status():
    """Service status for people (the footer link); `/health` stays JSON for monitors."""
    reachable = _database_reachable()
    return render_template("main/status.html", reachable=reachable, title="Service status"), (200 if reachable else 503)
