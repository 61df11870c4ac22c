"""Recurring audit programmes: the rounds a service runs every month or quarter.

A ``Programme`` says what is audited each period (an IRO manager's four LAC review minutes a
month, monthly supervision audits, quarterly themed audits): the template by key, the cadence,
how many files each period, how long a child is left alone after an audit (``exclusion_months``)
and the sample specification, theme and auditors in ``settings``. Each period's round points back
to its programme (``AuditRound.programme_id``) with a period label, which is how the calendar
knows which periods are due, in progress, completed or overdue.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum, utcnow


class ProgrammeKind(enum.StrEnum):
    IRO_MONTHLY = "iro_monthly"
    SUPERVISION_MONTHLY = "supervision_monthly"
    QUARTERLY_THEMED = "quarterly_themed"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "iro_monthly": "Monthly audit of LAC review minutes (IRO manager)",
            "supervision_monthly": "Monthly supervision audit",
            "quarterly_themed": "Quarterly themed audit",
            "custom": "Custom programme",
        }[self.value]


class Cadence(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Programme(Base):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind))
    template_key: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(32), default="")
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence), default=Cadence.MONTHLY)
    files_per_period: Mapped[int] = mapped_column(default=4)
    exclusion_months: Mapped[int] = mapped_column(default=12)
    starts_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
    settings: Mapped[dict] = mapped_column(default=dict)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
