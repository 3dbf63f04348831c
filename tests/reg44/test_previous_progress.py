"""The report has a section on progress against the previous visit's recommendations: listed
with their state, and required (when there were any) before the report can be submitted."""
from __future__ import annotations

from datetime import timedelta

import pytest
from test_visits_support import error_summary, record, reports, submit, today

from homes_qa.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")

FULL = {"safeguarded_opinion": "yes", "safeguarded_narrative": "Staff know what to do.",
        "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.",
        "findings": "Calm house.", "conflict_of_interest": ""}


def test_the_previous_visits_recommendations_and_progress_on_them(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    first = record(app, visitor.id, today() - timedelta(days=35), home_id=world.home_a.id)
    submit(app, first, visitor.id, recommendations=(("Repair the garden fence", 28),))
    second = record(app, visitor.id, today(), home_id=world.home_a.id)
    url = f"/reg44/visits/{second}/report"
    auth.sign_in(visitor)
    form = client.get(url).get_data(as_text=True)
    section = form[form.index('id="previous-progress"'):form.index("<h2 class=\"govuk-heading-m\">Findings")]
    assert "Repair the garden fence" in section and "(Response awaited)" in section
    assert 'name="previous_progress"' in section

    # Without the progress the report is not submitted.
    auth.post(url, {**FULL, "action": "submit"})
    refused = auth.post(f"{url}/submit")
    page = refused.get_data(as_text=True) if refused.status_code == 200 else client.get(url).get_data(as_text=True)
    assert "Enter the progress against the previous visit&#39;s recommendations" in page or \
        "Enter the progress against the previous visit's recommendations" in page
    assert reports(app, second)[0]["status"] == "draft"

    saved = auth.post(url, {**FULL, "previous_progress": "The fence was repaired in the first week.",
                            "action": "submit"})
    assert saved.status_code == 303, error_summary(saved.get_data(as_text=True))
    check = client.get(f"{url}/submit").get_data(as_text=True)
    assert 'id="check-previous-progress"' in check and "The fence was repaired" in check
    assert auth.post(f"{url}/submit").status_code == 303
    assert reports(app, second)[-1]["status"] == "submitted"
    document = client.get(url).get_data(as_text=True)
    part = document[document.index('id="previous-progress"'):]
    assert "Repair the garden fence" in part[:1500] and "The fence was repaired in the first week." in part[:2000]


def test_a_first_visit_says_there_were_no_previous_recommendations(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit = record(app, visitor.id, today(), home_id=world.home_a.id)
    auth.sign_in(visitor)
    form = client.get(f"/reg44/visits/{visit}/report").get_data(as_text=True)
    assert "The previous visit made no recommendations." in form and 'name="previous_progress"' not in form
    submit(app, visit, visitor.id)  # nothing to report progress on: no progress needed
    assert reports(app, visit)[0]["status"] == "submitted"
