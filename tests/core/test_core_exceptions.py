"""Pure pieces of the exceptions views: cell text and RAG, area order, due-soon threshold, CSV cells."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from homes_qa.core import exceptions as ex
from homes_qa.core.calendar import to_london
from homes_qa.core.catalogue import AREAS
from homes_qa.core.drift import DUE_SOON, classify
from homes_qa.core.escalation import EscalationStep


def test_cell_text_and_rag():
    cell = ex.Cell()
    assert (cell.text, cell.rag, cell.total) == ("On track", ex.GREEN, 0)
    cell.add(ex.DUE_SOON, 2)
    assert (cell.text, cell.rag) == ("2 due soon", ex.AMBER)
    cell.add(ex.OVERDUE, 1)
    cell.add(ex.ESCALATED, 3)
    cell.add(ex.UPCOMING, 9)  # not counted
    assert (cell.text, cell.rag, cell.total) == ("3 escalated, 1 overdue, 2 due soon", ex.RED, 6)
    assert sorted([ex.Cell(overdue=5), cell, ex.Cell()], key=ex.Cell.rank)[0] is cell  # escalated first


def test_areas_keep_the_catalogue_order_and_show_new_ones():
    assert ex.ordered_areas(["fire", "reg44", "zeta_new"]) == ["reg44", "fire", "zeta_new"]
    assert ex.area_label("zeta_new") == "Zeta new"
    assert all(ex.area_label(a) for a in AREAS)


LADDER = (EscalationStep(1, "registered_manager", 0),)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=90), st.integers(min_value=-120, max_value=120))
def test_due_soon_threshold_agrees_with_drift(now, days, minutes):
    """Not yet due: due soon (core.drift) exactly when the due time is before the threshold
    (away from the clock-change hour, where London wall-clock days are 23 or 25 hours)."""
    threshold = ex.due_soon_threshold(now, days)
    due = threshold + timedelta(minutes=minutes)
    assume(to_london(now).utcoffset() == to_london(due).utcoffset())
    state = classify(due, now, LADDER, days)
    assert (state.status == DUE_SOON) == (due < threshold)


def test_due_soon_threshold_refuses_negative_days():
    with pytest.raises(ValueError):
        ex.due_soon_threshold(datetime(2026, 1, 1, tzinfo=UTC), -1)


@pytest.mark.parametrize("value, cell", [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Plain", "Plain"), ("a=b", "a=b"), ("", ""), (None, ""),
    (True, "yes"), (False, "no"), (-5, "-5"), (2.5, "2.5"),
    (date(2026, 12, 1), "2026-12-01"),
    (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), "2026-07-01T09:30:00+00:00"),
])
def test_csv_cells(value, cell):
    assert ex.csv_cell(value) == cell


@given(st.text())
def test_no_csv_cell_starts_a_formula(text):
    assert not ex.csv_cell(text).startswith(ex.FORMULA_STARTS)
