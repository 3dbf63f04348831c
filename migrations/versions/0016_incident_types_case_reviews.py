"""incidents: event types the organisation adds, the QA case review after a need-to-know; the
old overlapping notification rules retired

Revision ID: 0016
Revises: 0015 (re-chained at merge)
Create Date: 2026-12-01 15:00:00

- incident_event_types: an administrator's own event types (name, notifiable by default, the
  incident rules it starts, source). Built-in types stay in homes_qa/core/incidents.py.
- incidents.type_name: the organisation's type's name as it was when the event was recorded.
- incident_case_reviews: QA's case review of a need-to-know (seed 004), one per event.
- Retired rules (need_to_know_24h, reg40_notification, lado_referral, ico_breach_72h,
  sar_response; the incident_* rules replace them): their open obligations are waived with the
  reason (never deleted: their alerts and every audit event stay as history, and a waived
  obligation is listed and counted nowhere as outstanding); a retired rule with no obligation
  at all is deleted, one that has history is kept switched off and marked retired.
"""
import sqlalchemy as sa
from alembic import op

from homes_qa.spine.timestamps import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

RETIRED = ("need_to_know_24h", "reg40_notification", "lado_referral", "ico_breach_72h", "sar_response")
REASON = "Rule retired: replaced by the incident notification rules (incident_*), migration 0016"


def upgrade():
    op.create_table(
        "incident_event_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("notifiable_default", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("counts_from_event", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("code", name=op.f("uq_incident_event_types_code")),
        sa.UniqueConstraint("label", name=op.f("uq_incident_event_types_label")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type_name", sa.String(120), nullable=True))
    op.create_table(
        "incident_case_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("home_id", sa.Integer(), sa.ForeignKey("homes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("incident_id", name=op.f("uq_incident_case_reviews_incident_id")),
    )
    op.create_index("ix_incident_case_reviews_home_id", "incident_case_reviews", ["home_id"])

    connection = op.get_bind()
    codes = sa.bindparam("codes", expanding=True)
    connection.execute(sa.text(
        "UPDATE obligations SET status = 'waived', waived_reason = :reason "
        "WHERE status = 'open' AND rule_code IN :codes").bindparams(codes), {"reason": REASON, "codes": list(RETIRED)})
    connection.execute(sa.text(
        "DELETE FROM rules WHERE code IN :codes AND id NOT IN (SELECT rule_id FROM obligations)").bindparams(codes),
        {"codes": list(RETIRED)})
    connection.execute(sa.text(
        "UPDATE rules SET active = :off, notes = :note WHERE code IN :codes").bindparams(codes),
        {"off": False, "note": REASON, "codes": list(RETIRED)})


def downgrade():
    # The retired rules come back from the catalogue of the code that is running (sync_catalogue);
    # waived obligations stay waived.
    op.drop_index("ix_incident_case_reviews_home_id", table_name="incident_case_reviews")
    op.drop_table("incident_case_reviews")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("type_name")
    op.drop_table("incident_event_types")
