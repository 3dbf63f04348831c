"""Records kept with an assignment: a Reg 44 visitor's independence declaration (reg 43)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.people.models import Assignment, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow

# What the administrator confirms when assigning a Reg 44 visitor to a home: the independence
# criteria of reg 43(3)-(4) as ../shared/domain.md states them ("Independent person" row; the
# visitor's role row: "independent of the home's line management"). Stored with each declaration,
# so a later change of wording does not change what was declared.
INDEPENDENCE_CRITERIA: tuple[str, ...] = (
    "is not an employee of the registered provider, unless employed solely to scrutinise homes (reg 43(3)-(4))",
    "is not the responsible individual",
    "has no financial interest in the home",
    "has no part in planning the care of any child placed at the home",
    "is independent of the home's line management",
)


def independence_statement(visitor_name: str, home_name: str) -> str:
    return (f"I confirm that {visitor_name}, as the Regulation 44 independent person for {home_name}: "
            + "; ".join(INDEPENDENCE_CRITERIA) + ".")


class IndependenceDeclaration(Audited, Model):
    """The administrator's declaration, made when assigning a visitor, that they are independent."""

    __tablename__ = "independence_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(String(1000))
    note: Mapped[str] = mapped_column(String(1000), default="")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(
        backref=backref("independence", uselist=False, cascade="all, delete-orphan"))
    declared_by: Mapped[User | None] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Independence declaration {self.id}"
