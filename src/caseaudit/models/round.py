"""Audit rounds and the files sampled into them.

A round names its theme, the template version audits will use, its period and its sample
specification; ``method`` records how the sample was drawn (frame size per stratum, seed,
exclusions, manual changes) so a report can print the method. A ``SampleItem`` is one case file
chosen for the round, with why it was chosen and which auditor it is assigned to. A
``RoundAuditor`` names one of the people who audit the round's files; a round proposed by a
recurring programme points to it with ``programme_id`` and says which period it covers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import RoundStatus, SampleReason
from .base import Base, str_enum, utcnow


class AuditRound(Base):
    __tablename__ = "audit_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    theme: Mapped[str] = mapped_column(String(200), default="")
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date | None]
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus), default=RoundStatus.DRAFT)
    sample_spec: Mapped[dict] = mapped_column(default=dict)
    seed: Mapped[int | None]
    method: Mapped[dict] = mapped_column(default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    period_label: Mapped[str] = mapped_column(String(32), default="")
    sampled_at: Mapped[datetime | None]

    template_version = relationship("TemplateVersion")
    items: Mapped[list[SampleItem]] = relationship(back_populates="round", order_by="SampleItem.id")
    auditors: Mapped[list[RoundAuditor]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundAuditor.user_id"
    )


class RoundAuditor(Base):
    """One of the people who audit a round's files."""

    __tablename__ = "round_auditor"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("audit_round.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)

    round: Mapped[AuditRound] = relationship(back_populates="auditors")
    user = relationship("User")


class SampleItem(Base):
    __tablename__ = "sample_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("audit_round.id", ondelete="CASCADE"), index=True
    )
    case_file_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    stratum: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[SampleReason] = mapped_column(
        str_enum(SampleReason), default=SampleReason.RANDOM
    )
    reason_note: Mapped[str] = mapped_column(Text, default="")
    auditor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    removed: Mapped[bool] = mapped_column(default=False)
    removed_reason: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[AuditRound] = relationship(back_populates="items")
    case_file = relationship("CaseFile")
    auditor = relationship("User")

    __table_args__ = (
        UniqueConstraint("round_id", "case_file_id", name="uq_sample_item_round_case"),
    )
