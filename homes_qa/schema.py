"""Every model module, imported by create_app so SQLAlchemy and Alembic see every table.

Each area keeps its models in its own package; this is the one place that lists them all.
"""
import homes_qa.actionplans.models
import homes_qa.admin.models  # Reg 43 independence declarations (issue 12)
import homes_qa.audits.models  # monthly audits (issue 9)
import homes_qa.checks.models  # certificate register and fire log (issue 9)
import homes_qa.exceptions.models  # monthly KPIs entered per home (issue 11)
import homes_qa.feedback.models
import homes_qa.incidents.models
import homes_qa.inspections.models
import homes_qa.jobs.models
import homes_qa.qpag_report.models  # the QPAG monthly report (issue 11)
import homes_qa.reg44.models
import homes_qa.reg45.models
import homes_qa.spine.alerts.models
import homes_qa.spine.audit.models
import homes_qa.spine.mail.models
import homes_qa.spine.obligations.models
import homes_qa.spine.people.models
import homes_qa.spine.rules.models  # noqa: F401
