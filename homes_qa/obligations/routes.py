"""Record that a check or audit was done, waive an obligation, list a home's floating checks.

Every route is home-scoped: an obligation of a home the user does not see is 404, as is a
whole-service obligation for someone below service manager.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import Integer, Select, String, bindparam, func, select
from sqlalchemy.orm import load_only

from homes_qa.core.roles import ROLES
from homes_qa.core.timing import FLOATING
from homes_qa.extensions import db
from homes_qa.obligations.forms import CompletionForm, WaiveForm
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.obligations import service as obligation_service
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus
from homes_qa.spine.obligations.queries import (
    COMPLETE_ROLES,
    ORGANISATION_ROLES,
    RECORD_ROLES,
    WAIVE_ROLES,
    Row,
    can_record,
    is_recordable,
    obligation_or_404,
    recorded_elsewhere,
    state_of,
    what_is_due_page,
)
from homes_qa.spine.people.models import Home
from homes_qa.spine.rules.models import Rule, RuleScope
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import saved

bp = Blueprint("obligations", __name__)
# Whole-service work has its own navigation entry, so its own blueprint (the layout marks a
# navigation item active for every endpoint of its blueprint).
organisation_bp = Blueprint("organisation", __name__, url_prefix="/organisation")


def _back_to(obligation: Obligation) -> str:
    if obligation.home_id is None:
        return url_for("organisation.index") + "#what-is-due"
    return url_for("homes.detail", home_id=obligation.home_id) + "#what-is-due"


@bp.route("/obligations/<int:obligation_id>/complete", methods=["GET", "POST"])
@roles_required(*COMPLETE_ROLES)
def complete(obligation_id: int):
    obligation = obligation_or_404(obligation_id, current_user)
    if not is_recordable(obligation):
        abort(404)  # met by its own record (a report, a notification…), not by this form
    if not obligation.is_open:
        flash(f"{obligation.title} is already closed: nothing to record", "info")
        return redirect(_back_to(obligation), code=303)
    if not can_record(current_user, obligation):
        abort(403)  # home staff record routine checks only
    form = CompletionForm()
    if form.validate_on_submit():
        done_on = form.done_on.data
        assert done_on is not None  # a required field: set once the form validates
        if saved(form, lambda: obligation_service.record_completion(
                rule_code=obligation.rule_code, home=obligation.home, done_on=done_on,
                note=form.note.data or "", by=current_user, obligation=obligation)):
            flash(f"Recorded: {obligation.title}", "success")
            return redirect(_back_to(obligation), code=303)
    return render_template("obligations/complete.html", form=form, obligation=obligation,
                           state=state_of(obligation, utcnow()), back=_back_to(obligation),
                           title="Record that it was done")


@bp.route("/obligations/<int:obligation_id>/waive", methods=["GET", "POST"])
@roles_required(*WAIVE_ROLES)
def waive(obligation_id: int):
    obligation = obligation_or_404(obligation_id, current_user)
    if not obligation.is_open:
        flash(f"{obligation.title} is already closed", "info")
        return redirect(_back_to(obligation), code=303)
    form = WaiveForm()
    if form.validate_on_submit() and saved(
            form, lambda: obligation_service.waive(obligation, reason=form.reason.data, by=current_user)):
        flash(f"Waived: {obligation.title}", "success")
        return redirect(_back_to(obligation), code=303)
    return render_template("obligations/waive.html", form=form, obligation=obligation,
                           state=state_of(obligation, utcnow()), back=_back_to(obligation),
                           title="Waive this obligation")


@organisation_bp.route("/")
@roles_required(*ORGANISATION_ROLES)
def index():
    """Whole-service work (QPAG report, dip samples, surveys, the weekly safeguarding update):
    the open work 25 a page (issue 13: each service manager's weekly update is a row, 170 of them
    for a county of 1,000 homes)."""
    due, page = what_is_due_page(None, utcnow(), current_user)
    return render_template("obligations/organisation.html", due=due, due_page=page, title="Whole-service work")


# ---------------------------------------------------------------- floating checks of a home

@dataclass
class Check:
    rule: Rule
    last_done: date | None
    next_due: Row | None


def _floating_rules() -> list[Rule]:
    stmt = _floating_rules_statement()
    rules = [rule for rule in db.session.scalars(stmt) if rule.timing_value.kind == FLOATING]
    if not rules and sync_catalogue():  # the table is filled on first use
        rules = [rule for rule in db.session.scalars(stmt) if rule.timing_value.kind == FLOATING]
    return [rule for rule in rules if not recorded_elsewhere(rule)]


# The checks page's reads, built once and run with the home and the rules' codes bound: building
# them cost more Python than SQLite takes to answer them (issue 13).
@cache
def _floating_rules_statement() -> Select[Rule]:
    return select(Rule).where(Rule.trigger == "last_completed", Rule.active.is_(True),
                              Rule.scope == RuleScope.HOME).order_by(Rule.area, Rule.title)


@cache
def _checks_statements() -> tuple[Select[str, date], Select[Obligation]]:
    home, codes = bindparam("home_id", type_=Integer), bindparam("codes", type_=String(), expanding=True)
    last_done = (select(Completion.rule_code, func.max(Completion.done_on))
                 .where(Completion.home_id == home, Completion.rule_code.in_(codes))
                 .group_by(Completion.rule_code))
    # Each open cycle as the page shows it: its deadline and where it stands (state_of).
    open_cycles = (select(Obligation).where(Obligation.home_id == home, Obligation.rule_code.in_(codes),
                                            Obligation.status == ObligationStatus.OPEN)
                   .options(load_only(Obligation.rule_code, Obligation.status, Obligation.due_at, Obligation.met_at,
                                      Obligation.ladder, Obligation.due_soon_days, Obligation.due_soon_hours))
                   .order_by(Obligation.due_at.desc()))
    return last_done, open_cycles


def _open_for(rule_code: str, home: Home) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == rule_code, Obligation.home_id == home.id,
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at).limit(1))


@bp.route("/homes/<int:home_id>/checks")
@roles_required(*ROLES)
def checks(home_id: int):
    home = home_or_404(home_id)
    now = utcnow()
    rules = _floating_rules()
    values = {"home_id": home.id, "codes": [rule.code for rule in rules]}
    last_done_of, open_cycles = _checks_statements()
    last_done: dict[str, date] = dict(db.session.execute(last_done_of, values).all())
    next_due: dict[str, Obligation] = {}
    for obligation in db.session.scalars(open_cycles, values):
        next_due[obligation.rule_code] = obligation  # earliest open cycle wins
    rows = [Check(rule, last_done.get(rule.code),
                  Row(next_due[rule.code], state_of(next_due[rule.code], now)) if rule.code in next_due else None)
            for rule in rules]
    return render_template("obligations/checks.html", home=home, checks=rows,
                           may_record=current_user.role in RECORD_ROLES, title="Certificates and checks")


@bp.route("/homes/<int:home_id>/checks/<rule_code>/complete", methods=["GET", "POST"])
@roles_required(*RECORD_ROLES)
def complete_check(home_id: int, rule_code: str):
    home = home_or_404(home_id)
    rule = next((rule for rule in _floating_rules() if rule.code == rule_code), None)
    if rule is None:
        abort(404)
    obligation = _open_for(rule.code, home)  # its due date keeps an anniversary (gas safety)
    form = CompletionForm()
    form.note.description = "For example, who did it, the certificate number, or anything found"
    back = url_for("obligations.checks", home_id=home.id)
    if form.validate_on_submit():
        done_on = form.done_on.data
        assert done_on is not None  # a required field: set once the form validates
        if saved(form, lambda: obligation_service.record_completion(
                rule_code=rule.code, home=home, done_on=done_on, note=form.note.data or "",
                by=current_user, obligation=obligation)):
            flash(f"Recorded: {rule.title} at {home.name}", "success")
            return redirect(back, code=303)
    return render_template("obligations/complete_check.html", form=form, home=home, rule=rule,
                           obligation=obligation, back=back, title="Record the last time this was done")


