"""The monthly audit templates, versioned, as data.

Why a data file rather than a form: a template's questions cite their sources and are
reviewed like code; a new version is a new entry (never an edit of a released one), so the
history of what each audit asked is in version control and every completed audit keeps the
version it used (its questions are copied onto the audit when it starts).

Sources: HSE, *Managing for health and safety* (HSG65) and the named regulations; the
Regulatory Reform (Fire Safety) Order 2005 and BS 5839-1 / BS 5266-1; the Children's Homes
(England) Regulations 2015 Schedule 4; the ICO's accountability framework (UK GDPR arts 5, 24,
30, 32, 33); seed 002 §7.1 for who does each audit and how often.
"""
from __future__ import annotations

from dataclasses import dataclass

from homes_qa.core.roles import Role


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    source: str
    needs_evidence: bool = False  # the comment must say what was seen (a record, a certificate)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class AuditTemplate:
    code: str
    version: int
    title: str
    rule_code: str  # the monthly rule it discharges (homes_qa/core/catalogue.py)
    conducted_by: tuple[str, ...]
    sections: tuple[Section, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def to_snapshot(self) -> list[dict]:
        return [{"code": s.code, "title": s.title, "questions": [
            {"code": q.code, "text": q.text, "source": q.source, "needs_evidence": q.needs_evidence}
            for q in s.questions]} for s in self.sections]


_MANAGER = (Role.REGISTERED_MANAGER,)
_SERVICE_MANAGER = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)

TEMPLATES: tuple[AuditTemplate, ...] = (
    AuditTemplate("health_safety", 1, "Health and safety audit", "hs_audit_monthly", _MANAGER, (
        Section("risk", "Risk assessment and arrangements", (
            Question("hs_ra_current", "Are the home's health and safety risk assessments reviewed in the last 12 "
                     "months and after any change?", "Management of Health and Safety at Work Regulations 1999 "
                     "reg 3; HSE HSG65", needs_evidence=True),
            Question("hs_ra_shared", "Have staff read and signed the current risk assessments?",
                     "HSE HSG65 (Do: communicate and consult)"),
            Question("hs_coshh", "Are hazardous substances listed with COSHH assessments and stored locked?",
                     "Control of Substances Hazardous to Health Regulations 2002 regs 6–7", needs_evidence=True),
        )),
        Section("premises", "Premises, water and first aid", (
            Question("hs_water", "Were this month's sentinel outlet temperatures recorded within range (hot at "
                     "least 50 °C in a minute, cold below 20 °C in two)?", "HSE HSG274 Part 2", needs_evidence=True),
            Question("hs_windows", "Are window restrictors in place and limiting openings to 100 mm or less?",
                     "HSE guidance on falls from windows"),
            Question("hs_first_aid", "Is the first aid kit stocked and is a trained first aider on each shift?",
                     "Health and Safety (First-Aid) Regulations 1981"),
            Question("hs_accidents", "Are accidents recorded and reportable ones reported under RIDDOR?",
                     "RIDDOR 2013", needs_evidence=True),
        )),
    )),
    AuditTemplate("fire", 1, "Fire safety audit", "fire_safety_monthly", _MANAGER, (
        Section("assessment", "Fire risk assessment", (
            Question("fire_fra_current", "Is the fire risk assessment reviewed in the last 12 months and after "
                     "changes?", "Regulatory Reform (Fire Safety) Order 2005 art 9", needs_evidence=True),
            Question("fire_fra_actions", "Are the fire risk assessment's actions done by their dates?",
                     "Regulatory Reform (Fire Safety) Order 2005 art 9; seed 002 §7.1 (actions tracked)"),
        )),
        Section("log", "Alarm, lighting, escape and drills", (
            Question("fire_weekly_tests", "Was the fire alarm tested every week this month, a different call point "
                     "each time, and logged?", "BS 5839-1; Children's Homes (England) Regulations 2015 Sch 4 "
                     "item 6", needs_evidence=True),
            Question("fire_lighting", "Was the monthly emergency lighting test done and logged?", "BS 5266-1"),
            Question("fire_escape", "Are escape routes clear and fire doors closing fully onto their frames?",
                     "Regulatory Reform (Fire Safety) Order 2005 art 14"),
            Question("fire_drill", "Has a drill been held this quarter, including night-time conditions in the "
                     "year, with deficiencies and remedies recorded?", "Children's Homes (England) Regulations "
                     "2015 Sch 4 item 6", needs_evidence=True),
        )),
    )),
    AuditTemplate("gdpr", 1, "GDPR compliance check", "gdpr_check_monthly", _SERVICE_MANAGER, (
        Section("accountability", "Accountability and records", (
            Question("gdpr_ropa", "Is the home's record of processing activities current?", "UK GDPR art 30; "
                     "ICO accountability framework (records of processing)"),
            Question("gdpr_retention", "Are children's records kept to the retention schedule (75 years from "
                     "birth)?", "Children's Homes (England) Regulations 2015 reg 36; UK GDPR art 5(1)(e)"),
            Question("gdpr_training", "Have all staff completed data protection training in the last year?",
                     "ICO accountability framework (training and awareness)", needs_evidence=True),
        )),
        Section("security", "Security, breaches and rights", (
            Question("gdpr_security", "Are paper records locked away and devices encrypted and locked?",
                     "UK GDPR art 32"),
            Question("gdpr_breaches", "Is every breach this month logged, and any reportable one reported to the "
                     "ICO within 72 hours?", "UK GDPR art 33", needs_evidence=True),
            Question("gdpr_sar", "Were subject access requests answered within one month?", "UK GDPR art 12(3)"),
        )),
    )),
    AuditTemplate("statutory_checks", 1, "Statutory check review", "statutory_check_review_monthly",
                  _SERVICE_MANAGER, (
        Section("register", "The certificate register", (
            Question("stat_in_date", "Is every certificate that applies to the home in date?", "Seed 002 §7.1 "
                     "(statutory check review: central record of all statutory compliance checks)",
                     needs_evidence=True),
            Question("stat_due_soon", "Are renewals due in the next two months booked?", "Seed 002 §7.1"),
            Question("stat_not_applicable", "Is each check marked as not applying still right for the home (no "
                     "gas supply, no hoist)?", "Seed 002 §7.1"),
        )),
        Section("follow_up", "Follow-up", (
            Question("stat_remedials", "Are remedial works from certificates (for example EICR C2 codes) done?",
                     "IET Guidance Note 3; Gas Safety (Installation and Use) Regulations 1998 reg 36",
                     needs_evidence=True),
            Question("stat_evidence", "Is each certificate's file attached in the register?", "Seed 002 §7.1"),
        )),
    )),
)


def latest(code: str) -> AuditTemplate | None:
    versions = [t for t in TEMPLATES if t.code == code]
    return max(versions, key=lambda t: t.version) if versions else None


def latest_templates() -> list[AuditTemplate]:
    codes = dict.fromkeys(t.code for t in TEMPLATES)
    return [t for t in (latest(code) for code in codes) if t is not None]
