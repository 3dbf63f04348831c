"""The default check types of the certificate register, as data.

Each names the rule (homes_qa/core/catalogue.py) that holds its interval, its source and its
escalation, so one table says how often a check falls due; administrators edit the interval on
the rules page and add further types in the app. Intervals and sources: ../shared/domain.md,
"Typical statutory and H&S checks"; insurance and Ofsted registration are rules of their own.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultType:
    code: str
    title: str
    rule_code: str
    applies_by_default: bool = True
    applies_hint: str = ""


DEFAULT_TYPES: tuple[DefaultType, ...] = (
    DefaultType("gas_safety", "Gas safety certificate", "gas_safety_check",
                applies_hint="Only where the home has a gas supply or gas appliances."),
    DefaultType("eicr", "Electrical installation condition report (EICR)", "eicr"),
    DefaultType("fire_alarm_service", "Fire alarm service", "fire_alarm_service"),
    DefaultType("extinguishers", "Fire extinguisher service", "fire_extinguisher_service"),
    DefaultType("emergency_lighting_annual", "Emergency lighting annual (full-duration) test",
                "emergency_lighting_annual"),
    DefaultType("fire_risk_assessment", "Fire risk assessment", "fire_risk_assessment_review"),
    DefaultType("legionella", "Legionella risk assessment", "legionella_risk_assessment"),
    DefaultType("pat", "Portable appliance testing (PAT)", "pat_testing"),
    DefaultType("loler", "LOLER thorough examination (hoists)", "loler_examination", applies_by_default=False,
                applies_hint="Only where the home has a hoist or other equipment for lifting people."),
    DefaultType("insurance", "Insurance certificate", "insurance_renewal"),
    DefaultType("ofsted_registration", "Ofsted registration", "ofsted_registration_check"),
)
