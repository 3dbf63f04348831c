"""Incident and notification types as data: what each kind of event needs, and who must be told.

Each type lists the rules (homes_qa/core/catalogue.py, `INCIDENT_RULES`) it always starts, and
the Regulation 40 paragraph it falls under when it is one. The manager's "is this notifiable, and
under which paragraph?" decision adds that paragraph's recipients (Ofsted asks providers not to
over-notify, so for types other than the Reg 40 ones it is the manager's call). Sources: domain.md
("Statute and inspection facts", "Data protection") and seed 002 §7.1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HMCI = "incident_reg40_hmci"
PLACING_AUTHORITY = "incident_reg40_placing_authority"
OTHER_RELEVANT = "incident_reg40_other_relevant"
NTK_SERVICE_MANAGER = "incident_ntk_service_manager"
NTK_HEAD_OF_SERVICE = "incident_ntk_head_of_service"
ICO = "incident_ico_breach"

# Who each Regulation 40 paragraph must be notified to (domain.md, "Statute and inspection facts").
PARAGRAPHS: dict[str, tuple[str, tuple[str, ...]]] = {
    "40(1)": ("Regulation 40(1): death of a child", (
        HMCI, PLACING_AUTHORITY, "incident_reg40_secretary_of_state", "incident_reg40_home_local_authority",
        "incident_reg40_icb", "incident_reg40_ppo", OTHER_RELEVANT)),
    "40(3)": ("Regulation 40(3): referral of a person working at the home to the DBS",
              (HMCI, PLACING_AUTHORITY, OTHER_RELEVANT)),
    "40(4)(a)": ("Regulation 40(4)(a): a child involved or suspected of being involved in sexual exploitation",
                 (HMCI, PLACING_AUTHORITY, OTHER_RELEVANT)),
    "40(4)(b)": ("Regulation 40(4)(b): an incident requiring police involvement that is serious",
                 (HMCI, PLACING_AUTHORITY, OTHER_RELEVANT)),
    "40(4)(c)": ("Regulation 40(4)(c): an allegation of abuse against the home or a person working there",
                 (HMCI, PLACING_AUTHORITY, OTHER_RELEVANT)),
    "40(4)(d)": ("Regulation 40(4)(d): a child protection enquiry (first stage: its start)",
                 (HMCI, PLACING_AUTHORITY, OTHER_RELEVANT)),
}


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    rules: tuple[str, ...]  # always started by this type (besides any Reg 40 paragraph's)
    paragraph: str | None = None  # the Reg 40 paragraph it is, when it is one
    counts_from_event: bool = False  # the clocks run from when it happened (restraint), not awareness
    source: str = ""
    notifiable_default: bool = False  # an organisation's type: usually notifiable under Regulation 40
    custom: bool = False  # added by the organisation as data (incidents.models.IncidentEventType)

    @property
    def case_review(self) -> bool:
        """A need-to-know (it tells the service manager): QA is asked for a case review (seed 004)."""
        return NTK_SERVICE_MANAGER in self.rules


# Reg 40(4)(d): a child protection enquiry is notified in two stages, the outcome quoting
# Ofsted's reference from the first (domain.md, "Statute and inspection facts").
TWO_STAGE_PARAGRAPH = "40(4)(d)"
CP_OUTCOME_RULE = "incident_reg40_cp_outcome"

SAR = "subject_access_request"
SAR_RULE = "incident_sar_response"
# UK GDPR art. 12(3): the month may be extended by two further months where requests are complex
# or numerous; the requester is told within the first month, with the reasons.
SAR_EXTENSION_MONTHS = 2
SAR_EXTENSION_SOURCE = "UK GDPR art. 12(3); ICO guidance (extendable by two further months when complex)"

NEED_TO_KNOW = "need_to_know"
DATA_BREACH = "data_breach"

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(NEED_TO_KNOW, "Need-to-know", (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE),
              source="Seed 002 §7.1 (Need to know, LADO, notifications)"),
    EventType("reg40_death", "Death of a child (Regulation 40(1))", (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE),
              paragraph="40(1)", source="reg 40(1)"),
    EventType("reg40_dbs", "Referral of a person working at the home to the DBS (Regulation 40(3))",
              (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE), paragraph="40(3)", source="reg 40(3)"),
    EventType("reg40_exploitation", "Child involved or suspected in sexual exploitation (Regulation 40(4)(a))",
              (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE), paragraph="40(4)(a)", source="reg 40(4)(a)"),
    EventType("reg40_police", "Serious incident requiring police involvement (Regulation 40(4)(b))",
              (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE), paragraph="40(4)(b)", source="reg 40(4)(b)"),
    EventType("reg40_allegation", "Allegation of abuse against the home or staff (Regulation 40(4)(c))",
              (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE, "incident_lado"), paragraph="40(4)(c)",
              source="reg 40(4)(c); seed 002 §7.1 (LADO)"),
    EventType("reg40_child_protection", "Child protection enquiry (Regulation 40(4)(d))",
              (NTK_SERVICE_MANAGER, NTK_HEAD_OF_SERVICE), paragraph="40(4)(d)", source="reg 40(4)(d)"),
    EventType("lado_allegation", "Allegation against an adult working with children (LADO)",
              ("incident_lado", NTK_SERVICE_MANAGER), source="Seed 002 §7.1 (LADO within 24 hours)"),
    EventType("restraint", "Restraint or other measure of control (Regulation 35)",
              ("incident_restraint_record", "incident_restraint_staff_spoken", "incident_restraint_child_spoken"),
              counts_from_event=True, source="reg 35(3)"),
    EventType("missing", "Child missing from the home", (), source="Annex A (missing episodes); notifiable if "
              "serious under reg 40(4)(b)"),
    EventType("complaint", "Complaint", (), source="reg 39 (complaints record)"),
    EventType(DATA_BREACH, "Personal data breach", (), source="UK GDPR art. 33 (every breach logged)"),
    EventType("subject_access_request", "Subject access request", ("incident_sar_response",),
              source="UK GDPR art. 12(3)"),
)


# Seed 004: every need-to-know is followed by a QA case review (rule in core/catalogue.py).
CASE_REVIEW_RULE = "incident_qa_case_review"

# The triggers of the rules an organisation's own event type may start: the clocks that run from
# an event or from becoming aware of it (not the second stage of a child protection enquiry).
CHOOSABLE_TRIGGERS: tuple[str, ...] = (
    "incident_manager_aware", "serious_event_manager_aware", "allegation_manager_aware", "data_breach_aware",
    "sar_received", "restraint_used")
# Rules counted from when the event happened rather than from awareness (reg 35(3)).
FROM_EVENT_TRIGGERS: tuple[str, ...] = ("restraint_used",)
MAX_TYPE_RULES = 12


def event_type(code: str, extra: Iterable[EventType] = ()) -> EventType:
    """The built-in type `code`, or one of `extra` (the organisation's types); KeyError if neither."""
    for item in (*EVENT_TYPES, *extra):
        if item.code == code:
            return item
    raise KeyError(code)


def type_choices(extra: Iterable[EventType] = ()) -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in (*EVENT_TYPES, *extra)]


def required_rules(kind: EventType, *, notifiable: bool, paragraph: str | None,
                   ico_reportable: bool = False) -> tuple[str, ...]:
    """The rule codes (one obligation each) an event of this type and decision needs, in order, once each."""
    codes: list[str] = list(kind.rules)
    if notifiable and paragraph:
        codes += PARAGRAPHS[paragraph][1]
    if kind.code == DATA_BREACH and ico_reportable:
        codes.append(ICO)
    return tuple(dict.fromkeys(codes))
