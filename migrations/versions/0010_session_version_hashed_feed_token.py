"""sessions that end on the server; the calendar feed token stored hashed

Revision ID: 0010
Revises: 0008 (re-chained at merge)
Create Date: 2026-12-01 12:50:00

users.session_version is part of every session's user id ("id:version"): sign-out, a password
change and deactivation raise it, so an old cookie no longer signs anyone in. users.ical_token
now holds the sha256 (hex) of the feed secret: existing secrets are hashed in place, so the
addresses people already subscribed to keep working.
"""
import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("ical_token", sa.String))
    for user_id, token in bind.execute(sa.select(users.c.id, users.c.ical_token)
                                       .where(users.c.ical_token.is_not(None))).all():
        digest = hashlib.sha256(token.encode()).hexdigest()
        bind.execute(users.update().where(users.c.id == user_id).values(ical_token=digest))


def downgrade():
    # The secrets cannot be recovered from their hashes: every feed has to be issued again.
    bind = op.get_bind()
    users = sa.table("users", sa.column("ical_token", sa.String))
    bind.execute(users.update().values(ical_token=None))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
