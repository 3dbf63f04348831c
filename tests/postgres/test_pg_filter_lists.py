"""On PostgreSQL: the audit trail's bounded count and the filter lists read on the session's
connection (issue 13), through the pages a head of service opens."""
import re

from homes_qa.audit import routes as audit_routes
from homes_qa.core.roles import ROLE_LABELS
from homes_qa.exceptions import queries
from tests.postgres.test_pg_access import _sign_in


def test_audit_count_is_bounded_and_filter_lists_are_listed_on_postgres(pg_world, pg_client, monkeypatch):
    w = pg_world
    listed = queries.people_in_scope(w.head)
    assert (w.manager.id, f"{w.manager.name} ({ROLE_LABELS[w.manager.role]})") in listed
    assert w.admin.id not in [person_id for person_id, _ in listed]
    assert _sign_in(pg_client, w.head.email).status_code == 303
    monkeypatch.setattr(audit_routes, "PAGE_SIZE", 1)
    monkeypatch.setattr(audit_routes, "COUNTED_UP_TO", 2)
    page = pg_client.get(f"/audit/?person={w.admin.id}").get_data(as_text=True)
    first = pg_client.get("/audit/").get_data(as_text=True)
    assert "More than 2 changes, page 1." in first
    assert re.search(r"\d+ changes, page 3 of \d+\.", pg_client.get("/audit/?page=3").get_data(as_text=True))
    assert f'<option value="{w.birch.id}">Birch House</option>' in first
    assert f'<option value="{w.admin.id}" selected>' in page
    grid = pg_client.get(f"/exceptions/?home={w.birch.id}").get_data(as_text=True)
    assert f'<option value="{w.birch.id}" selected>Birch House</option>' in grid
    assert f'<option value="{w.manager.id}">{w.manager.name} ({ROLE_LABELS[w.manager.role]})</option>' in grid


def test_the_action_list_statements_run_on_postgres(pg_world, pg_client):
    """The action list's statements, built once per shape with the day, home, owner pattern and
    limit bound (and each source ordered worst first in SQL), answer on PostgreSQL too."""
    w = pg_world
    assert _sign_in(pg_client, w.head.email).status_code == 303
    for query in ("", "?page=2", "?status=all", "?status=completed&source=audit", f"?home={w.birch.id}&overdue=1",
                  "?owner=50%25_off%5C&status=all", "?source=qpag&status=all"):
        response = pg_client.get(f"/actions{query}")
        assert response.status_code == 200, query
        assert 'id="action-count"' in response.get_data(as_text=True)
    assert pg_client.get("/actions/export.csv?status=all").status_code == 200


def test_a_home_found_by_part_of_its_name_on_postgres(pg_world, pg_client):
    """The home box (past 40 homes): LIKE with the user's % and _ taken literally, any case, the
    exact name first, on PostgreSQL too."""
    from homes_qa.extensions import db
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    from homes_qa.web.home_filter import SELECT_MAX
    w = pg_world
    with acting_as("test setup"):
        for n in range(SELECT_MAX):
            people.create_home(name=f"Larch {n:02d}", ofsted_urn=f"SC5{n:05d}", address="Larch Road", registered_places=2)
        people.create_home(name="Larch_%", ofsted_urn="SC599999", address="Wild Road", registered_places=2)
        db.session.commit()
    assert _sign_in(pg_client, w.head.email).status_code == 303
    assert 'value="Birch House"' in pg_client.get("/actions?home_name=bIRCH").get_data(as_text=True)
    assert 'value="Larch_%"' in pg_client.get("/exceptions/?home_name=h_%25").get_data(as_text=True)
    assert "Choose one" in pg_client.get("/audit/?home_name=Larch%201").get_data(as_text=True)
    assert pg_client.get("/homes/names?home_name=larch").get_data(as_text=True).count("<option") == 10
