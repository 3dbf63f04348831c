"""Young people's and professionals' feedback gathered before each Reg 44 visit (seed 002 §7.1).

A request is a link that needs no account: the token is 32 random bytes (urlsafe), only its
sha256 is stored, it expires (14 days by default) and it works once. The visit's "feedback
gathered" obligation for an audience (rules `young_people_feedback_pre_visit` and
`professional_feedback_pre_visit`, key `visit:<id>`) is met when the first answers arrive
(through a link, or entered for a young person), not when links are made; or the QA lead
(head of service) records that none came, with the reason, which closes it as waived.

Who sees what (decisions, enforced here and used by the routes):
- Requests are made by the home's registered manager or by the QA team (head of service).
  For an UNANNOUNCED visit that is still planned, home staff must not learn of it (reg 44(3)):
  a registered manager can neither see nor create requests for it; only the QA team can.
- Responses are read by the visitor of the visit, service managers and heads of service.
  A registered manager sees only responses NOT marked anonymous: an anonymous young person's
  (or professional's) individual answers must not reach the staff who care for them.
  Administrators (IT/business support) do not see children's answers at all.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from homes_qa.extensions import db
from homes_qa.feedback.models import FeedbackAudience, FeedbackRequest, FeedbackResponse
from homes_qa.feedback.policy import can_record_none, can_request
from homes_qa.feedback.queries import RULE_FOR_AUDIENCE
from homes_qa.feedback.questions import PROFESSIONAL_ROLES, QUESTIONS
from homes_qa.reg44.models import Reg44Visit, VisitStatus
from homes_qa.spine import signals
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

TOKEN_BYTES = 32
DEFAULT_EXPIRY_DAYS = 14
MAX_LINKS_AT_ONCE = 20
MAX_TEXT = 2000



# --------------------------------------------------------------------------- the questionnaires


def clean_answers(audience: str, answers: dict) -> dict:
    """The answers, checked against the questionnaire. Raises ServiceError on the first problem."""
    if audience not in QUESTIONS:
        raise ServiceError("Choose who the feedback is from", "audience")
    cleaned: dict[str, str] = {}
    for question in QUESTIONS[audience]:
        value = (answers.get(question.key) or "").strip()
        if question.choices:
            if value and value not in dict(question.choices):
                raise ServiceError("Select one of the options", question.key)
        elif len(value) > MAX_TEXT:
            raise ServiceError(f"Answer must be {MAX_TEXT} characters or fewer", question.key)
        if question.required and not value:
            raise ServiceError("Select an answer" if question.choices else "Enter an answer", question.key)
        cleaned[question.key] = value
    if not any(cleaned.values()):
        raise ServiceError("Answer at least one question")
    return cleaned


# --------------------------------------------------------------------------- who may do what


# --------------------------------------------------------------------------- links


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class IssuedLink:
    request: FeedbackRequest
    token: str  # shown once to the person who made it; never stored


def _discharge(visit: Reg44Visit, audience: str, record, now: datetime) -> None:
    obligations.discharge_by_key(RULE_FOR_AUDIENCE[audience], visit.home, f"visit:{visit.id}",
                                 record=record, met_at=now)


@transactional
def create_links(visit: Reg44Visit, *, audience: str, label: str = "", count: int = 1, by: User,
                 now: datetime | None = None, expires_in_days: int = DEFAULT_EXPIRY_DAYS) -> list[IssuedLink]:
    """Make `count` single-use links for one audience; the tokens are returned, only hashes kept."""
    now = now or utcnow()
    if not can_request(by, visit):
        raise ServiceError("You cannot ask for feedback for this visit")
    if audience not in QUESTIONS:
        raise ServiceError("Select who the feedback is from", "audience")
    if not 1 <= count <= MAX_LINKS_AT_ONCE:
        raise ServiceError(f"Number of links must be between 1 and {MAX_LINKS_AT_ONCE}", "count")
    if not 1 <= expires_in_days <= 60:
        raise ServiceError("Links must expire within 1 to 60 days", "expires_in_days")
    label = (label or "").strip()
    if len(label) > 150:
        raise ServiceError("Who the link is for must be 150 characters or fewer", "label")
    issued = []
    for number in range(1, count + 1):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        request = FeedbackRequest(
            visit_id=visit.id, home_id=visit.home_id, audience=audience, token_hash=hash_token(token),
            label=(f"{label} ({number} of {count})" if count > 1 and label else
                   label or f"{FeedbackAudience.LABELS[audience]} link {number}")[:200],
            expires_at=now + timedelta(days=expires_in_days), created_by_id=by.id, created_at=now)
        db.session.add(request)
        issued.append(IssuedLink(request, token))
    db.session.flush()
    return issued


class LinkProblem(Exception):
    """Why a link cannot be answered: 'unknown', 'used', 'expired' or 'closed'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def request_for_token(token: str, now: datetime | None = None) -> FeedbackRequest:
    """The open request behind a link, or LinkProblem saying why it cannot be used."""
    now = now or utcnow()
    if not token or not 20 <= len(token) <= 100:
        raise LinkProblem("unknown")
    request = db.session.scalar(select(FeedbackRequest).where(FeedbackRequest.token_hash == hash_token(token)))
    if request is None:
        raise LinkProblem("unknown")
    if request.used_at is not None:
        raise LinkProblem("used")
    if request.expires_at <= now:
        raise LinkProblem("expired")
    visit = db.session.get(Reg44Visit, request.visit_id)
    if visit is None or visit.status == VisitStatus.CANCELLED:
        raise LinkProblem("closed")
    return request


@transactional
def submit_via_link(token: str, answers: dict, *, anonymous: bool, respondent: str = "",
                    now: datetime | None = None) -> FeedbackResponse:
    """Answer through a link. Single use even under concurrent submits (conditional UPDATE)."""
    now = now or utcnow()
    request = request_for_token(token, now)
    cleaned = clean_answers(request.audience, answers)
    respondent = _respondent(request.audience, cleaned, anonymous, respondent)
    with acting_as("feedback link (no account)"):
        claimed = cast(CursorResult[Any], db.session.execute(
            update(FeedbackRequest)
            .where(FeedbackRequest.id == request.id, FeedbackRequest.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)))
        if claimed.rowcount != 1:
            raise LinkProblem("used")  # the unit of work rolls back
        response = FeedbackResponse(visit_id=request.visit_id, home_id=request.home_id, request_id=request.id,
                                    audience=request.audience, answers=cleaned, anonymous=anonymous,
                                    respondent=respondent, submitted_at=now)
        db.session.add(response)
        db.session.flush()  # audited as the link, not as whoever commits
        visit = db.session.get(Reg44Visit, request.visit_id)
        assert visit is not None  # request_for_token checked it
        _discharge(visit, request.audience, response, now)  # the answers have arrived
        _safeguarding_signal(response, now)
    return response


def _respondent(audience: str, answers: dict, anonymous: bool, respondent: str) -> str:
    respondent = (respondent or "").strip()
    if len(respondent) > 120:
        raise ServiceError("Name must be 120 characters or fewer", "respondent")
    if anonymous:
        return ""
    if audience == FeedbackAudience.PROFESSIONAL:
        role = dict(PROFESSIONAL_ROLES).get(answers.get("role", ""), "")
        return f"{respondent} ({role})" if respondent else role
    return respondent


@transactional
def enter_for_young_person(visit: Reg44Visit, answers: dict, *, anonymous: bool, respondent: str = "",
                           by: User, now: datetime | None = None) -> FeedbackResponse:
    """Staff type in a young person's answers for them (entered_by set)."""
    now = now or utcnow()
    if not can_request(by, visit):
        raise ServiceError("You cannot record feedback for this visit")
    audience = FeedbackAudience.YOUNG_PERSON
    cleaned = clean_answers(audience, answers)
    response = FeedbackResponse(visit_id=visit.id, home_id=visit.home_id, request_id=None, audience=audience,
                                answers=cleaned, anonymous=anonymous,
                                respondent=_respondent(audience, cleaned, anonymous, respondent),
                                entered_by_id=by.id, submitted_at=now)
    db.session.add(response)
    db.session.flush()
    _discharge(visit, audience, response, now)
    _safeguarding_signal(response, now)
    return response


MIN_REASON, MAX_REASON = 10, 2000


@transactional
def record_none_received(visit: Reg44Visit, *, audience: str, reason: str, by: User,
                         now: datetime | None = None) -> Obligation:
    """The QA lead records that no feedback came from one audience before the visit, and why.

    Closes that audience's obligation as waived with the reason (kept in the audit trail).
    """
    if not can_record_none(by, visit):
        raise ServiceError("Only the QA lead can record that no feedback came")
    if audience not in RULE_FOR_AUDIENCE:
        raise ServiceError("Select whose feedback did not come", "audience")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError(f"Enter why no feedback came, in at least {MIN_REASON} characters", "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    obligation = obligations.find(RULE_FOR_AUDIENCE[audience], visit.home, f"visit:{visit.id}")
    if obligation is None or not obligation.is_open:
        raise ServiceError(f"{FeedbackAudience.LABELS[audience]}'s feedback for this visit is already closed",
                           "audience")
    return obligations.waive(obligation, reason=f"No feedback came: {reason}", by=by)


def _safeguarding_signal(response: FeedbackResponse, now: datetime) -> None:
    """A young person who answers that they do not feel safe raises an alert at once (spine.signals)."""
    if response.audience == FeedbackAudience.YOUNG_PERSON and response.answers.get("feel_safe") == "no":
        home = db.session.get(Home, response.home_id)
        if home is not None:
            signals.raise_signal(home, now, key=f"feedback:{response.id}", subject=response,
                                 label=f"a young person said they do not feel safe ({now:%d %b %Y})")


# --------------------------------------------------------------------------- summaries (Reg 45)


