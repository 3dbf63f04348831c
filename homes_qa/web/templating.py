"""Template globals and filters: navigation by role, London times, htmx helpers."""
from __future__ import annotations

import logging

from flask import request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from homes_qa.core.formats import london_datetime, long_date, without_home
from homes_qa.core.roles import NOT_HOME_STAFF, ROLE_LABELS, ROLES, Role
from homes_qa.spine.transaction import reset_after_failed_read
from homes_qa.web.options import select_options

# (endpoint, label, roles that see it); order is the order in the navigation bar.
NAVIGATION = (
    ("main.dashboard", "Overview", ROLES),
    ("homes.index", "Homes", ROLES),
    ("visits.index", "Reg 44 visits", NOT_HOME_STAFF),  # visitors, managers, service managers, senior
    ("alerts.index", "Alerts", ROLES),
    ("incidents.index", "Incidents", (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER,
                                      Role.HEAD_OF_SERVICE)),  # issue 8: home staff record events too
    ("inspections.actions", "Actions", (Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER,
                                        Role.HEAD_OF_SERVICE)),  # issue 10: the combined action list
    ("inspections.qa_reviews", "QA reviews", (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)),  # issue 10: dip samples…
    ("exceptions.grid", "Exceptions", (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)),
    ("exceptions.kpis", "Monthly KPIs", (Role.REGISTERED_MANAGER,)),  # issue 11: entered Annex A measures
    ("qpag_report.index", "QPAG reports", (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)),  # issue 11: §8.2–8.4
    ("organisation.index", "Whole service", (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)),
    ("checks.cross_home", "Certificates", (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)),
    ("audit.index", "Audit trail", (Role.HEAD_OF_SERVICE, Role.ADMIN)),
    ("rules.index", "Rules", (Role.HEAD_OF_SERVICE, Role.ADMIN)),
    ("admin.users", "Users", (Role.ADMIN,)),
    ("admin.homes", "Manage homes", (Role.ADMIN,)),
    ("incidents.event_types", "Event types", (Role.ADMIN,)),  # issue 8: the organisation's own event types
)

# Issue 12: at 1280 px the service navigation must fit on one row, so these entries of NAVIGATION
# are listed on the "More" page (navigation.more) instead of in the header; the header shows a
# "More" item to whoever may use one of them. Grouped: cross-home registers and configuration.
MORE_PAGE: frozenset[str] = frozenset({
    "inspections.qa_reviews", "organisation.index", "checks.cross_home", "audit.index", "rules.index",
    "admin.users", "admin.homes", "qpag_report.index", "incidents.event_types",
})
MORE_ENDPOINT = "navigation.more"


def navigation_for(role: str, *, grouped: bool) -> list[tuple[str, str]]:
    """(endpoint, label) of the NAVIGATION entries for `role`: in the header (grouped=False) or on
    the More page (grouped=True)."""
    return [(endpoint, label) for endpoint, label, roles in NAVIGATION
            if role in roles and (endpoint in MORE_PAGE) == grouped]


def error_list(form) -> list[dict]:
    """Error summary entries: each field's first error linked to the field, then form-level ones."""
    entries = []
    for field in form:
        if field.errors:
            href = f"#{field.id}-day" if field.type == "DateField" else f"#{field.id}"
            entries.append({"text": field.errors[0], "href": href})
    for message in form.form_errors:
        entries.append({"text": message, "href": "#main-content"})
    return entries


def header_alert_count() -> int | None:
    """The header badge: unacknowledged alerts for the signed-in user (one COUNT)."""
    if not current_user.is_authenticated:
        return None
    from homes_qa.spine.alerts.queries import (
        unacknowledged_for_me_count,  # late: the alerts blueprint imports this module
    )
    try:
        return unacknowledged_for_me_count(current_user)
    except SQLAlchemyError:  # a badge must never turn a page (or an error page) into a 500
        reset_after_failed_read()
        logging.getLogger("homes_qa.alerts").exception("header alert count failed")
        return None


def is_htmx() -> bool:
    """A partial is wanted: an htmx request that is not a boosted page navigation."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def init_app(app) -> None:
    app.add_template_filter(london_datetime)
    app.add_template_filter(long_date)
    app.add_template_filter(without_home)  # issue 12: short obligation titles on a home's own pages
    app.add_template_global(error_list)
    app.add_template_global(header_alert_count)
    from homes_qa.spine.alerts.queries import BADGE_CAP  # late: the alerts blueprint imports this module
    app.add_template_global(BADGE_CAP, "badge_cap")
    app.add_template_global(select_options)  # issue 13: long filter lists

    # The header's navigation depends on the role, the page and where the app is mounted only:
    # worked out (with a url_for per item) once for each, not on every request (issue 13).
    kept_navigation: dict[tuple[str, str | None, str], tuple[dict, ...]] = {}

    def navigation_items(role: str, here_endpoint: str | None) -> tuple[dict, ...]:
        def is_here(endpoint: str) -> bool:
            return here_endpoint is not None and (
                here_endpoint == endpoint or here_endpoint.split(".")[0] == endpoint.split(".")[0] != "main")
        items = [{"href": url_for(endpoint), "text": label, "active": is_here(endpoint)}
                 for endpoint, label in navigation_for(role, grouped=False)]
        grouped = navigation_for(role, grouped=True)
        if grouped:
            here = here_endpoint == MORE_ENDPOINT or (
                not any(item["active"] for item in items) and any(is_here(e) for e, _ in grouped))
            items.append({"href": url_for(MORE_ENDPOINT), "text": "More", "active": here})
        return tuple(items)

    @app.context_processor
    def layout_context():
        items: list[dict] = []
        if current_user.is_authenticated:
            key = (current_user.role, request.endpoint, request.script_root)
            if key not in kept_navigation:
                kept_navigation[key] = navigation_items(*key[:2])
            # Copies: the layout adds this person's alert badge to the Alerts item.
            items = [dict(item) for item in kept_navigation[key]]
        return {
            "service_name": app.config["SERVICE_NAME"],
            "organisation_name": app.config["ORGANISATION_NAME"],
            "navigation": items,
            "role_labels": ROLE_LABELS,
        }

    @app.after_request
    def vary_on_htmx(response):
        response.vary.add("HX-Request")
        return response
