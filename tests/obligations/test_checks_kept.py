"""A home's certificates and checks are read by statements built once and run with the home and
the rules bound (issue 13): each home's page shows its own last completions and next cycles,
whichever home's request built them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.obligations import routes
from homes_qa.spine.timestamps import utcnow
from tests.obligations.test_obligations_ui import _today_fields, quiet_calendar

pytestmark = pytest.mark.usefixtures("clock")


def _row(html: str, code: str) -> str:
    row = html[html.index(f'id="check-{code}"'):]
    return row[:row.index("</tr>")]


def test_each_homes_checks_are_its_own(app, client, world, auth):
    quiet_calendar(app)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])  # sees both homes
    last = london_date(utcnow()) - timedelta(days=10)
    url_a, url_b = f"/homes/{world.home_a.id}/checks", f"/homes/{world.home_b.id}/checks"
    assert "Not recorded" in _row(client.get(url_b).get_data(as_text=True), "eicr")  # home B's builds them
    assert auth.post(f"{url_a}/eicr/complete", _today_fields(last)).status_code == 303
    in_a = _row(client.get(url_a).get_data(as_text=True), "eicr")
    assert f"{last.day} {last:%b %Y}" in in_a and "Upcoming" in in_a
    in_b = _row(client.get(url_b).get_data(as_text=True), "eicr")
    assert "Not recorded" in in_b and "Not known" in in_b
    assert routes._checks_statements() is routes._checks_statements()
