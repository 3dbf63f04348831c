"""Pre-visit feedback reads: the responses a user may read, the links made, and a summary."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback.models import FeedbackAudience, FeedbackRequest, FeedbackResponse
from homes_qa.feedback.policy import READERS, can_read
from homes_qa.feedback.questions import PROFESSIONAL_QUESTIONS, YOUNG_PERSON_QUESTIONS, answer_label
from homes_qa.reg44.models import Reg44Report, Reg44Visit, ReportStatus, VisitStatus
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow


def responses_for(user: User, visit: Reg44Visit) -> list[FeedbackResponse]:
    """The visit's responses this user may read, oldest first."""
    stmt = select(FeedbackResponse).where(FeedbackResponse.visit_id == visit.id)
    if user.role == Role.REGISTERED_MANAGER:
        # Home staff never see the individual answers of someone who asked to stay anonymous.
        stmt = stmt.where(FeedbackResponse.anonymous.is_(False))
    return list(db.session.scalars(stmt.order_by(FeedbackResponse.submitted_at, FeedbackResponse.id)))


def hidden_anonymous_count(user: User, visit: Reg44Visit) -> int:
    if user.role != Role.REGISTERED_MANAGER:
        return 0
    return db.session.scalar(select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.visit_id == visit.id, FeedbackResponse.anonymous.is_(True))) or 0


# Each audience's "feedback gathered before the visit" rule (key `visit:<id>`).
RULE_FOR_AUDIENCE: dict[str, str] = {
    FeedbackAudience.YOUNG_PERSON: "young_people_feedback_pre_visit",
    FeedbackAudience.PROFESSIONAL: "professional_feedback_pre_visit",
}


def gathered_states(visit: Reg44Visit) -> dict[str, Obligation]:
    """Each audience's pre-visit feedback obligation for the visit (one query), by audience."""
    rows = db.session.scalars(select(Obligation).where(
        Obligation.rule_code.in_(RULE_FOR_AUDIENCE.values()), Obligation.home_id == visit.home_id,
        Obligation.period_key == f"visit:{visit.id}"))
    by_rule = {o.rule_code: o for o in rows}
    return {audience: by_rule[code] for audience, code in RULE_FOR_AUDIENCE.items() if code in by_rule}


def requests_for(visit: Reg44Visit) -> list[FeedbackRequest]:
    return list(db.session.scalars(select(FeedbackRequest).where(FeedbackRequest.visit_id == visit.id)
                                   .order_by(FeedbackRequest.created_at, FeedbackRequest.id)))


def request_state(request: FeedbackRequest, now: datetime | None = None) -> str:
    now = now or utcnow()
    if request.used_at is not None:
        return "answered"
    if request.expires_at <= now:
        return "expired"
    return "waiting"


def summarise(responses: list[FeedbackResponse]) -> dict[str, Any]:
    """Counts and tallies across responses (no individual anonymous answers)."""
    summary: dict[str, Any] = {"young_people": 0, "professionals": 0, "feel_safe": {}, "communication": {},
               "child_helped": {}, "professional_concerns": 0, "quotes": []}
    for response in responses:
        answers = response.answers or {}
        if response.audience == FeedbackAudience.YOUNG_PERSON:
            summary["young_people"] += 1
            label = answer_label(YOUNG_PERSON_QUESTIONS[0], answers.get("feel_safe"))
            if label:
                summary["feel_safe"][label] = summary["feel_safe"].get(label, 0) + 1
            if not response.anonymous:
                for key in ("good", "better"):
                    if answers.get(key) and len(summary["quotes"]) < 6:
                        question = next(q for q in YOUNG_PERSON_QUESTIONS if q.key == key)
                        summary["quotes"].append({"question": question.text, "answer": answers[key][:300]})
        else:
            summary["professionals"] += 1
            for key in ("communication", "child_helped"):
                question = next(q for q in PROFESSIONAL_QUESTIONS if q.key == key)
                label = answer_label(question, answers.get(key))
                if label:
                    summary[key][label] = summary[key].get(label, 0) + 1
            if answers.get("concerns"):
                summary["professional_concerns"] += 1
    return summary


def visit_panel(user: User, visit: Reg44Visit) -> dict[str, str | int] | None:
    """For the visit page: the visit's feedback page address and response count, if the user may see it."""
    if not user.is_authenticated or user.role not in READERS or not can_read(user, visit):
        return None
    return {"href": url_for("feedback.visit_feedback", visit_id=visit.id),
            "count": len(responses_for(user, visit))}


# ---------------------------------------------------------------- the visitor's start page

def waiting_for_visitor(user: User, limit: int = 50) -> list[tuple[Reg44Visit, int]]:
    """The visitor's visits still to report on (planned, or recorded without a submitted report)
    that have feedback responses, with how many: feedback waiting to be read. One query."""
    submitted = select(Reg44Report.id).where(Reg44Report.visit_id == Reg44Visit.id,
                                             Reg44Report.status == ReportStatus.SUBMITTED).exists()
    rows = db.session.execute(
        select(Reg44Visit, func.count(FeedbackResponse.id))
        .join(FeedbackResponse, FeedbackResponse.visit_id == Reg44Visit.id)
        .where(Reg44Visit.visitor_id == user.id, Reg44Visit.status != VisitStatus.CANCELLED, ~submitted)
        .group_by(Reg44Visit.id).order_by(Reg44Visit.id).limit(limit))
    return [(visit, count) for visit, count in rows]
