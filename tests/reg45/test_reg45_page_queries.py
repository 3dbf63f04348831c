"""A home's Regulation 45 page reads what it shows once (issue 13): the home with the person's
scope in one query, the review in progress from the home's reviews, both rules' deadlines in
one query. The page still shows the review in progress and the rule table's words."""
from __future__ import annotations

from datetime import timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg45 import queries as reg45_queries
from homes_qa.reg45 import service as reg45
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock
from tests.helpers import page_queries, statements_run

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def test_the_reg45_page_reads_each_thing_once(app, client, world, auth):
    with app.app_context(), acting_as("test"):
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        review = reg45.start_review(db.session.get(Home, world.home_a.id), period_start=TODAY - timedelta(days=90),
                                    period_end=TODAY, by=manager)
        review_id = review.id
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/homes/{world.home_a.id}/reg45"
    page = client.get(url).get_data(as_text=True)
    assert "Continue the review in progress" in page and f"/reg45/{review_id}" in page
    assert "every 6 months" in page and "within 28 days" in page
    # The user, the home in scope, its open reviews' obligations, its reviews, the two rules,
    # the header's alert count.
    assert page_queries(app, client, url) == 6
    with app.app_context():
        with statements_run(app) as seen:
            words = reg45_queries.deadline_words()
        assert words == {"review": "6 months", "ofsted": "28 days"} and len(seen) == 1
