"""Headers, error pages, the layout and the command line."""
import re

from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.people.models import Home, User


def test_security_headers_and_script_nonces(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = client.get("/homes/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]
    assert 'hx-headers="{&#34;X-CSRFToken&#34;: &#34;' in page  # htmx sends the token on every request


def test_layout_has_no_crown_and_names_the_organisation(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Test Council" in page and "Homes QA" in page
    assert "crown" not in page.lower() and "GOV.UK" not in page


def test_navigation_follows_role(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/").get_data(as_text=True)
    assert "Audit trail" not in page and "Manage homes" not in page
    assert client.get("/more").status_code == 403  # no grouped pages for a manager
    auth.sign_out()
    auth.sign_in(world.users[Role.ADMIN])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/more"' in page  # issue 12: the grouped pages are one header item, "More"
    page = client.get("/more").get_data(as_text=True)
    assert "Audit trail" in page and "Manage homes" in page and "Users" in page


def test_error_pages(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)
    assert "You do not have permission" in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/homes/{world.home_b.id}").status_code == 404
    assert client.get("/homes/999999").status_code == 404


def test_database_error_rolls_back_and_shows_500(app, client, world, auth, caplog):
    @app.route("/boom")
    def boom():  # a request that writes, then fails
        db.session.add(Home(name="Half", ofsted_urn="SC000000", address="x", registered_places=1))
        db.session.flush()
        raise RuntimeError("database went away")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert "database went away" in caplog.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Home).where(Home.name == "Half")) == 0


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "--name", "Sam Cole", "--email", "sam@example.org",
                                 "--role", "admin", "--password", "a-long-cli-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "sam@example.org")) == Role.ADMIN
    again = runner.invoke(args=["create-user", "--name", "Sam", "--email", "sam@example.org",
                                "--role", "admin", "--password", "a-long-cli-password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo_loads_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert "homes-qa-demo-2026" in first.output and "admin@demo.example.org" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Home.id))) == 6
    second = runner.invoke(args=["seed-demo"])
    assert "already has users" in second.output


def test_expired_form_under_htmx_reloads_the_page_with_a_message(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = client.post(f"/admin/users/{world.unassigned_manager.id}/active",
                           headers={"HX-Request": "true", "X-CSRFToken": "stale"})
    assert response.status_code == 400 and response.headers["HX-Refresh"] == "true"
    assert "This form had expired" in client.get("/").get_data(as_text=True)
