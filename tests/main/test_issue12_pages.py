"""Issue 12, forms and pages: "Service status" is a page for people (not raw JSON), hour rules
do not read "Unit: None", and the certificate-number hint is only on certificate checks."""
from __future__ import annotations

import pytest

from homes_qa.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def test_service_status_is_a_page_for_people_and_health_stays_json(client, world, auth):
    page = client.get("/status")
    assert page.status_code == 200 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Service status</h1>" in body and "Reachable" in body
    assert '"status": "ok"' not in body and '"database"' not in body
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    footer = client.get("/").get_data(as_text=True)
    assert 'href="/status">Service status</a>' in footer and 'href="/health">Service status' not in footer
    assert client.get("/health").get_json() == {"status": "ok", "database": "ok"}


def test_an_hour_rule_does_not_offer_unit_none(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    client.get("/admin/rules/")  # the rules page fills the rule table on first use
    page = client.get("/admin/rules/incident_ico_breach/edit").get_data(as_text=True)
    assert ">None<" not in page
    assert "Not needed for this timing" in page and "ignore it" in page


def test_the_certificate_number_hint_is_only_on_certificate_checks(app, client, world, auth):
    from homes_qa.obligations.forms import CompletionForm
    with app.test_request_context():
        assert "certificate number" not in CompletionForm(meta={"csrf": False}).note.description
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    check = client.get(f"/homes/{world.home_a.id}/checks/eicr/complete").get_data(as_text=True)
    assert "the certificate number" in check
