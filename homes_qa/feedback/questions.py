"""The pre-visit questionnaires for young people and professionals, and how answers read."""
from __future__ import annotations

from dataclasses import dataclass

from homes_qa.feedback.models import FeedbackAudience


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # empty: free text
    required: bool = False
    hint: str = ""


YOUNG_PERSON_QUESTIONS = (
    Question("feel_safe", "Do you feel safe here?",
             (("yes", "Yes"), ("mostly", "Mostly"), ("no", "No")), required=True),
    Question("good", "What is good about living here?"),
    Question("better", "What would make it better?"),
    Question("tell_visitor", "Is there anything you want the visitor to know?",
             hint="The visitor is an independent person who checks how well children's homes look after "
                  "the young people who live there."),
)


PROFESSIONAL_ROLES = (("social_worker", "Social worker"), ("iro", "Independent reviewing officer (IRO)"),
                      ("other", "Other professional"))


PROFESSIONAL_QUESTIONS = (
    Question("role", "What is your role?", PROFESSIONAL_ROLES, required=True),
    Question("communication", "How good is the home's communication with you?",
             (("good", "Good"), ("adequate", "Adequate"), ("poor", "Poor")), required=True),
    Question("communication_comments", "Tell us more about communication with the home"),
    Question("child_helped", "How well is the child or young person you work with helped by the home?",
             (("well", "Well"), ("partly", "Partly"), ("not_well", "Not well")), required=True),
    Question("child_helped_comments", "Tell us more about how the child is helped"),
    Question("concerns", "Do you have any concerns about the home?",
             hint="Tell us about anything the visitor should look into. If a child is at risk of harm now, "
                  "follow your safeguarding procedures as well."),
)


QUESTIONS: dict[str, tuple[Question, ...]] = {FeedbackAudience.YOUNG_PERSON: YOUNG_PERSON_QUESTIONS,
             FeedbackAudience.PROFESSIONAL: PROFESSIONAL_QUESTIONS}


def questions_for(audience: str) -> tuple[Question, ...]:
    return QUESTIONS[audience]


def answer_label(question: Question, value: str | None) -> str:
    return dict(question.choices).get(value or "", value or "")
