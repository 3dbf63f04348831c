"""Services own their transactions: one unit of work per outermost service call.

A failure half-way through a multi-record write (a visit, its obligations, their audit rows)
leaves nothing behind, whether the service is called directly or through a view; and the
tests prove they would notice if the unit of work stopped rolling back.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine import transaction
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.transaction import transactional, unit_of_work
from homes_qa.web import errors

COUNTED = {"visits": Reg44Visit, "obligations": Obligation, "audit_events": AuditEvent}


def _counts() -> dict[str, int]:
    """Rows of each kind, as the current session sees them."""
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in COUNTED.items()}


def _fresh_counts(app) -> dict[str, int]:
    """The same, from a new session (its own app context): only what was committed."""
    with app.app_context():
        return _counts()


def _leftovers(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The rows a failed call left behind (empty when it left nothing)."""
    return {name: after[name] - before[name] for name in COUNTED if after[name] != before[name]}


class Boom(RuntimeError):
    pass


@pytest.fixture
def fail_mid_visit(monkeypatch):
    """The obligations service fails on the visit's last report deadline.

    By then record_visit has flushed the visit, made (and discharged) the month's visit
    obligation and made the first report deadlines; they are flushed too, with their audit
    rows, so a missing rollback would leave all three kinds of row behind.
    """
    real = obligations.obligation_for_event

    def failing(code, *args, **kwargs):
        if code == "reg44_report_statutory":
            db.session.flush()
            raise Boom("the obligations service failed half-way through the visit")
        return real(code, *args, **kwargs)

    monkeypatch.setattr(obligations, "obligation_for_event", failing)


@pytest.fixture
def no_unit_rollback(monkeypatch):
    """The unit of work with its rollback removed (what the tests must catch)."""
    monkeypatch.setattr(transaction, "_rollback", lambda session: None)


def _today() -> date:
    return london_date(datetime.now(UTC))


def _record_visit(world) -> None:
    reg44.record_visit(None, by=db.session.get(User, world.users[Role.REG44_VISITOR].id),
                       home=db.session.get(Home, world.home_a.id),
                       details=reg44.VisitDetails(visited_on=_today(), arrived_at="00:00", left_at="00:30",
                                                  announced=True, spoke_children=2))


def _record_form() -> dict:
    day = _today()
    return {"visited_on": [str(day.day), str(day.month), str(day.year)], "arrived_at": "00:00",
            "left_at": "00:30", "announced": "announced"}


# ---------------------------------------------------------------- nesting


def test_nested_service_joins_the_outer_unit_and_commits_nothing_itself(app, world):
    with app.app_context(), acting_as("test"):
        with unit_of_work():
            people.create_home(name="Cedar Lodge", ofsted_urn="SC900003", address="3 Cedar Road",
                               registered_places=2)
            db.session.flush()
            with app.app_context():  # another session sees nothing yet: the inner call did not commit
                assert db.session.scalar(select(Home).where(Home.name == "Cedar Lodge")) is None
        with app.app_context():  # the outer unit committed
            assert db.session.scalar(select(Home).where(Home.name == "Cedar Lodge")) is not None


def _inner_succeeds_then_outer_fails() -> None:
    with unit_of_work():
        people.create_home(name="Cedar Lodge", ofsted_urn="SC900003", address="3 Cedar Road", registered_places=2)
        assert db.session.info[transaction._DEPTH] == 1  # the inner unit has left; the outer is open
        raise Boom("after the inner service returned")


def test_inner_success_then_outer_failure_leaves_nothing(app, world):
    with app.app_context(), acting_as("test"):
        before = _counts()
        with pytest.raises(Boom):
            _inner_succeeds_then_outer_fails()
        assert db.session.scalar(select(Home).where(Home.name == "Cedar Lodge")) is None
        assert _leftovers(before, _counts()) == {}
        assert db.session.info.get(transaction._DEPTH, 0) == 0
    with app.app_context():
        assert db.session.scalar(select(Home).where(Home.name == "Cedar Lodge")) is None


def _saved_in_a_savepoint_then_failed() -> None:
    with unit_of_work():
        with db.session.begin_nested():
            people.create_home(name="Cedar Lodge", ofsted_urn="SC900003", address="3 Cedar Road", registered_places=2)
        raise Boom("after the savepoint was released")


def test_a_savepoint_as_the_first_write_is_rolled_back_with_its_unit(app, world):
    """Python's sqlite3 began no transaction before a SAVEPOINT, so its RELEASE committed what
    it held; the engine begins one first (homes_qa.database), on any database."""
    with app.app_context(), acting_as("test"):
        db.session.get(Home, world.home_a.id)  # a read first, as a view's
        with pytest.raises(Boom):
            _saved_in_a_savepoint_then_failed()
    with app.app_context():
        assert db.session.scalar(select(Home).where(Home.name == "Cedar Lodge")) is None


def test_decorated_function_at_the_top_commits_and_a_refusal_rolls_back(app, world):
    @transactional
    def rename(home_id: int, name: str, *, refuse: bool) -> None:
        db.session.get(Home, home_id).name = name
        if refuse:
            raise transaction.ServiceError("refused")

    with app.app_context(), acting_as("test"):
        rename(world.home_a.id, "Alder Court", refuse=False)
        with pytest.raises(transaction.ServiceError):
            rename(world.home_a.id, "Alder Mews", refuse=True)
        assert db.session.get(Home, world.home_a.id).name == "Alder Court"
    with app.app_context():
        assert db.session.get(Home, world.home_a.id).name == "Alder Court"


def test_a_rule_looked_up_during_a_visit_does_not_commit_it(app, world, fail_mid_visit):
    """rule_by_code may fill the rule table (sync_catalogue): that joins the visit's unit."""
    with app.app_context(), acting_as("test"):
        assert db.session.scalar(select(func.count(Rule.code))) == 0  # filled on first use
        with pytest.raises(Boom):
            _record_visit(world)
    with app.app_context():
        assert db.session.scalar(select(func.count(Rule.code))) == 0


def test_a_dry_run_cannot_join_another_unit(app):
    with app.app_context(), unit_of_work(), pytest.raises(RuntimeError, match="dry run"), \
            unit_of_work(dry_run=True):
        pass


# ---------------------------------------------------------------- a failure in the middle of a visit


def test_a_failure_mid_visit_leaves_no_visit_obligation_or_audit_row(app, world, fail_mid_visit):
    with app.app_context(), acting_as("test"):
        before = _counts()
        with pytest.raises(Boom):
            _record_visit(world)
        assert _leftovers(before, _counts()) == {}  # the same session, straight after
    assert _leftovers(before, _fresh_counts(app)) == {}  # and a new one


def test_without_the_rollback_the_leftover_check_sees_the_half_written_visit(app, world, fail_mid_visit,
                                                                               no_unit_rollback):
    """The check above has teeth: with the unit's rollback removed it finds every kind of row."""
    with app.app_context(), acting_as("test"):
        before = _counts()
        with pytest.raises(Boom):
            _record_visit(world)
        left = _leftovers(before, _counts())
        assert set(left) == set(COUNTED)
        assert left["visits"] == 1
        assert left["obligations"] >= 2
        # ...and the next service call in the same session would commit them.
        people.create_home(name="Cedar Lodge", ofsted_urn="SC900003", address="3 Cedar Road", registered_places=2)
    left = _leftovers(before, _fresh_counts(app))
    assert set(left) == set(COUNTED)
    assert left["visits"] == 1


# ---------------------------------------------------------------- the same failure through a view


def test_a_failure_mid_visit_through_the_view_is_a_500_and_leaves_nothing(app, client, world, auth,
                                                                          fail_mid_visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    before = _fresh_counts(app)
    response = auth.post(f"/reg44/homes/{world.home_a.id}/record", _record_form())
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert _leftovers(before, _fresh_counts(app)) == {}


@pytest.fixture
def error_page_without_rollback(monkeypatch):
    """The 500 handler's defensive rollback removed, so only the unit of work can clean up."""
    monkeypatch.setattr(errors, "db", SimpleNamespace(session=SimpleNamespace(rollback=lambda: None)))


def test_the_500_leaves_nothing_because_the_unit_rolled_back(app, client, world, auth, fail_mid_visit,
                                                             error_page_without_rollback):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    before = _fresh_counts(app)
    # The request joins this app context, so its session can be looked at after the response.
    with app.app_context():
        response = auth.post(f"/reg44/homes/{world.home_a.id}/record", _record_form())
        assert response.status_code == 500
        assert _leftovers(before, _counts()) == {}
    assert _leftovers(before, _fresh_counts(app)) == {}


def test_the_500_check_has_teeth(app, client, world, auth, fail_mid_visit, error_page_without_rollback,
                                 no_unit_rollback):
    """With the unit's rollback removed, the check above finds the half-written visit."""
    auth.sign_in(world.users[Role.REG44_VISITOR])
    before = _fresh_counts(app)
    with app.app_context():
        response = auth.post(f"/reg44/homes/{world.home_a.id}/record", _record_form())
        assert response.status_code == 500
        left = _leftovers(before, _counts())
        assert set(left) == set(COUNTED)
        assert left["visits"] == 1
