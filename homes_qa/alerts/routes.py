"""Alerts: "For me" and "My homes", acknowledgement (htmx row swap or Post/Redirect/Get),
and the header count badge that polls every minute."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from homes_qa.alerts.forms import SECTIONS, AcknowledgeForm
from homes_qa.core.drift import DriftState
from homes_qa.core.roles import ROLES
from homes_qa.extensions import db
from homes_qa.spine.access import roles_required
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.queries import (
    MAX_PAGE,
    PAGE_SIZE,
    alerts_for_me,
    alerts_in_my_homes,
    can_acknowledge,
    can_see_alert,
    count_for_me,
    count_in_my_homes,
    is_listed_for_me,
    is_listed_in_my_homes,
    unacknowledged_for_me_count,
)
from homes_qa.spine.obligations.queries import state_of
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import saved
from homes_qa.web.templating import is_htmx

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@dataclass
class AlertRow:
    alert: Alert
    state: DriftState
    can_acknowledge: bool
    form: AcknowledgeForm | None = None  # the form that failed, for this row only


def _rows(alerts: list[Alert], now, failed: AcknowledgeForm | None = None,
          failed_id: int | None = None) -> list[AlertRow]:
    return [AlertRow(a, state_of(a.obligation, now), can_acknowledge(current_user, a),
                     failed if a.id == failed_id else None) for a in alerts]


@dataclass
class Section:
    rows: list[AlertRow]
    total: int
    page: int
    pages: int
    links: dict[str, dict[str, int]] | None = None  # "prev"/"next": url_for arguments (both lists' pages)


def _page_number(name: str) -> int:
    """`?mine_page=` / `?homes_page=`: a page number; anything else (too long, not ASCII digits,
    out of range) is the first page."""
    text = request.args.get(name, "")
    if not (0 < len(text) <= 5 and text.isascii() and text.isdigit()):
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def _section(name: str, listed, total: int, now, failed: AcknowledgeForm | None,
             failed_alert: Alert | None) -> Section:
    pages = max(-(-total // PAGE_SIZE), 1)
    page = min(_page_number(f"{name}_page"), pages)
    alerts = listed(current_user, page=page, per_page=PAGE_SIZE)
    mine_failed = failed is not None and failed.section_name == name and failed_alert is not None
    if mine_failed and failed_alert not in alerts:
        alerts = [failed_alert, *alerts]  # the row whose error the summary links to, on any page
    failed_id = failed_alert.id if failed_alert is not None else None
    return Section(_rows(alerts, now, failed if mine_failed else None, failed_id), total, page, pages)


def _page(failed: AcknowledgeForm | None = None, failed_alert: Alert | None = None, status: int = 200):
    now = utcnow()
    sections = {
        "mine": _section("mine", alerts_for_me, count_for_me(current_user), now, failed, failed_alert),
        "homes": _section("homes", alerts_in_my_homes, count_in_my_homes(current_user), now, failed, failed_alert),
    }
    for name, section in sections.items():
        other = next(n for n in sections if n != name)
        keep = {f"{other}_page": sections[other].page} if sections[other].page > 1 else {}
        section.links = {}
        if section.page > 1:
            section.links["prev"] = {**keep, **({f"{name}_page": section.page - 1} if section.page > 2 else {})}
        if section.page < section.pages:
            section.links["next"] = {**keep, f"{name}_page": section.page + 1}
    context = {"sections": sections, "title": "Alerts", "page_size": PAGE_SIZE}
    if failed is not None:
        context["form"] = failed  # the layout shows the error summary for `form`
    return render_template("alerts/index.html", **context), status


@bp.route("/")
@roles_required(*ROLES)
def index():
    return _page()


@bp.route("/count")
@roles_required(*ROLES)
def count():
    """The header badge (polled: see security.expire_idle_session)."""
    return render_template("alerts/_count.html", alert_count=unacknowledged_for_me_count(current_user))


count.passive_poll = True  # type: ignore[attr-defined]  # a marker on the view function, read by web/security.py


def _alert_or_404(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None or not can_see_alert(current_user, alert):
        abort(404)
    return alert


@bp.route("/<int:alert_id>/acknowledge", methods=["POST"])
@roles_required(*ROLES)
def acknowledge(alert_id: int):
    alert = _alert_or_404(alert_id)
    if not can_acknowledge(current_user, alert):
        abort(403)  # aimed at another role: they, or a head of service, acknowledge it
    form = AcknowledgeForm()
    section = form.section_name
    if form.validate_on_submit() and saved(
            form, lambda: alert_service.acknowledge(alert, note=form.note.data, by=current_user)):
        if is_htmx():
            return _swapped_rows(alert, section)
        flash("Alert acknowledged", "success")
        return redirect(url_for("alerts.index") + f"#alert-{section}-{alert.id}", code=303)
    form.note.id = f"note-{section}-{alert.id}"  # the error summary links to this row's box
    if is_htmx():
        # htmx 2 swaps only 2xx: the row comes back with its error, status 200.
        row = _rows([alert], utcnow(), form, alert.id)[0]
        return render_template("alerts/_row.html", row=row, section=section)
    return _page(form, alert)


def _swapped_rows(alert: Alert, section: str):
    """The acknowledged row; its copy in the other list out of band; the badge refreshes."""
    row = _rows([alert], utcnow())[0]
    other = next(name for name in SECTIONS if name != section)
    listed = is_listed_for_me(alert, current_user) if other == "mine" else is_listed_in_my_homes(alert)
    body = render_template("alerts/_row.html", row=row, section=section)
    if listed:
        body += render_template("alerts/_row.html", row=row, section=other, oob=True)
    response = make_response(body)
    response.headers["HX-Trigger"] = "alerts-changed"
    return response
