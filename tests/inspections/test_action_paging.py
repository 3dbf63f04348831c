"""The action list a page at a time (issue 13): each source is cut in SQL in the list's own order,
so page 1 holds the most overdue of every source however many there are, the pages follow one
another with no action twice or missed, the filters stay on every page link, and any `?page=`
answers a page that exists."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections import queries
from homes_qa.inspections.models import Inspection, InspectionItem
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people.models import User
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
SIZE = queries.ACTION_PAGE_SIZE
OFSTED, REG44 = 70, 45  # more of each than a page holds


@pytest.fixture
def many(app, world):
    """Home A: OFSTED Ofsted actions whose newest rows (highest ids) are the most overdue, so a cut
    in id order would drop them; REG44 Reg 44 actions due from 20 days ago on; two done."""
    manager, visitor = world.users[Role.REGISTERED_MANAGER].id, world.users[Role.REG44_VISITOR].id
    home = world.home_a.id
    with app.app_context(), acting_as("test"):
        inspection = Inspection(home_id=home, inspection_type="full", started_on=TODAY - timedelta(days=300),
                                ended_on=TODAY - timedelta(days=299), overall="good", helped_protected="good",
                                leadership="good", recorded_by_id=manager)
        for n in range(OFSTED):
            inspection.items.append(InspectionItem(home_id=home, kind="recommendation", text="x",
                                                   action=f"OFSTED-{n:03d}", owner_id=manager,
                                                   due_on=TODAY + timedelta(days=30 - n)))  # later ids: earlier due
        for n in (0, 1):
            inspection.items.append(InspectionItem(home_id=home, kind="recommendation", text="x",
                                                   action=f"OFSTED-DONE-{n}", owner_id=manager,
                                                   due_on=TODAY - timedelta(days=400), completed_on=TODAY,
                                                   status="completed"))
        visit = Reg44Visit(home_id=home, visitor_id=visitor, status="recorded", announced=True,
                           visited_on=TODAY - timedelta(days=40))
        report = Reg44Report(visit=visit, home_id=home, status="submitted", author_id=visitor,
                             safeguarded_opinion="yes", wellbeing_opinion="yes")
        for n in range(REG44):
            report.recommendations.append(Reg44Recommendation(home_id=home, number=n + 1, text="r",
                                                              consider_within_days=28))
        db.session.add_all([inspection, visit, report])
        db.session.flush()
        plan = ActionPlan(report_id=report.id, home_id=home, status="approved")
        for n in range(REG44):
            plan.responses.append(ActionPlanResponse(recommendation_id=report.recommendations[n].id, home_id=home,
                                                     decision="accept", action=f"REG44-{n:03d}", owner="Deputy",
                                                     due_on=TODAY - timedelta(days=20) + timedelta(days=n)))
        db.session.add(plan)
        db.session.commit()


def _actions(html: str) -> list[str]:
    results = html[html.index('id="action-results"'):]
    return re.findall(r"((?:OFSTED|REG44)-[0-9A-Z-]+)<span", results)


def _every(app, world, query: str = "") -> list[str]:
    """The whole list, as the CSV export reads it (every row, one merge)."""
    with app.test_request_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        filters = queries.ActionFilters.from_args(dict(re.findall(r"(\w+)=(\w+)", query)))
        return [r.text for r in queries.combined_actions(head, filters, test_clock.PINNED_NOW)
                if r.text.startswith(("OFSTED", "REG44"))]


def test_pages_follow_one_another_most_overdue_first(app, auth, world, many):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    every = _every(app, world)
    assert len(every) == OFSTED + REG44
    # The most overdue of all: the Ofsted actions with the highest ids come first.
    assert every[0] == f"OFSTED-{OFSTED - 1:03d}"
    first = auth.client.get("/actions").get_data(as_text=True)
    assert f"Actions 1 to {SIZE}, most overdue first" in first
    assert 'href="/actions?page=2"' in first and "govuk-pagination__prev" not in first
    seen: list[str] = []
    number = 1
    while True:
        html = auth.client.get(f"/actions?page={number}").get_data(as_text=True)
        rows = _actions(html)
        assert len(rows) == (SIZE if len(seen) + SIZE <= len(every) else len(every) - len(seen))
        seen += rows
        if f'href="/actions?page={number + 1}"' not in html:
            break
        number += 1
    assert seen == every  # in order, none twice, none missed
    assert number == -(-len(every) // SIZE)
    last = auth.client.get(f"/actions?page={number}").get_data(as_text=True)
    assert f"Actions {SIZE * (number - 1) + 1} to {len(every)}" in last
    assert "govuk-pagination__next" not in last
    assert f'href="/actions?page={number - 1}"' in last or (number == 2 and 'href="/actions"' in last)


def test_any_page_asked_for_answers_one_that_exists(app, auth, world, many):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    every = _every(app, world)
    last_page = -(-len(every) // SIZE)
    tail = every[SIZE * (last_page - 1):]
    for asked in ("99999999999999999999", str(last_page + 5), str(queries.ACTION_MAX_PAGE + 1)):
        response = auth.client.get(f"/actions?page={asked}")
        assert response.status_code == 200
        assert _actions(response.get_data(as_text=True)) == tail
    for asked in ("%C2%B2", "-3", "abc", "0", "1e3"):
        response = auth.client.get(f"/actions?page={asked}")
        assert response.status_code == 200
        assert _actions(response.get_data(as_text=True)) == every[:SIZE]


def test_the_filters_stay_on_every_page_link(app, auth, world, many):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    home = world.home_a.id
    html = auth.client.get(f"/actions?home={home}&source=inspection&status=all").get_data(as_text=True)
    assert f'href="/actions?home={home}&amp;source=inspection&amp;status=all&amp;page=2"' in html
    every = _every(app, world, f"home={home}&source=inspection&status=all")
    assert len(every) == OFSTED + 2
    second = auth.client.get(f"/actions?home={home}&source=inspection&status=all&page=2").get_data(as_text=True)
    assert _actions(second) == every[SIZE:]
    assert every[-2:] == ["OFSTED-DONE-0", "OFSTED-DONE-1"]  # completed after every open one
    # htmx asks for the results alone: the page links are in them.
    partial = auth.client.get(f"/actions?home={home}&source=inspection&status=all",
                              headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.lstrip().startswith("<div") and "page=2" in partial


def test_a_page_cut_keeps_the_most_overdue_of_each_source(app, world, many):
    """The old list took each source's first 501 rows in whatever order the database gave them:
    with more than that, the most overdue could be left off. Each source is now cut in order."""
    with app.test_request_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        page = queries.action_page(head, queries.ActionFilters(source="inspection"), test_clock.PINNED_NOW, 1)
        texts = [r.text for r in page.rows]
    assert texts == [f"OFSTED-{n:03d}" for n in range(OFSTED - 1, OFSTED - 1 - SIZE, -1)]
    assert page.more and not page.at_limit


def test_a_registered_manager_pages_only_their_home(app, auth, world, many):
    auth.sign_in(world.manager_b)
    html = auth.client.get("/actions").get_data(as_text=True)
    assert _actions(html) == [] and "0 actions" in html and "govuk-pagination" not in html
    assert auth.client.get(f"/actions?home={world.home_a.id}&page=2").status_code == 404


def test_an_open_reg44_action_with_no_due_date_comes_after_every_dated_one(app, auth, world, many):
    """The open Reg 44 actions are read in due-date order from their index (migration 0035), the
    undated ones by a second read: on the list they come last, as the list's order puts them."""
    with app.app_context(), acting_as("test"):
        plan = db.session.scalars(db.select(ActionPlan)).one()
        report = db.session.get(Reg44Report, plan.report_id)
        extra = Reg44Recommendation(home_id=world.home_a.id, number=REG44 + 1, text="r", consider_within_days=28)
        report.recommendations.append(extra)
        db.session.flush()
        plan.responses.append(ActionPlanResponse(recommendation_id=extra.id, home_id=world.home_a.id,
                                                 decision="accept", action="REG44-UNDATED", owner="Deputy"))
        db.session.commit()
    every = _every(app, world, "source=reg44")
    assert every[-1] == "REG44-UNDATED" and len(every) == REG44 + 1
    assert every[:-1] == [f"REG44-{n:03d}" for n in range(REG44)]
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert len(every) <= SIZE  # one page holds them all
    assert _actions(auth.client.get("/actions?source=reg44").get_data(as_text=True)) == every


def test_the_open_actions_of_audits_and_ofsted_are_read_from_indexes(app, world, many):
    """Issue 13 (migration 0039): a monthly audit's open actions are the open `action_complete`
    obligations whose subject is a finding, read from `ix_obligations_rule_open` alone (each one's
    subject from its row, for every open action of every kind, was 4.4 ms at 1,000 homes); Ofsted's
    open items by their status, not a read of every item of every inspection."""
    from tests.helpers import statements_run
    with app.test_request_context():
        db.session.execute(db.text("ANALYZE"))
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        with statements_run(app, with_parameters=True) as seen:
            queries.action_page(head, queries.ActionFilters(), test_clock.PINNED_NOW, 1)
        plans = {}
        for statement, parameters in seen:
            for table in ("home_audit_findings", "inspection_items"):
                if f"FROM {table} JOIN" in statement and table not in plans:
                    plans[table] = [row[3] for row in db.session.connection().exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {statement}", parameters)]
    audit_reads = [step for step in plans["home_audit_findings"] if "obligations" in step]
    assert audit_reads and all("COVERING INDEX ix_obligations_rule_open" in step for step in audit_reads), plans
    item_reads = [step for step in plans["inspection_items"] if "inspection_items" in step]
    assert item_reads and all(step.startswith("SEARCH") and "ix_inspection_items_status_home" in step
                              for step in item_reads), plans
