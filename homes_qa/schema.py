"""Every model module, imported by create_app so SQLAlchemy and Alembic see every table.

Each area keeps its models in its own package; this is the one place that lists them all."""
from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse, PlanStatus  # noqa: F401
from homes_qa.feedback.models import FeedbackAudience, FeedbackRequest, FeedbackResponse  # noqa: F401
from homes_qa.jobs.models import SchedulerLease  # noqa: F401
from homes_qa.reg44.models import (  # noqa: F401
    Distribution,
    Opinion,
    Reg44Recommendation,
    Reg44Report,
    Reg44Visit,
    ReportStatus,
    VisitStatus,
)
from homes_qa.reg45.models import Reg45Review  # noqa: F401
from homes_qa.spine.alerts.models import Alert  # noqa: F401
from homes_qa.spine.audit.models import Audited, AuditEvent, acting_as  # noqa: F401
from homes_qa.spine.mail.models import OutboundEmail  # noqa: F401
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus  # noqa: F401
from homes_qa.spine.rules.models import Rule, RuleScope  # noqa: F401
