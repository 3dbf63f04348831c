"""reg44: reports returned for corrections; statutory copies due with the check-and-send

Revision ID: 0008
Revises: 0007 (re-chained at merge)
Create Date: 2026-12-01 12:30:00

- reg44_reports.returned_by_id / returned_at: a version the service manager sent back to the
  visitor for factual corrections (its reason is the new version's correction_reason).
- The rule `reg44_report_statutory` still at its old default ("end of the month of the visit",
  a reading no source gives) moves to the new default, 22 working days after the visit (with the
  local check-and-send; domain.md [verify]). A rule an administrator has changed is left alone.
  Open statutory obligations due before their visit's check-and-send deadline move to it.
"""
import json

import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

RULE = "reg44_report_statutory"
OLD_TIMING = {"kind": "end_of_month"}
NEW_TIMING = {"kind": "working_days", "amount": 22}
NEW_SOURCE = ("Children's Homes (England) Regulations 2015, reg 44(7) (the independent person provides the "
              "copies; no deadline in reg 44(1)–(7)); due with Seed 002_ab3e3b0f66cfcef1.txt §7.1's "
              "check-and-send (22 working days) [verify]")
OLD_SOURCE = ("Children's Homes (England) Regulations 2015, reg 44(7); end of month is the common reading "
              "[verify]")


def upgrade():
    with op.batch_alter_table("reg44_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("returned_at", homes_qa.spine.timestamps.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_reg44_reports_returned_by_id_users"), "users",
                                    ["returned_by_id"], ["id"])

    bind = op.get_bind()
    rules = sa.table("rules", sa.column("code", sa.String), sa.column("timing", sa.JSON),
                     sa.column("source", sa.Text))
    row = bind.execute(sa.select(rules.c.timing).where(rules.c.code == RULE)).first()
    if row is not None:
        timing = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        if timing == OLD_TIMING:
            bind.execute(rules.update().where(rules.c.code == RULE).values(timing=NEW_TIMING, source=NEW_SOURCE))
    obligations = sa.table("obligations", sa.column("id", sa.Integer), sa.column("rule_code", sa.String),
                           sa.column("scope_key", sa.String), sa.column("period_key", sa.String),
                           sa.column("status", sa.String), sa.column("due_at", sa.DateTime))
    statutory = obligations.alias("statutory")
    sent = obligations.alias("sent")
    pairs = bind.execute(
        sa.select(statutory.c.id, sent.c.due_at)
        .join(sent, (sent.c.scope_key == statutory.c.scope_key) & (sent.c.period_key == statutory.c.period_key))
        .where(statutory.c.rule_code == RULE, sent.c.rule_code == "reg44_report_sent",
               statutory.c.status == "open", statutory.c.due_at < sent.c.due_at)).all()
    for obligation_id, due_at in pairs:
        bind.execute(obligations.update().where(obligations.c.id == obligation_id).values(due_at=due_at))


def downgrade():
    bind = op.get_bind()
    rules = sa.table("rules", sa.column("code", sa.String), sa.column("timing", sa.JSON),
                     sa.column("source", sa.Text))
    row = bind.execute(sa.select(rules.c.timing).where(rules.c.code == RULE)).first()
    if row is not None:
        timing = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        if timing == NEW_TIMING:
            bind.execute(rules.update().where(rules.c.code == RULE).values(timing=OLD_TIMING, source=OLD_SOURCE))
    with op.batch_alter_table("reg44_reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reg44_reports_returned_by_id_users"), type_="foreignkey")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_by_id")
