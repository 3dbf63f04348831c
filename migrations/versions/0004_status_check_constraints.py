"""status columns hold only their enum's values (CHECK constraints)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 14:05:00

Each constraint is named ck_<table>_<column> and written as `<column> IN (...)`, exactly as
the models declare it (homes_qa.spine.constraints.one_of). The values are written out here,
not read from the enums, so this revision builds the same schema whatever the code says later;
tests/spine/test_status_constraints.py checks that the two agree. NULL passes a CHECK, so the
nullable opinions of an unfinished report stay allowed.

SQLite cannot add a constraint to a table: batch mode rebuilds each table (copy, drop, rename),
with foreign keys switched off around the migrations by env.py so no child row is touched.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


ROLES = ("registered_manager", "reg44_visitor", "service_manager", "head_of_service", "admin")
OPINIONS = ("yes", "no", "with_concerns")
AUDIENCES = ("young_person", "professional")

# table -> column -> the values allowed
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "homes": {"status": ("open", "temporarily_closed", "closed")},
    "users": {"role": ROLES},
    "rules": {"scope": ("home", "organisation")},
    "obligations": {"status": ("open", "met", "met_late", "waived")},
    "outbound_emails": {"status": ("pending", "sent", "failed")},
    "reg44_visits": {"status": ("planned", "recorded", "cancelled")},
    "reg44_reports": {"status": ("draft", "submitted"),
                      "safeguarded_opinion": OPINIONS,
                      "wellbeing_opinion": OPINIONS},
    "reg44_action_plans": {"status": ("draft", "submitted", "returned", "approved")},
    "reg44_action_plan_responses": {"decision": ("accept", "decline")},
    "feedback_requests": {"audience": AUDIENCES},
    "feedback_responses": {"audience": AUDIENCES},
    "reg45_reviews": {"status": ("draft", "completed")},
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), _in(column, values))


def downgrade():
    for table, columns in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
