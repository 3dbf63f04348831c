"""The header's navigation is worked out once per role and page (issue 13), and each request
gets its own copy: the layout writes the person's alert badge into the Alerts item, which must
never show on someone else's page."""
from __future__ import annotations

import pytest
from flask_login import login_user

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.people.models import User

pytestmark = pytest.mark.usefixtures("clock")


def _navigation(app, user_id: int, path: str) -> list[dict]:
    with app.test_request_context(path):
        from flask import request
        request.url_rule, request.view_args = app.url_map.bind("localhost").match(path, return_rule=True)
        login_user(db.session.get(User, user_id))
        context: dict = {}
        for processor in app.template_context_processors[None]:
            context.update(processor())
        return context["navigation"]


def test_each_request_gets_its_own_navigation_for_its_role_and_page(app, world, monkeypatch):
    import homes_qa.web.templating as templating
    built = []
    real_url_for = templating.url_for
    monkeypatch.setattr(templating, "url_for", lambda *a, **k: built.append(a) or real_url_for(*a, **k))
    manager, head = world.users[Role.REGISTERED_MANAGER].id, world.users[Role.HEAD_OF_SERVICE].id
    with app.app_context():
        first = _navigation(app, manager, "/alerts/")
        first[[item["text"] for item in first].index("Alerts")]["html"] = "Alerts 3"  # as the layout does
        again = _navigation(app, manager, "/alerts/")
        assert all("html" not in item for item in again)  # a fresh copy, not the one written to
        assert [item["text"] for item in again if item["active"]] == ["Alerts"]
        assert len(built) == len(first)  # worked out once for the role and the page
        on_homes = _navigation(app, manager, "/homes/")
        assert [item["text"] for item in on_homes if item["active"]] == ["Homes"]
        senior = _navigation(app, head, "/homes/")
        assert "More" in [item["text"] for item in senior] and "More" not in [i["text"] for i in on_homes]
