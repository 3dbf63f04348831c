"""SQLAlchemy models, one module per aggregate. Import here so Alembic sees every table."""
from .audit import AuditEvent, Audited, acting_as  # noqa: F401
from .people import Assignment, Home, HomeStatus, Role, User  # noqa: F401
