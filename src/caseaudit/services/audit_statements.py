"""The Core statements of autosave (``audit_change``), built once at import.

Each is a plain SQLAlchemy Core statement on the tables behind the ORM models, with named bind
parameters, so SQLAlchemy compiles it once per database kind and autosave runs it on the
session's connection without loading ORM objects. ``LOAD`` reads the audit row, its template
version's hash and the head of the trail together (the caller already holds the write lock);
``ANSWERS`` reads what grading needs of every answer (the evidence only of the one changed);
``SURROUNDINGS`` the section grades and the case file's pathway in one statement. ``CoreStore``
runs them on a ``trail.writing`` session (PostgreSQL; ``audit_sqlite`` does the same on SQLite
with the driver's own connection).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Date,
    Text,
    bindparam,
    case,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..models import (
    Answer,
    Audit,
    CaseFile,
    ChangeLogEntry,
    Finding,
    PathwayEvent,
    SectionJudgement,
    TemplateVersion,
)
from ..vocabulary import FindingKind
from . import trail_writing as trail

__all__ = [
    "ADD_ANSWER",
    "ADD_JUDGEMENT",
    "ANSWERS",
    "CoreStore",
    "JUDGED",
    "LOAD",
    "OPEN_CONCERN",
    "SET_ANSWER",
    "SET_JUDGEMENT",
    "STATE_FIELDS",
    "SURROUNDINGS",
    "UPDATE",
]

_AUDIT = Audit.__table__
_ANSWER = Answer.__table__
_JUDGEMENT = SectionJudgement.__table__
_FINDING = Finding.__table__
_CASE = CaseFile.__table__
_EVENT = PathwayEvent.__table__
_VERSION = TemplateVersion.__table__

#: The audit row's fields the trail records (``trail.snapshot`` of an audit), in this order.
STATE_FIELDS = (
    "id",
    "case_file_id",
    "template_version_id",
    "sample_item_id",
    "auditor_user_id",
    "status",
    "due_on",
    "suggested_grade",
    "overall_grade",
    "overall_rationale",
    "compliance_percent",
    "started_at",
)

_LOG = ChangeLogEntry.__table__
_NEWEST = _LOG.c.id.desc()
LOAD = (
    select(
        *(_AUDIT.c[name] for name in STATE_FIELDS),
        _VERSION.c.sha256,
        # The head of the trail, read in the same statement (the write lock is already held).
        select(_LOG.c.id).order_by(_NEWEST).limit(1).scalar_subquery(),
        select(_LOG.c.entry_hash).order_by(_NEWEST).limit(1).scalar_subquery(),
    )
    .join(_VERSION, _VERSION.c.id == _AUDIT.c.template_version_id)
    .where(_AUDIT.c.id == bindparam("audit_id"))
)
# Grading needs each answer's value and N/A reason; the evidence only of the answer changed.
ANSWERS = select(
    _ANSWER.c.id,
    _ANSWER.c.question_id,
    cast(_ANSWER.c.value, Text),  # the JSON text: see ``_answer_value``
    _ANSWER.c.na_reason,
    case((_ANSWER.c.question_id == bindparam("question_id"), _ANSWER.c.evidence), else_=None),
).where(_ANSWER.c.audit_id == bindparam("audit_id"))
# The section grades and the case file's pathway (its current stage and its events' dates), all
# that grading needs besides the answers, in one statement: (kind, key, grade, date) rows.
SURROUNDINGS = union_all(
    select(
        literal_column("'grade'"),
        _JUDGEMENT.c.section_id,
        _JUDGEMENT.c.grade,
        cast(null(), Date),  # typed here, so event dates come back as dates on every backend
    ).where(_JUDGEMENT.c.audit_id == bindparam("audit_id")),
    select(literal_column("'stage'"), _CASE.c.current_stage, null(), null()).where(
        _CASE.c.id == bindparam("case_file_id")
    ),
    select(literal_column("'event'"), _EVENT.c.stage, null(), _EVENT.c.started_on).where(
        _EVENT.c.case_file_id == bindparam("case_file_id")
    ),
)
OPEN_CONCERN = (
    select(_FINDING.c.id)
    .where(
        _FINDING.c.audit_id == bindparam("audit_id"),
        _FINDING.c.kind == FindingKind.SAFEGUARDING_CONCERN,
        _FINDING.c.acknowledged_at.is_(None),
    )
    .limit(1)
)
JUDGED = select(_JUDGEMENT.c.id, _JUDGEMENT.c.grade, _JUDGEMENT.c.commentary).where(
    _JUDGEMENT.c.audit_id == bindparam("audit_id"),
    _JUDGEMENT.c.section_id == bindparam("section"),
)
ADD_ANSWER = _ANSWER.insert()
SET_ANSWER = (
    _ANSWER.update()
    .where(_ANSWER.c.id == bindparam("answer_id"))
    .values(
        value=bindparam("value"),
        evidence=bindparam("evidence"),
        na_reason=bindparam("na_reason"),
        updated_at=bindparam("updated_at"),
    )
)
ADD_JUDGEMENT = _JUDGEMENT.insert()
SET_JUDGEMENT = (
    _JUDGEMENT.update()
    .where(_JUDGEMENT.c.id == bindparam("judgement_id"))
    .values(grade=bindparam("grade"), commentary=bindparam("commentary"))
)
UPDATE = (
    _AUDIT.update()
    .where(_AUDIT.c.id == bindparam("audit_id"))
    .values(
        status=bindparam("status"),
        suggested_grade=bindparam("suggested_grade"),
        overall_grade=bindparam("overall_grade"),
        overall_rationale=bindparam("overall_rationale"),
        compliance_percent=bindparam("compliance_percent"),
        started_at=bindparam("started_at"),
        updated_at=bindparam("updated_at"),
    )
)


class CoreStore:
    """Autosave's statements as Core statements on a ``trail.writing`` session's connection.

    The interface ``AuditChange`` uses on every backend (``audit_sqlite.SqliteStore`` is the
    same on the SQLite driver's connection): rows come back as SQLAlchemy types them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        trail.take_write_lock(session)  # held already in trail.writing: no statement

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for the rare reads done through the ORM (error messages, a new template)."""
        yield self.session

    def load(self, audit_id: int) -> Sequence[Any] | None:
        row = self.connection.execute(LOAD, {"audit_id": audit_id}).first()
        if row is not None:
            trail.remember_head(self.session, row[-2], row[-1])
        return row

    def answers(self, audit_id: int, question_id: str | None) -> Sequence[Sequence[Any]]:
        return self.connection.execute(
            ANSWERS, {"audit_id": audit_id, "question_id": question_id}
        ).all()

    def surroundings(self, audit_id: int, case_file_id: int) -> Iterator[Sequence[Any]]:
        return iter(
            self.connection.execute(
                SURROUNDINGS, {"audit_id": audit_id, "case_file_id": case_file_id}
            )
        )

    def open_concern(self, audit_id: int) -> bool:
        return self.connection.execute(OPEN_CONCERN, {"audit_id": audit_id}).first() is not None

    def judged(self, audit_id: int, section_id: str) -> Sequence[Any] | None:
        return self.connection.execute(
            JUDGED, {"audit_id": audit_id, "section": section_id}
        ).first()

    def add_answer(self, values: dict[str, Any]) -> int:
        return self.connection.execute(ADD_ANSWER, values).inserted_primary_key[0]

    def set_answer(self, values: dict[str, Any]) -> None:
        self.connection.execute(SET_ANSWER, values)

    def add_judgement(self, values: dict[str, Any]) -> int:
        return self.connection.execute(ADD_JUDGEMENT, values).inserted_primary_key[0]

    def set_judgement(self, values: dict[str, Any]) -> None:
        self.connection.execute(SET_JUDGEMENT, values)

    def update_audit(self, values: dict[str, Any]) -> None:
        self.connection.execute(UPDATE, values)

    def write_entries(self, entries: list[dict[str, Any]]) -> None:
        trail.write_entries(self.session, entries)
