"""Monthly KPI arithmetic and the trend chart's SVG path (core/kpis.py)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homes_qa.core import kpis


def test_svg_path_spreads_points_across_the_width_zero_at_the_bottom():
    assert kpis.svg_path([0, 5, 10], width=100, height=50) == "M0 50 L50 25 L100 0"


def test_svg_path_uses_the_given_maximum_and_padding():
    assert kpis.svg_path([2, 4], width=120, height=60, maximum=8, pad=10) == "M10 40 L110 30"


def test_a_missing_month_breaks_the_line():
    assert kpis.svg_path([1, None, 1, 2], width=30, height=10, maximum=2) == "M0 5 M20 5 L30 0"


def test_empty_all_zero_and_single_point_series():
    assert kpis.svg_path([], width=100, height=50) == ""
    assert kpis.svg_path([None, None], width=100, height=50) == ""
    assert kpis.svg_path([0, 0], width=100, height=50) == "M0 50 L100 50"
    assert kpis.svg_path([3], width=100, height=50) == "M50 0"


def test_values_above_the_maximum_are_drawn_at_the_top():
    assert kpis.svg_path([20], width=10, height=10, maximum=5) == "M5 0"


@settings(suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine
@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), max_size=15))
def test_every_point_is_inside_the_box(values):
    path = kpis.svg_path(values, width=600, height=240, pad=20)
    numbers = [float(n) for part in path.split() for n in [part.lstrip("ML")]]
    xs, ys = numbers[0::2], numbers[1::2]
    assert all(20 <= x <= 580 for x in xs) and all(20 <= y <= 220 for y in ys)
    assert len(xs) == sum(v is not None for v in values)
    assert path.count("M") == sum(1 for i, v in enumerate(values) if v is not None and (i == 0 or values[i - 1] is None))


def test_consecutive_misses_counts_the_latest_run():
    assert kpis.consecutive_misses([]) == 0
    assert kpis.consecutive_misses([True, True, False]) == 0
    assert kpis.consecutive_misses([True, False, True, True]) == 2
    assert kpis.consecutive_misses([True, True, True]) == 3


def test_children_named_counts_different_children():
    assert kpis.children_named(["AB, CD", "ab", "C.D. and EF", "", "GH; ab / ij"]) == 5


def test_retention_and_occupancy():
    assert kpis.staff_retention_percent(12, 3) == 75
    assert kpis.staff_retention_percent(0, 0) is None
    assert kpis.occupancy_percent(3, 4) == 75 and kpis.occupancy_percent(1, 0) is None


def test_months_ending_crosses_the_year():
    assert kpis.months_ending(2027, 2, 4) == [(2026, 11), (2026, 12), (2027, 1), (2027, 2)]
