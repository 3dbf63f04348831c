"""Issue 12: a home's own page lists its obligations without repeating the home's name."""
from datetime import timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")


def test_home_page_shows_short_titles_and_the_whole_service_page_the_full_ones(app, client, world, auth):
    with app.app_context(), acting_as("test"):
        obligations.record_completion(rule_code="gas_safety_check", home=db.session.get(Home, world.home_a.id),
                                      done_on=test_clock.TODAY - timedelta(days=350), note="",
                                      by=db.session.get(User, world.users[Role.ADMIN].id))
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    home_page = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    section = home_page[home_page.index('id="what-is-due"'):]
    assert "Gas safety check — " in section
    assert "— Alder House —" not in section
    with app.app_context():  # the stored title still names the home, for pages that list several
        from sqlalchemy import select

        from homes_qa.spine.obligations.models import Obligation
        title = db.session.scalar(select(Obligation.title).where(Obligation.rule_code == "gas_safety_check",
                                                                 Obligation.home_id == world.home_a.id))
        assert title.startswith("Gas safety check — Alder House — ")
        assert title.replace(" — Alder House", "") in section
