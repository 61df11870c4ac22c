"""The declarative base shared by every ORM model, with stable constraint names.

Constraint names follow a naming convention so Alembic migrations are portable between SQLite
and PostgreSQL. Enumerations are stored as short strings (``native_enum=False``) so the same
schema works on every backend and new values never need an ``ALTER TYPE``.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict: JSON,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> Enum:
    """A portable string column for ``enum_cls`` that stores the member *values*."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=False,
    )
