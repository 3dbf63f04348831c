"""Who may draft, write and read the QPAG monthly report.

The report is the residential service managers' joint report to QPAG (seed 002 §8.2), for the
whole service: service managers draft, comment on and finalise it, and the head of service (who
chairs QPAG, §8.8) does too. It gathers Reg 44 findings and escalations across every home, so it
is for management only: registered managers, visitors, home staff and administrators are refused
(403), as they are from the QPAG action tracker.
"""
from __future__ import annotations

from flask import abort

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.qpag_report.models import QpagReport

AUTHORS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
READERS = AUTHORS


def can_write(role: str) -> bool:
    return role in AUTHORS


def report_or_404(report_id: int) -> QpagReport:
    """The report is service-wide: every reader may see every version; a missing one is 404."""
    report = db.session.get(QpagReport, report_id)
    if report is None:
        abort(404)
    return report
