"""The overview: across my homes, what is late, worst first."""
from datetime import UTC, datetime, timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


def test_overview_counts_late_work_per_home_and_shows_whole_service(app, client, world, auth):
    now = datetime.now(UTC)
    with app.app_context(), acting_as("test"):
        home_b = db.session.get(Home, world.home_b.id)
        # Overdue: a need-to-know notification 24 h after an incident two hours older than that.
        obligation_for_event("incident_ntk_service_manager", home_b, now - timedelta(hours=26), key="incident:1")
        obligation_for_event("incident_ntk_service_manager", home_b, now - timedelta(hours=27), key="incident:2")
        db.session.commit()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/").get_data(as_text=True)
    assert page.index("Birch House") < page.index("Alder House")  # the late home first
    assert "2 overdue" in page
    assert "Whole service" in page
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/").get_data(as_text=True)
    assert "Birch House" not in page and " overdue<" not in page and "Whole service" not in page
