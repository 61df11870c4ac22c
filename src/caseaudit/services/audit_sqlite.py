"""Autosave on SQLite: the statements of ``audit_statements`` as plain SQL on the driver's connection.

On SQLite and SQLCipher most of an autosave's processor time went on SQLAlchemy itself (the
session, compiling and running each statement, typing each row), not on SQLite. ``SqliteStore``
offers ``AuditChange`` the same methods as ``audit_statements.CoreStore``, on the sqlite3 (or
sqlcipher3) connection ``sqlite_transaction`` checks out of the engine's pool and begins with
the write lock (BEGIN IMMEDIATE, then COMMIT: one durable transaction, as ``db.session`` gives).
The rare change that needs the ORM (a refusal to explain, a template not yet parsed) raises
``NeedsSession`` and is done again through ``CoreStore``.
Values are converted exactly as SQLAlchemy stores and reads them on SQLite (JSON as
``json.dumps`` text, moments as naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, dates as ISO, enums as
their values), so the ORM reads the rows back unchanged and ``trail.verify`` agrees; a test
compares the stored rows with those the Core path stores. Driver errors are raised as
SQLAlchemy's (a full disk as ``DiskFull``), as from any other unit of work.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import DiskFull
from ..vocabulary import AuditStatus, FindingKind

__all__ = ["NeedsSession", "SqliteStore", "sqlite_transaction"]


class NeedsSession(Exception):  # noqa: N818 (a signal, not an error the user sees)
    """The change needs an ORM read (to say why it is refused, or to parse a template not yet
    cached): its caller rolls back and does it through a session instead."""


_LOAD = (
    "SELECT a.id, a.case_file_id, a.template_version_id, a.sample_item_id, a.auditor_user_id,"
    " a.status, a.due_on, a.suggested_grade, a.overall_grade, a.overall_rationale,"
    " a.compliance_percent, a.started_at, v.sha256,"
    " (SELECT id FROM change_log ORDER BY id DESC LIMIT 1),"
    " (SELECT entry_hash FROM change_log ORDER BY id DESC LIMIT 1)"
    " FROM audit AS a JOIN template_version AS v ON v.id = a.template_version_id"
    " WHERE a.id = ?"
)
_ANSWERS = (
    "SELECT id, question_id, CAST(value AS TEXT), na_reason, evidence FROM answer"
    " WHERE audit_id = ?"
)
_SURROUNDINGS = (
    "SELECT 'grade', section_id, grade, NULL FROM section_judgement WHERE audit_id = ?"
    " UNION ALL SELECT 'stage', current_stage, NULL, NULL FROM case_file WHERE id = ?"
    " UNION ALL SELECT 'event', stage, NULL, started_on FROM pathway_event"
    " WHERE case_file_id = ?"
)
_OPEN_CONCERN = (
    "SELECT id FROM finding WHERE audit_id = ? AND kind = ? AND acknowledged_at IS NULL LIMIT 1"
)
_JUDGED = (
    "SELECT id, grade, commentary FROM section_judgement WHERE audit_id = ? AND section_id = ?"
)
_ADD_ANSWER = (
    "INSERT INTO answer (audit_id, question_id, value, evidence, na_reason, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_SET_ANSWER = (
    "UPDATE answer SET value = ?, evidence = ?, na_reason = ?, updated_at = ? WHERE id = ?"
)
_ADD_JUDGEMENT = (
    "INSERT INTO section_judgement (audit_id, section_id, grade, commentary) VALUES (?, ?, ?, ?)"
)
_SET_JUDGEMENT = "UPDATE section_judgement SET grade = ?, commentary = ? WHERE id = ?"
_UPDATE = (
    "UPDATE audit SET status = ?, suggested_grade = ?, overall_grade = ?, overall_rationale = ?,"
    " compliance_percent = ?, started_at = ?, updated_at = ? WHERE id = ?"
)
_ENTRY = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_ADD_ENTRIES = (
    "INSERT INTO change_log"
    " (id, at, user_id, entity, entity_id, operation, before, after, prev_hash, entry_hash)"
    " VALUES "
)
_MEMO = "caseaudit.autosave.memo"  # key of the connection's ``_Memo`` in its pool record's info
_CONCERN = FindingKind.SAFEGUARDING_CONCERN.value
_MOMENT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"  # SQLAlchemy's SQLite DATETIME storage format


def _moment(value: datetime | None) -> str | None:
    """A moment as SQLAlchemy stores it on SQLite (its UTC wall time, no zone)."""
    if value is None:
        return None
    return _MOMENT % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def _json(value: Any) -> str:
    """A JSON column's value as SQLAlchemy stores it (``None`` is JSON ``null``)."""
    return json.dumps(value)


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


class _Memo:
    """What autosave read and wrote of the last few audits through one pooled connection: each
    audit's answer rows and its surroundings (section grades, the case file's pathway).

    Valid only while nothing else has changed the database since this connection's last
    autosave committed: ``marker`` is (``PRAGMA data_version``, ``total_changes``) then. SQLite
    changes the first when any other connection (in this process or another) commits, and the
    second when anything else run on this connection changes a row; both are read holding the
    write lock, so no commit can slip in unseen. Any mismatch, error or rollback empties it.
    """

    KEPT = 4  # audits remembered per connection (a window edits one at a time)

    def __init__(self) -> None:
        self.marker: tuple[int, int] | None = None
        self.answers: OrderedDict[int, dict[str, tuple[Any, ...]]] = OrderedDict()
        self.surroundings: dict[tuple[int, int], list[tuple[Any, ...]]] = {}

    def forget(self) -> None:
        self.marker = None
        self.answers.clear()
        self.surroundings.clear()

    def keep(self, audit_id: int, rows: dict[str, tuple[Any, ...]]) -> None:
        self.answers[audit_id] = rows
        while len(self.answers) > self.KEPT:
            gone, _rows = self.answers.popitem(last=False)
            for key in [k for k in self.surroundings if k[0] == gone]:
                del self.surroundings[key]


class SqliteStore:
    """``AuditChange``'s statements on a sqlite3/sqlcipher3 connection inside a transaction."""

    def __init__(self, connection: Any, memo: _Memo | None = None) -> None:
        self.connection = connection
        self.memo = memo if memo is not None else _Memo()
        self._rows: dict[str, tuple[Any, ...]] | None = None  # the answers of the audit read

    def reading(self) -> AbstractContextManager[Session]:
        """Raises ``NeedsSession``: no session can share this connection's transaction (and
        some pools would hand this very connection to a new session in the same thread)."""
        raise NeedsSession

    def load(self, audit_id: int) -> Sequence[Any] | None:
        row = self.connection.execute(_LOAD, (audit_id,)).fetchone()
        if row is None:
            return None
        row = list(row)
        row[5] = AuditStatus(row[5])
        if row[6] is not None:
            row[6] = date.fromisoformat(row[6])
        if row[11] is not None:
            row[11] = datetime.fromisoformat(row[11])
        return row

    def answers(self, audit_id: int, question_id: str | None) -> Sequence[Sequence[Any]]:
        """(id, question id, value as JSON text, N/A reason, evidence) of every answer."""
        rows = self.memo.answers.get(audit_id)
        if rows is None:
            found = self.connection.execute(_ANSWERS, (audit_id,)).fetchall()
            rows = {row[1]: tuple(row) for row in found}
            self.memo.keep(audit_id, rows)
        else:
            self.memo.answers.move_to_end(audit_id)
        self._rows = rows
        return list(rows.values())

    def surroundings(self, audit_id: int, case_file_id: int) -> Iterator[Sequence[Any]]:
        key = (audit_id, case_file_id)
        rows = self.memo.surroundings.get(key)
        if rows is None:
            found = self.connection.execute(_SURROUNDINGS, (audit_id, case_file_id, case_file_id))
            rows = [
                (kind, k, grade, None if started is None else date.fromisoformat(started))
                for kind, k, grade, started in found
            ]
            if audit_id in self.memo.answers:
                self.memo.surroundings[key] = rows
        return iter(rows)

    def open_concern(self, audit_id: int) -> bool:
        found = self.connection.execute(_OPEN_CONCERN, (audit_id, _CONCERN)).fetchone()
        return found is not None

    def judged(self, audit_id: int, section_id: str) -> Sequence[Any] | None:
        return self.connection.execute(_JUDGED, (audit_id, section_id)).fetchone()

    def add_answer(self, values: dict[str, Any]) -> int:
        cursor = self.connection.execute(
            _ADD_ANSWER,
            (
                values["audit_id"],
                values["question_id"],
                _json(values["value"]),
                values["evidence"],
                values["na_reason"],
                _moment(values["updated_at"]),
            ),
        )
        self._remember(cursor.lastrowid, values)
        return cursor.lastrowid

    def set_answer(self, values: dict[str, Any]) -> None:
        self.connection.execute(
            _SET_ANSWER,
            (
                _json(values["value"]),
                values["evidence"],
                values["na_reason"],
                _moment(values["updated_at"]),
                values["answer_id"],
            ),
        )
        self._remember(values["answer_id"], values)

    def _remember(self, answer_id: int, values: dict[str, Any]) -> None:
        """Keep the memo's row of the answer just written as a fresh read would give it."""
        rows = self._rows
        if rows is None:  # not read in this change: nothing remembered can be trusted
            self.memo.forget()
            return
        question_id = values.get("question_id") or next(
            (q for q, row in rows.items() if row[0] == answer_id), None
        )
        if question_id is None:
            self.memo.forget()
            return
        text = json.dumps(values["value"])
        rows[question_id] = (
            answer_id,
            question_id,
            text,
            values["na_reason"],
            values["evidence"],
        )

    def add_judgement(self, values: dict[str, Any]) -> int:
        cursor = self.connection.execute(
            _ADD_JUDGEMENT,
            (values["audit_id"], values["section_id"], values["grade"], values["commentary"]),
        )
        self.memo.surroundings.clear()  # read afresh with the new grade
        return cursor.lastrowid

    def set_judgement(self, values: dict[str, Any]) -> None:
        self.connection.execute(
            _SET_JUDGEMENT, (values["grade"], values["commentary"], values["judgement_id"])
        )
        self.memo.surroundings.clear()

    def update_audit(self, values: dict[str, Any]) -> None:
        self.connection.execute(
            _UPDATE,
            (
                _enum(values["status"]),
                values["suggested_grade"],
                values["overall_grade"],
                values["overall_rationale"],
                values["compliance_percent"],
                _moment(values["started_at"]),
                _moment(values["updated_at"]),
                values["audit_id"],
            ),
        )

    def write_entries(self, entries: list[dict[str, Any]]) -> None:
        """Every entry in one INSERT statement, in order."""
        if not entries:
            return
        params: list[Any] = []
        for e in entries:
            params += (
                e["id"],
                _moment(e["at"]),
                e["user_id"],
                e["entity"],
                e["entity_id"],
                e["operation"],
                _json(e["before"]),
                _json(e["after"]),
                e["prev_hash"],
                e["entry_hash"],
            )
        sql = _ADD_ENTRIES + ", ".join([_ENTRY] * len(entries))
        self.connection.execute(sql, params)


@contextmanager
def sqlite_transaction(db: Database) -> Iterator[SqliteStore]:
    """A store on the driver's connection from the pool, in a transaction begun with the write
    lock (BEGIN IMMEDIATE, waiting up to the busy timeout) and committed when the block ends
    (rolled back on any error). The connection's ``_Memo`` is kept only if nothing else changed
    the database since its last autosave. A full disk raises ``DiskFull``; other driver errors
    are raised as SQLAlchemy's, as from ``db.session``."""
    dialect = db.engine.dialect
    pooled = db.engine.raw_connection()
    memo: _Memo = pooled.info.setdefault(_MEMO, _Memo())
    try:
        connection = pooled.driver_connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                version = connection.execute("PRAGMA data_version").fetchone()[0]
                if memo.marker != (version, connection.total_changes):
                    memo.forget()
                yield SqliteStore(connection, memo)
                connection.execute("COMMIT")
                memo.marker = (version, connection.total_changes)
            except BaseException:
                memo.forget()
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except dialect.loaded_dbapi.Error as exc:
            full = isinstance(exc, dialect.loaded_dbapi.OperationalError)
            if full and "full" in str(exc).lower():  # SQLITE_FULL
                raise DiskFull(
                    "The disk is full, so your last change was not saved. Everything saved "
                    "before it is safe. Free some disk space, then make the change again."
                ) from exc
            raise DBAPIError.instance(
                None, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
            ) from exc
    finally:
        pooled.close()
