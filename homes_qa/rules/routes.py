"""The rule table: every cadence and deadline, with its source. Administrators edit;
heads of service read. Edits apply to obligations created after the change."""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from homes_qa.core import timing as t
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.rules.forms import RuleForm, step_fields
from homes_qa.spine.access import roles_required
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import all_rules, sync_catalogue, update_rule
from homes_qa.spine.rules.words import (
    KIND_LABELS,
    UNIT_LABELS,
    area_label,
    area_order,
    kinds_for,
    ladder_words,
    trigger_words,
    units_for,
)
from homes_qa.web.forms import saved

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


@bp.route("/")
@roles_required(Role.HEAD_OF_SERVICE, Role.ADMIN)
def index():
    rules = all_rules()
    if not rules and sync_catalogue():  # the table is filled on first use
        rules = all_rules()
    rules.sort(key=lambda rule: (area_order(rule.area), rule.title))
    areas = [(area, area_label(area), list(group)) for area, group in groupby(rules, key=lambda r: r.area)]
    return render_template("rules/index.html", areas=areas, ladder_words=ladder_words,
                           trigger_words=trigger_words, title="Rules")


def _rule_or_404(code: str) -> Rule:
    rule = db.session.scalar(select(Rule).where(Rule.code == code))
    if rule is None and sync_catalogue():
        rule = db.session.scalar(select(Rule).where(Rule.code == code))
    return rule or abort(404)


def _initial(rule: Rule) -> dict:
    data = {"kind": rule.timing.get("kind"), "amount": rule.timing.get("amount"),
            "unit": rule.timing.get("unit") or "", "active": rule.active,
            "due_soon_days": rule.due_soon_hours if rule.due_soon_hours is not None else rule.due_soon_days}
    for step in rule.ladder:
        data[f"step{step['level']}_role"] = step["role"]
        data[f"step{step['level']}_days"] = step.get("after_hours", step.get("after_working_days"))
    return data


def _timing(rule: Rule, form: RuleForm) -> dict:
    kind, unit = form.kind.data, form.unit.data or None
    timing: dict = {"kind": kind}
    if form.amount.data is not None:
        timing["amount"] = form.amount.data
    if unit:
        timing["unit"] = unit
    old = rule.timing
    # Settings the form does not show are kept while they still apply.
    if kind == t.FIXED and old.get("kind") == t.FIXED and old.get("unit") == unit and old.get("anchor"):
        timing["anchor"] = old["anchor"]
    if (kind == t.FLOATING and unit == "months" and old.get("kind") == t.FLOATING
            and old.get("anniversary_window_months")):
        timing["anniversary_window_months"] = old["anniversary_window_months"]
    return timing


def _hourly(rule: Rule) -> bool:
    """An hour clock's ladder counts in elapsed hours; the form edits it in hours."""
    return any("after_hours" in step for step in rule.ladder)


def _ladder(form: RuleForm, hourly: bool = False) -> list[dict] | None:
    """The filled-in rows as ladder steps (level = row), or None after marking incomplete rows."""
    steps, complete = [], True
    unit, key = ("hours", "after_hours") if hourly else ("working days", "after_working_days")
    for level, role, days in step_fields(form):
        if not role.data and days.data is None and not days.errors:
            continue
        if not role.data:
            role.errors = list(role.errors) + [f"Select who hears at level {level}, or clear its {unit}"]
            complete = False
        if days.data is None and not days.errors:
            days.errors = list(days.errors) + [f"Enter the {unit} after due for level {level}"]
            complete = False
        steps.append({"level": level, "role": role.data, key: days.data})
    return steps if complete else None


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(code: str):
    rule = _rule_or_404(code)
    # The rule's values fill a new form; a posted form shows only what was posted.
    form = RuleForm() if request.method == "POST" else RuleForm(data=_initial(rule))
    kinds = kinds_for(rule)
    units = units_for(kinds)
    form.kind.choices = [(kind, KIND_LABELS[kind]) for kind in kinds]
    form.unit.choices = [("", "Not needed for this timing")] + [(unit, UNIT_LABELS[unit]) for unit in units]
    form.unit.description = ("Only for “Every N days, weeks or months after it was last done” and the fixed calendar "
                             "cadence; other timings (hours, working days…) ignore it.")

    hourly = _hourly(rule)
    if hourly:
        for level, _role, days in step_fields(form):
            days.label.text = f"Level {level}: hours after due"
    warns_in_hours = rule.due_soon_hours is not None
    if warns_in_hours:  # an hour clock warns in hours; the form's one warning field holds them
        form.due_soon_days.label.text = "Hours of warning before it is due"
    if form.validate_on_submit():
        ladder = _ladder(form, hourly)
        if ladder is not None and saved(form, lambda: update_rule(
                rule, timing=_timing(rule, form), ladder=ladder,
                due_soon_days=rule.due_soon_days if warns_in_hours else form.due_soon_days.data,
                due_soon_hours=form.due_soon_days.data if warns_in_hours else None, active=form.active.data)):
            flash(f"{rule.title}: changes saved. They apply to obligations created from now on.", "success")
            return redirect(url_for("rules.index") + f"#rule-{rule.code}", code=303)
    elif form.is_submitted():
        _ladder(form, hourly)  # incomplete ladder rows are shown alongside the other errors
    return render_template("rules/edit.html", form=form, rule=rule, steps=step_fields(form), hourly=hourly,
                           warns_in_hours=warns_in_hours,
                           show_amount=any(k not in (t.END_OF_MONTH, t.TARGET_DATE) for k in kinds),
                           show_unit=bool(units), trigger_words=trigger_words, title=f"Edit rule: {rule.title}")
