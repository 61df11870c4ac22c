"""The Core statements of autosave (``audit_change``), built once at import.

Each is a plain SQLAlchemy Core statement on the tables behind the ORM models, with named bind
parameters, so SQLAlchemy compiles it once per database kind and autosave runs it on the
session's connection without loading ORM objects. ``LOAD`` reads the audit row, its template
version's hash and the head of the trail together (the caller already holds the write lock);
``ANSWERS`` reads what grading needs of every answer (the evidence only of the one changed);
``SURROUNDINGS`` the section grades and the case file's pathway in one statement.
"""

from __future__ import annotations

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

__all__ = [
    "ADD_ANSWER",
    "ADD_JUDGEMENT",
    "ANSWERS",
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
