"""Command-line commands: `flask create-user`, `flask seed-demo`."""
from __future__ import annotations

import click

from homes_qa.core.roles import ROLES
from homes_qa.demo import DEMO_PASSWORD, load_demo
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.transaction import ServiceError


def register(app) -> None:
    @app.cli.command("create-user")
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.option("--role", required=True, type=click.Choice(ROLES))
    @click.password_option("--password", help="At least 12 characters")
    def create_user(name, email, role, password):
        """Create an account from the command line."""
        with acting_as("cli: create-user"):
            try:
                user = people.create_user(name=name, email=email, role=role, password=password)
            except ServiceError as error:
                raise click.ClickException(error.message) from None
        click.echo(f"Created {user.role_label} {user.name} <{user.email}>")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo organisation into an empty database and print the sign-in details."""
        credentials = load_demo()
        if credentials is None:
            click.echo("Database already has users: demo data not loaded.")
            click.echo(f"(Demo accounts, if loaded earlier, use the password: {DEMO_PASSWORD})")
            return
        width = max(len(email) for _, email, _ in credentials)
        click.echo("")
        click.echo(f"Demo organisation loaded. Every demo account's password is: {DEMO_PASSWORD}")
        for role, email, homes in credentials:
            click.echo(f"  {email:<{width}}  {role} — {homes}")
        click.echo("")

    # ---- backup and restore (issue 13) ----
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def backup_command(path):
        """Copy the whole database to PATH while the app runs (SQLite online backup; pg_dump)."""
        from homes_qa.extensions import db
        from homes_qa.spine import backup
        try:
            backup.backup(db.engine, path)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        prints = backup.fingerprint(db.engine)
        click.echo(f"Backed up {len(prints)} tables, {sum(p.rows for p in prints.values())} rows, to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation")
    def restore_command(path, yes):
        """Replace the whole database with the backup at PATH (stop the app and scheduler first)."""
        from homes_qa.extensions import db
        from homes_qa.spine import backup
        if not yes:
            click.confirm(f"Replace every record in {db.engine.url.render_as_string(hide_password=True)} "
                          f"with the backup {path}?", abort=True)
        try:
            backup.restore(db.engine, path)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        prints = backup.fingerprint(db.engine)
        click.echo(f"Restored {len(prints)} tables, {sum(p.rows for p in prints.values())} rows, from {path}")
