"""The kinds of QA review the QA lead (head of service) commissions, as data (seed 002).

- dip sample: in a named area of the service, requested every other month (§8.5; §7.1 "Dip
  sampling"); the results go to the next QPAG meeting.
- thematic review: ad hoc, on themes from data, audits, complaints or legislation (§4.4, §8.2
  "thematic reviews carried out in the past month").
- full audit: against the regulations and SCCIF, "normally completed when a new manager has
  taken over the home or when there are concerns" (§7.1 "Scheduled full audit").
"""
from __future__ import annotations

from dataclasses import dataclass

SEED = "Seed 002_ab3e3b0f66cfcef1.txt"


@dataclass(frozen=True)
class ReviewKind:
    code: str
    label: str
    missing_area: str  # the message when the "area or theme" field is left empty
    source: str


DIP_SAMPLE = "dip_sample"
THEMATIC = "thematic"
FULL_AUDIT = "full_audit"

REVIEW_KINDS: tuple[ReviewKind, ...] = (
    ReviewKind(DIP_SAMPLE, "Dip sample", "Enter the area of the service to sample",
               f"{SEED} §8.5 (every other month, in a given area); §7.1 (Dip sampling)"),
    ReviewKind(THEMATIC, "Thematic review", "Enter the theme of the review", f"{SEED} §4.4 (focused thematic audit); §8.2"),
    ReviewKind(FULL_AUDIT, "Full audit", "Enter why the full audit is needed (a new manager, concerns)",
               f"{SEED} §7.1 (Scheduled full audit: a new manager or concerns)"),
)

FINDING_RAGS = {"red": "Red", "amber": "Amber", "green": "Green"}


def review_kind(code: str) -> ReviewKind | None:
    return next((k for k in REVIEW_KINDS if k.code == code), None)
