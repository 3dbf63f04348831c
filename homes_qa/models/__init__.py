"""SQLAlchemy models, one module per aggregate. Import here so Alembic sees every table."""
from .audit import AuditEvent, Audited, acting_as  # noqa: F401
from .people import Assignment, Home, HomeStatus, Role, User  # noqa: F401
from .obligations import Alert, Completion, Obligation, ObligationStatus, Rule, RuleScope  # noqa: F401
from .mail import OutboundEmail, SchedulerLease  # noqa: F401
from .reg44 import (  # noqa: F401
    ActionPlan, ActionPlanResponse, Distribution, FeedbackAudience, FeedbackRequest, FeedbackResponse,
    Opinion, PlanStatus, Reg44Recommendation, Reg44Report, Reg44Visit, Reg45Review, ReportStatus, VisitStatus,
)
