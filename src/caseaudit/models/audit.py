"""The audit aggregate: one case file scored against one template version.

``Answer`` rows hold one answer per question (value as JSON, evidence, N/A reason);
``SectionJudgement`` the auditor's grade per section; ``Finding`` strengths, areas for
improvement and safeguarding concerns; ``Action`` what must happen, by whom and by when; and
``SignOff`` each sign-off or reopening with a hash of the content signed. Grades are stored as
integers 1 (best) to 4 (worst) whatever words the template's scale uses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import ActionStatus, AuditStatus, FindingKind, TimescaleBand
from .base import Base, str_enum, utcnow


class Audit(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_file_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_version.id"), index=True)
    sample_item_id: Mapped[int | None] = mapped_column(ForeignKey("sample_item.id"), unique=True)
    auditor_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[AuditStatus] = mapped_column(
        str_enum(AuditStatus), default=AuditStatus.NOT_STARTED, index=True
    )
    due_on: Mapped[date | None]
    suggested_grade: Mapped[int | None]
    overall_grade: Mapped[int | None]
    overall_rationale: Mapped[str] = mapped_column(Text, default="")
    compliance_percent: Mapped[float | None]
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case_file = relationship("CaseFile")
    template_version = relationship("TemplateVersion")
    auditor = relationship("User")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    section_judgements: Mapped[list[SectionJudgement]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="audit")
    sign_offs: Mapped[list[SignOff]] = relationship(back_populates="audit", order_by="SignOff.id")


class Answer(Base):
    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    na_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="answers")

    __table_args__ = (UniqueConstraint("audit_id", "question_id", name="uq_answer_audit_question"),)


class SectionJudgement(Base):
    __tablename__ = "section_judgement"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[str] = mapped_column(String(64))
    grade: Mapped[int | None]
    commentary: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="section_judgements")

    __table_args__ = (
        UniqueConstraint("audit_id", "section_id", name="uq_section_judgement_audit_section"),
    )


class Finding(Base):
    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FindingKind] = mapped_column(str_enum(FindingKind))
    section_id: Mapped[str] = mapped_column(String(64), default="")
    question_id: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    acknowledged_at: Mapped[datetime | None]

    audit: Mapped[Audit] = relationship(back_populates="findings")


class Action(Base):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    section_id: Mapped[str] = mapped_column(String(64), default="")
    question_id: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text)
    owner_worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    timescale_band: Mapped[TimescaleBand] = mapped_column(str_enum(TimescaleBand))
    due_on: Mapped[date]
    review_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.OPEN, index=True
    )
    completed_on: Mapped[date | None]
    completion_evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audit: Mapped[Audit | None] = relationship(back_populates="actions")
    owner = relationship("Worker")


class SignOff(Base):
    __tablename__ = "sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(16), default="sign_off")  # sign_off | reopen
    at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[dict] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="sign_offs")
