"""What case-list imports leave behind: saved column mappings and a record of each import.

An ``ImportMappingProfile`` remembers, by name, which column of a council's export holds which
field (``{"Person ID": "external_id", ...}``) so next month's file maps itself. An ``ImportRun``
records each import that was committed: the file's name and SHA-256, the list kind, who ran it
and when, and how many rows were added, updated, unchanged and rejected. Neither holds a child's
name or any other identifying value; rejected rows are kept as row number, field and reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ImportMappingProfile(Base):
    __tablename__ = "import_mapping_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    list_kind: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict] = mapped_column(default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportRun(Base):
    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    list_kind: Mapped[str] = mapped_column(String(32))
    file_format: Mapped[str] = mapped_column(String(16), default="")
    encoding: Mapped[str] = mapped_column(String(32), default="")
    strict: Mapped[bool] = mapped_column(default=False)
    rows_read: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    teams_created: Mapped[int] = mapped_column(default=0)
    workers_created: Mapped[int] = mapped_column(default=0)
    mapping: Mapped[dict] = mapped_column(default=dict)
    problems: Mapped[Any] = mapped_column(JSON, default=list)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
