"""Exceptions pages: the homes × areas grid, the items behind a cell, and CSV exports.

Filters are GET parameters (shareable URLs, work without JavaScript); htmx swaps the results
in place. A home outside the user's scope is a 404, like every record elsewhere.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from homes_qa.core import exceptions as ex
from homes_qa.core import kpis as kpi_core
from homes_qa.core import periods
from homes_qa.core.calendar import london_date, london_day_start
from homes_qa.core.roles import ROLES
from homes_qa.exceptions import policy, queries, service
from homes_qa.exceptions.forms import MonthlyKpiForm, measure_values
from homes_qa.exceptions.models import MonthlyKpi
from homes_qa.spine.access import can_see_home, home_or_404, roles_required, visible_homes_select
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.queries import sees_organisation
from homes_qa.spine.paging import paged
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.csv_export import csv_response
from homes_qa.web.forms import saved
from homes_qa.web.home_filter import HomeFilter, choose_home_href, home_filter
from homes_qa.web.templating import is_htmx

bp = Blueprint("exceptions", __name__, url_prefix="/exceptions")

MAX_ID = 2**31 - 1


@dataclass
class Filters:
    home: int | None = None
    area: str | None = None
    status: str | None = None
    person: User | None = None
    period: str | None = None
    period_from: str = ""  # as typed, for a custom period
    period_to: str = ""
    range: periods.Period | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    picker: HomeFilter | None = None  # the home field (pages that show the filter form)

    @property
    def home_errors(self) -> list[str]:
        return [e["text"] for e in self.errors if e["href"] == "#home"]

    @property
    def summary(self) -> list[dict[str, str]]:
        """The error summary's list: the filters' errors and what the typed home name matched."""
        found = [] if self.picker is None or self.picker.error is None else [{"text": self.picker.error, "href": "#home"}]
        return self.errors + found

    def args(self) -> dict[str, object]:
        return {k: v for k, v in (("home", self.home), ("area", self.area), ("status", self.status))
                if v is not None} | self.link_args()

    def link_args(self) -> dict[str, object]:
        """The person and period filters, carried by the grid's cell links to the items."""
        found: dict[str, object] = {}
        if self.person is not None:
            found["person"] = self.person.id
        if self.period is not None:
            found["period"] = self.period
            if self.period == "custom":
                found.update({"from": self.period_from, "to": self.period_to})
        return found

    def period_args(self) -> dict[str, object]:
        """The home and period filters, which the register exports (visits, incidents,
        notifications, audits) apply to when each record happened; the person is the grid's only."""
        return ({"home": self.home} if self.home is not None else {}) | {
            k: v for k, v in self.link_args().items() if k != "person"}

    def export_args(self) -> dict[str, object]:
        """The filters the obligations and alerts exports apply: home, area, person, period."""
        return {k: v for k, v in (("home", self.home), ("area", self.area)) if v is not None} | self.link_args()

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        if self.range is None:
            return None
        return london_day_start(self.range.start), london_day_start(self.range.end)


def _filters(areas: Iterable[str], *, with_status: bool = False, person_filter: bool = False,
             home_field: bool = False) -> Filters:
    """The page's filters from the query string. A home outside the user's scope is 404;
    a value that is not one of the choices is an error shown by its field. A page with the
    filter form (`home_field`) also takes the typed part of a home's name (`home_name`)."""
    filters = Filters()
    home = request.args.get("home", "").strip()
    if home:
        if not (home.isascii() and home.isdigit() and len(home) <= 18) or int(home) > MAX_ID:
            filters.errors.append({"text": "Choose a home from the list", "href": "#home"})
        else:
            filters.home = int(home)
            if filters.home == queries.WHOLE_SERVICE:
                if not sees_organisation(current_user):
                    abort(404)
            elif not can_see_home(current_user, filters.home):
                abort(404)
    if home_field:
        filters.picker = home_filter(current_user, filters.home, request.args.get("home_name"),
                                     whole_service=sees_organisation(current_user))
        filters.home = filters.picker.home
    area = request.args.get("area", "").strip()
    if area:
        if area not in set(areas):
            filters.errors.append({"text": "Choose an area from the list", "href": "#area"})
        else:
            filters.area = area
    status = request.args.get("status", "").strip()
    if with_status and status:
        if status not in ex.STATUS_LABELS:
            filters.errors.append({"text": "Choose a status from the list", "href": "#status"})
        else:
            filters.status = status
    if person_filter:
        _person_and_period(filters)
    return filters


def _person_and_period(filters: Filters) -> None:
    """The person (someone working with the user's homes, else 404) and the period filters."""
    _person(filters)
    _period(filters)


def _person(filters: Filters) -> None:
    person = request.args.get("person", "").strip()
    if person:
        if not (person.isascii() and person.isdigit() and len(person) <= 18) or int(person) > MAX_ID:
            filters.errors.append({"text": "Choose a person from the list", "href": "#person"})
        else:
            found = queries.person_in_scope(current_user, int(person))
            if found is None:
                abort(404)
            filters.person = found


def _period(filters: Filters) -> None:
    period = request.args.get("period", "").strip()
    if not period:
        return
    if period not in periods.PERIODS:
        filters.errors.append({"text": "Choose a period from the list", "href": "#period"})
        return
    filters.period = period
    if period != "custom":
        filters.range = periods.preset(period, london_date(utcnow()))
        return
    filters.period_from = request.args.get("from", "").strip()[:20]
    filters.period_to = request.args.get("to", "").strip()[:20]
    filters.range, errors = periods.custom(filters.period_from, filters.period_to)
    filters.errors += [{"text": text, "href": f"#period-{field_name}"} for field_name, text in errors.items()]


@bp.app_template_global()
def discharge_target(obligation: Obligation) -> tuple[str, dict[str, int], str]:
    """For templates: where the signed-in user does this item (exceptions/_macros.html)."""
    return queries.discharge_target(obligation, current_user)


@bp.app_template_global()
def queue_target(item: queries.Item) -> tuple[str, dict[str, int], str]:
    """For templates: where the work queue sends an item (main/dashboard.html)."""
    return queries.queue_target(item, current_user)


@bp.app_template_global()
def area_label(area: str) -> str:
    """For templates: a rule area as a heading ("Statutory checks")."""
    return ex.area_label(area)


@bp.route("/")
@roles_required(*policy.GRID_ROLES)
def grid():
    """The grid: homes in scope × rule areas, escalated first."""
    now = utcnow()
    filters = _filters(queries.rule_areas(organisation=sees_organisation(current_user)) + _all_areas(),
                       person_filter=True, home_field=True)
    asked = _page_number()
    result = queries.grid(current_user, now, home=filters.home, area=filters.area, person=filters.person,
                          window=None if filters.errors else filters.window, link_args=filters.link_args(),
                          offset=(asked - 1) * GRID_PAGE_SIZE, limit=GRID_PAGE_SIZE)
    pages = max(-(-result.row_count // GRID_PAGE_SIZE), 1)
    page = result.offset // GRID_PAGE_SIZE + 1  # a page past the end is shown as the last
    kept = filters.args()  # every filter, so the pages are of the same grid
    grid_pages = {"page": page, "pages": pages, "current": kept | ({"page": page} if page > 1 else {}),
                  "prev": (kept | ({"page": page - 1} if page > 2 else {})) if page > 1 else None,
                  "next": kept | {"page": page + 1} if page < pages else None}
    template = "exceptions/_grid.html" if is_htmx() else "exceptions/grid.html"
    return render_template(template, grid=result, grid_pages=grid_pages, filters=filters, oob=is_htmx(),
                           choose_home=choose_home_href("exceptions.grid", kept),
                           people=queries.people_in_scope(current_user),
                           periods=periods.PERIODS, title="Exceptions"), 400 if filters.errors else 200


GRID_PAGE_SIZE = 25  # homes a page of the grid (issue 13: the grid renders a page, not every home)
MAX_PAGE_DIGITS = 9


def _page_number() -> int:
    """`?page=`: a page number from 1; anything that is not ASCII digits is the first page, a
    number past the end (however long) the last."""
    text = request.args.get("page", "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > MAX_PAGE_DIGITS:
        return 10 ** MAX_PAGE_DIGITS  # past any last page: shown as the last
    return max(int(text), 1)


def _all_areas() -> list[str]:
    return list(ex.AREA_LABELS)


@bp.route("/items")
@roles_required(*ROLES)
def items():
    """The open items behind a grid cell (or a home's row, or an area's column)."""
    now = utcnow()
    filters = _filters(queries.rule_areas(organisation=True) + _all_areas(), with_status=True, person_filter=True,
                       home_field=True)
    rows = [] if filters.errors else queries.items(current_user, now, home=filters.home, area=filters.area,
                                                   status=filters.status, person=filters.person,
                                                   window=filters.window)
    # The chosen home's name ("Whole service" for the whole service's items), as its field shows it.
    home_name = filters.picker.text if filters.home is not None and filters.picker is not None else None
    template = "exceptions/_items.html" if is_htmx() else "exceptions/items.html"
    return render_template(template, items=rows, filters=filters, home_name=home_name, oob=is_htmx(),
                           choose_home=choose_home_href("exceptions.items", filters.args()),
                           areas=ex.ordered_areas(queries.rule_areas(organisation=sees_organisation(current_user))),
                           whole_service=sees_organisation(current_user),
                           status_labels=ex.STATUS_LABELS, limit=queries.LIST_LIMIT,
                           people=queries.people_in_scope(current_user), periods=periods.PERIODS,
                           title="Items needing attention"), 400 if filters.errors else 200


# ---------------------------------------------------------------- CSV exports

def _csv(name: str, header: tuple[str, ...], rows: Iterator[list[object]]) -> Response:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), streamed (web/csv_export.py)."""
    return csv_response(name, header, rows)


@bp.route("/export/obligations.csv")
@roles_required(*policy.EXPORT_ROLES)
def export_obligations():
    """The grid's filters (home, area, person, period) apply as on the page: a shareable URL."""
    filters = _filters(queries.rule_areas(organisation=True) + _all_areas(), person_filter=True)
    if filters.errors:
        abort(400)
    return _csv("obligations", queries.OBLIGATION_COLUMNS,
                queries.obligation_rows(current_user, utcnow(), home=filters.home, area=filters.area,
                                        person=filters.person, window=filters.window))


@bp.route("/export/alerts.csv")
@roles_required(*policy.EXPORT_ROLES)
def export_alerts():
    """The grid's filters (home, area, person, period) apply as on the page: a shareable URL."""
    filters = _filters(queries.rule_areas(organisation=True) + _all_areas(), person_filter=True)
    if filters.errors:
        abort(400)
    return _csv("alerts", queries.ALERT_COLUMNS,
                queries.alert_rows(current_user, home=filters.home, area=filters.area,
                                        person=filters.person, window=filters.window))


def _register_export(name: str, columns, rows):
    """A register's CSV, filtered by the home and the period of the page it was reached from."""
    filters = _filters(())
    _period(filters)
    if filters.errors:
        abort(400)
    return _csv(name, columns, rows(current_user, home=filters.home, window=filters.window))


@bp.route("/export/reg44-visits.csv")
@roles_required(*policy.VISIT_EXPORT_ROLES)
def export_visits():
    """Reg 44 visits the user may see (unannounced plans never reach the manager or home staff)."""
    return _register_export("reg44-visits", queries.VISIT_COLUMNS, queries.visit_rows)


@bp.route("/export/incidents.csv")
@roles_required(*policy.INCIDENT_EXPORT_ROLES)
def export_incidents():
    return _register_export("incidents", queries.INCIDENT_COLUMNS, queries.incident_rows)


@bp.route("/export/notifications.csv")
@roles_required(*policy.INCIDENT_EXPORT_ROLES)
def export_notifications():
    return _register_export("notifications", queries.NOTIFICATION_COLUMNS, queries.notification_rows)


@bp.route("/export/audits.csv")
@roles_required(*policy.AUDIT_EXPORT_ROLES)
def export_audits():
    """Monthly audits (H&S, fire, GDPR, statutory check review) the user may read."""
    return _register_export("monthly-audits", queries.AUDIT_COLUMNS, queries.audit_rows)


# ---------------------------------------------------------------- monthly KPIs

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str, today: date) -> tuple[date | None, list[dict[str, str]]]:
    """The month asked for ("2026-11"), default this month; bounded to 2000–2100."""
    if not value:
        return today.replace(day=1), []
    match = MONTH.match(value)
    if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        return None, [{"text": "Enter a month as year and month, like 2026-11", "href": "#month"}]
    return date(int(match[1]), int(match[2]), 1), []


@bp.route("/kpis")
@roles_required(*policy.KPI_ROLES)
def kpis():
    """Derived monthly KPIs per home (seed 002 §7.1, the monthly KPI review)."""
    now = utcnow()
    first, errors = _month(request.args.get("month", "").strip(), london_date(now))
    rows: list[queries.HomeKpis] = []
    misses: dict[int, queries.Misses] = {}
    entered: dict[int, MonthlyKpi] = {}
    page = None
    if first is not None:
        # A page of homes, by name (issue 13: a county's 1,000 homes are 40 pages, each read alone).
        homes, page = paged(visible_homes_select(current_user), Home.name, Home.id)
        following = (first + timedelta(days=32)).replace(day=1)
        rows = queries.monthly_kpis(current_user, now, london_day_start(first), london_day_start(following), homes)
        misses = queries.consecutive_misses(current_user, now, london_day_start(following), homes)
        entered = queries.entered_in_month(current_user, first, homes)
    month_value = request.args.get("month", "").strip() or (first.strftime("%Y-%m") if first else "")
    return render_template("exceptions/kpis.html", rows=rows, month=first, errors=errors, misses=misses,
                           entered=entered, measures=kpi_core.MEASURES, may_enter=first is not None
                           and first <= london_date(now), page=page,
                           page_args={"month": month_value} if request.args.get("month") else {},
                           month_value=month_value, title="Monthly KPIs"), 400 if errors else 200


def _month_or_404(value: str) -> date:
    first, errors = _month(value, london_date(utcnow()))
    if first is None or errors:
        abort(404)
    return first


def _following(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@bp.route("/kpis/<int:home_id>/<month>", methods=["GET", "POST"])
@roles_required(*policy.KPI_ROLES)
def kpi_entry(home_id: int, month: str):
    """A home's entered measures for a month, each beside what the incident log counts."""
    home = home_or_404(home_id)
    first = _month_or_404(month)
    today = london_date(utcnow())
    if first > today:
        abort(404)
    entry = queries.kpi_entry(home.id, first)
    form = MonthlyKpiForm(obj=entry)
    if form.validate_on_submit() and saved(form, lambda: service.record_monthly_kpis(
            home, first, measure_values(form), by=current_user, today=today)):
        flash(f"Saved {home.name}'s KPIs for {first:%B %Y}", "success")
        return redirect(url_for("exceptions.kpi_entry", home_id=home.id, month=month), code=303)
    derived = queries.derived_measures([home.id], london_day_start(first), london_day_start(_following(first)))[home.id]
    return render_template("exceptions/kpi_entry.html", home=home, month=first, form=form, entry=entry,
                           derived=derived, measures=kpi_core.MEASURES, month_value=month,
                           occupancy=kpi_core.occupancy_percent(entry.children_resident, home.registered_places)
                           if entry else None,
                           retention=kpi_core.staff_retention_percent(entry.staff_at_start, entry.staff_leavers)
                           if entry else None,
                           previous=(first - timedelta(days=1)).strftime("%Y-%m"),
                           next=_following(first).strftime("%Y-%m") if _following(first) <= today else None,
                           title=f"KPIs for {first:%B %Y}")


@bp.route("/kpis/since-inspection")
@roles_required(*policy.KPI_ROLES)
def kpis_since_inspection():
    """Annex A: each home's KPIs from the day after its last full Ofsted inspection to today."""
    rows = queries.since_last_inspection(current_user, utcnow())
    return render_template("exceptions/kpis_since_inspection.html", rows=rows,
                           title="KPIs since the last full inspection")


TREND_MONTHS = 12


@bp.route("/kpis/trends")
@roles_required(*policy.KPI_ROLES)
def kpi_trends():
    """One measure over twelve months, each home in scope a line, with the data table beside."""
    today = london_date(utcnow())
    errors: list[dict[str, str]] = []
    first, month_errors = _month(request.args.get("month", "").strip(), today)
    errors += month_errors
    code = request.args.get("measure", "").strip() or kpi_core.MEASURES[0].code
    measure = next((m for m in kpi_core.MEASURES if m.code == code), None)
    if measure is None:
        errors.append({"text": "Choose a measure from the list", "href": "#measure"})
    result = None
    paths: dict[int, str] = {}
    if first is not None and measure is not None:
        months = [date(y, m, 1) for y, m in kpi_core.months_ending(first.year, first.month, TREND_MONTHS)]
        result = queries.trend(current_user, measure, months)
        top = max(result.maximum, 1)
        paths = {home_id: kpi_core.svg_path([None if v is None else float(v) for v in series],
                                            width=CHART_WIDTH, height=CHART_HEIGHT, maximum=top, pad=CHART_PAD)
                 for home_id, series in result.values.items()}
    return render_template("exceptions/kpi_trends.html", trend=result, paths=paths, errors=errors,
                           measures=kpi_core.MEASURES, measure_code=code,
                           month_value=request.args.get("month", "").strip() or (first.strftime("%Y-%m") if first else ""),
                           chart={"width": CHART_WIDTH, "height": CHART_HEIGHT, "pad": CHART_PAD},
                           title="KPI trends"), 400 if errors else 200


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 240, 20
