"""Audit templates and their immutable versions.

An ``AuditTemplate`` is a themed template known by a stable key (``lac-review-minutes``); each
``TemplateVersion`` holds the exact definition an audit was scored against: the source text as
written, its SHA-256, and the validated definition as JSON. A version is never changed once an
audit uses it; editing a template means adding a version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class AuditTemplate(Base):
    __tablename__ = "audit_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    builtin: Mapped[bool] = mapped_column(default=False)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.id"
    )


class TemplateVersion(Base):
    __tablename__ = "template_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_template.id"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    scale: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict] = mapped_column()
    question_count: Mapped[int] = mapped_column(default=0)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[AuditTemplate] = relationship(back_populates="versions")

    __table_args__ = (
        UniqueConstraint("template_id", "version", name="uq_template_version_version"),
    )
