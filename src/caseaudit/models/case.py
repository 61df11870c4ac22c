"""The case aggregate: children, their identifying details, case files and pathway events.

Identifying data (names, date of birth, address, family members' names) lives only in
``ChildIdentity`` and ``RelatedPerson``, apart from everything else, so a pseudonymised export
can leave those tables out entirely and redact the names they hold from free text. Every other
table refers to a child by ``Child.case_key`` (a pseudonymous key such as ``C-0412``), never by
name.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import CaseStatus, Outcome, PathwayStage
from .base import Base, str_enum, utcnow


class Child(Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_key: Mapped[str] = mapped_column(String(32), unique=True)
    gender: Mapped[str] = mapped_column(String(32), default="")
    birth_year: Mapped[int | None]
    ethnicity: Mapped[str] = mapped_column(String(100), default="")
    disability: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identity: Mapped[ChildIdentity | None] = relationship(
        back_populates="child", cascade="all, delete-orphan", uselist=False
    )
    related_people: Mapped[list[RelatedPerson]] = relationship(
        back_populates="child", cascade="all, delete-orphan"
    )
    case_files: Mapped[list[CaseFile]] = relationship(back_populates="child")


class ChildIdentity(Base):
    """Identifying fields, kept apart so exports can leave them out."""

    __tablename__ = "child_identity"

    child_id: Mapped[int] = mapped_column(
        ForeignKey("child.id", ondelete="CASCADE"), primary_key=True
    )
    given_name: Mapped[str] = mapped_column(String(100), default="")
    family_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None]
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    purged_at: Mapped[datetime | None]

    child: Mapped[Child] = relationship(back_populates="identity")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class RelatedPerson(Base):
    """A family member or carer whose name may appear in free text and must be redacted."""

    __tablename__ = "related_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_child: Mapped[str] = mapped_column(String(64), default="")

    child: Mapped[Child] = relationship(back_populates="related_people")


class CaseFile(Base):
    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    iro_worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    current_stage: Mapped[PathwayStage] = mapped_column(str_enum(PathwayStage))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.OPEN)
    legal_status: Mapped[str] = mapped_column(String(64), default="")
    placement_type: Mapped[str] = mapped_column(String(64), default="")
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    source_list: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    child: Mapped[Child] = relationship(back_populates="case_files")
    team = relationship("Team")
    worker = relationship("Worker", foreign_keys=[worker_id])
    iro = relationship("Worker", foreign_keys=[iro_worker_id])
    events: Mapped[list[PathwayEvent]] = relationship(
        back_populates="case_file", cascade="all, delete-orphan", order_by="PathwayEvent.started_on"
    )

    __table_args__ = (Index("ix_case_file_stage_status", "current_stage", "status"),)


class PathwayEvent(Base):
    __tablename__ = "pathway_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_file_id: Mapped[int] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stage: Mapped[PathwayStage] = mapped_column(str_enum(PathwayStage))
    started_on: Mapped[date]
    completed_on: Mapped[date | None]
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome), default=Outcome.ONGOING)
    detail: Mapped[str] = mapped_column(String(200), default="")

    case_file: Mapped[CaseFile] = relationship(back_populates="events")
