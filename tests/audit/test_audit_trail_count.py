"""The audit trail says how many changes match only up to a bound (issue 13: the whole trail is
not read to say how long it is); past the bound it pages on, and a page beyond it is counted."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from homes_qa.audit import routes as audit_routes
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("clock")


def _summary(page: str) -> str:
    return re.search(r'<div id="audit-results">\s*<p class="govuk-body">(.*?)</p>', page, re.S)[1]


def test_the_count_stops_past_the_bound_and_a_page_beyond_it_is_counted(app, client, world, auth, monkeypatch):
    monkeypatch.setattr(audit_routes, "PAGE_SIZE", 2)
    monkeypatch.setattr(audit_routes, "COUNTED_UP_TO", 4)
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert total > 6  # the world's homes and people were recorded as they were made
    pages = -(-total // 2)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])

    first = client.get("/audit/").get_data(as_text=True)
    assert _summary(first) == "More than 4 changes, page 1."
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert _summary(client.get("/audit/?page=2").get_data(as_text=True)) == "More than 4 changes, page 2."
    beyond = client.get("/audit/?page=3").get_data(as_text=True)
    assert _summary(beyond) == f"{total} changes, page 3 of {pages}."
    last = client.get("/audit/?page=999999").get_data(as_text=True)
    assert _summary(last) == f"{total} changes, page {pages} of {pages}."
    assert 'rel="next"' not in last and 'rel="prev"' in last
    # Within the bound the count is exact, as before.
    one = client.get(f"/audit/?record_id={world.home_b.id}&record_type=Home").get_data(as_text=True)
    assert _summary(one) == "1 change."
    fragment = client.get("/audit/?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _summary(fragment) == "More than 4 changes, page 2." and "Created" in fragment
