"""Writing the tamper-evident trail: the write lock, sealing, and appending entries.

Every change appends one ``change_log`` row in the same transaction as the change, through
``append`` (or ``record``, which takes the changed row and its earlier ``snapshot``). Each entry is
sealed with a SHA-256 over a canonical JSON of its fields and the previous entry's seal. Writers
take the database's write lock before reading the head of the chain, so two writers never fork
it; the lock is taken once per transaction (``take_write_lock`` remembers it; ``writing`` on
SQLite begins with it, BEGIN IMMEDIATE), and within one transaction the head is remembered
after each append (or ``remember_head``) instead of being read again. Both memos
are keyed by the session's transaction, so a commit, a rollback or a rolled-back savepoint makes
the next writer take the lock and read the head afresh. Statements are plain Core statements on
the session's connection (no ORM unit of work), because autosave appends on every keystroke.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, SessionTransaction

from ..db import BEGIN_IMMEDIATE, Database
from ..models import ChangeLogEntry
from ..models.base import utcnow
from .snapshots import LOGGED_ENTITIES, canonical_json, entity_name, iso, snapshot

__all__ = [
    "TRAIL_LOCK_KEY",
    "append",
    "forget_head",
    "record",
    "remember_head",
    "seal",
    "seal_entry",
    "sealed_entry",
    "snapshot_of",
    "take_write_lock",
    "write_entries",
    "writing",
    "WrittenEntry",
]

#: Key of the PostgreSQL transaction advisory lock that serialises trail writers.
TRAIL_LOCK_KEY = 0x0CA5EA0D17

_TABLE = ChangeLogEntry.__table__
_HEAD = select(_TABLE.c.id, _TABLE.c.entry_hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = _TABLE.insert()
_LOCK_PG = text("SELECT pg_advisory_xact_lock(:key)")
_LOCK_SQLITE = text("DELETE FROM change_log WHERE 0")
_LOCK_MEMO = "caseaudit.trail.lock"
_HEAD_MEMO = "caseaudit.trail.head"


def seal(
    entry_id: int,
    at: datetime,
    user_id: int | None,
    entity: str,
    entity_id: str,
    operation: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """The SHA-256 seal of one entry, chaining it to the previous entry's seal."""
    payload = {
        "id": entry_id,
        "at": iso(at),
        "user_id": user_id,
        "entity": entity,
        "entity_id": entity_id,
        "operation": operation,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class WrittenEntry:
    """One entry as ``append`` wrote it (the fields of ``ChangeLogEntry``)."""

    id: int
    at: datetime
    user_id: int | None
    entity: str
    entity_id: str
    operation: str
    before: Any
    after: Any
    prev_hash: str
    entry_hash: str


def remember_head(session: Session, entry_id: int | None, entry_hash: str) -> None:
    """Tell ``append`` the head of the chain, read by the caller while holding the write lock
    in this transaction (``entry_id`` None: the trail is empty), so it need not read it."""
    memo = (_current(session), entry_id or 0, entry_hash if entry_id else "")
    session.info[_HEAD_MEMO] = memo


def _current(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _still_within(session: Session, memo: Any) -> bool:
    """Whether a memo taken in transaction ``memo[0]`` still holds: that transaction is the
    session's current one or encloses it (a savepoint begun since sees everything it did)."""
    if memo is None:
        return False
    current = _current(session)
    while current is not None:
        if current is memo[0]:
            return current.is_active
        current = current.parent
    return False


def take_write_lock(session: Session) -> None:
    """Hold the database's write lock so the head read below cannot be overtaken.

    Taken once per transaction: a second call in the same transaction does nothing."""
    if _still_within(session, session.info.get(_LOCK_MEMO)):
        return
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_PG, {"key": TRAIL_LOCK_KEY})
    else:
        # A write statement that touches no row: SQLite takes its write lock at the start of
        # any write statement (waiting up to busy_timeout), and holds it until commit.
        session.execute(_LOCK_SQLITE)
    session.info[_LOCK_MEMO] = (_current(session),)


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """A unit of work that holds the write lock from its first statement.

    Use it for any change that reads before it writes and appends to the trail. ``db.session()``
    begins SQLite transactions as DEFERRED, so a transaction that has read and then tries to
    write fails at once ("database is locked") if another writer committed in between; taking
    the write lock first makes it wait its turn instead (up to the busy timeout). On SQLite the
    transaction begins with the lock (BEGIN IMMEDIATE); on PostgreSQL it takes the advisory lock.
    """
    with db.session() as session:
        if db.kind == "postgresql":
            take_write_lock(session)
        else:  # SQLite: begin with the write lock (BEGIN IMMEDIATE) instead of a statement
            session.connection(execution_options={BEGIN_IMMEDIATE: True})
            session.info[_LOCK_MEMO] = (_current(session),)
        yield session


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _normal(value: Any) -> Any:
    """``value`` as it reads back from the trail's JSON (tuples become lists, and so on).

    A flat dict of plain values (what ``snapshot_of`` gives) already reads back as itself."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return value
    return json.loads(canonical_json(value))


def seal_entry(
    session: Session,
    actor_id: int | None,
    entity: str,
    entity_id: str | int,
    operation: str,
    before: Any,
    after: Any,
    *,
    follows: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One sealed entry, not yet written: it follows ``follows`` (an entry sealed here and not
    yet written) or else the head of the trail. Write it with ``write_entries``."""
    if follows is not None:
        entry_id, prev_hash = follows["id"] + 1, follows["entry_hash"]
    else:
        take_write_lock(session)
        memo = session.info.get(_HEAD_MEMO)
        if _still_within(session, memo):
            entry_id, prev_hash = memo[1] + 1, memo[2]
        else:
            head = session.connection().execute(_HEAD).first()
            entry_id, prev_hash = (head[0] + 1, head[1]) if head else (1, "")
    return sealed_entry(entry_id, prev_hash, actor_id, entity, entity_id, operation, before, after)


def sealed_entry(
    entry_id: int,
    prev_hash: str,
    actor_id: int | None,
    entity: str,
    entity_id: str | int,
    operation: str,
    before: Any,
    after: Any,
) -> dict[str, Any]:
    """Entry ``entry_id`` following the entry sealed ``prev_hash``, sealed now: for a writer
    that holds the write lock and knows the head of the trail itself (see ``seal_entry``)."""
    before, after = _normal(before), _normal(after)
    at = utcnow()
    key = str(entity_id)
    return {
        "id": entry_id,
        "at": at,
        "user_id": actor_id,
        "entity": entity,
        "entity_id": key,
        "operation": operation,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
        "entry_hash": seal(
            entry_id, at, actor_id, entity, key, operation, before, after, prev_hash
        ),
    }


def write_entries(session: Session, entries: list[dict[str, Any]]) -> None:
    """Write entries sealed by ``seal_entry``, in order, in one statement."""
    if not entries:
        return
    session.connection().execute(_INSERT, entries)
    last = entries[-1]
    session.info[_HEAD_MEMO] = (_current(session), last["id"], last["entry_hash"])


def append(
    session: Session,
    actor_id: int | None,
    entity: str,
    entity_id: str | int,
    operation: str,
    before: Any,
    after: Any,
) -> WrittenEntry:
    """Append one sealed entry in ``session``'s transaction (committed with the change)."""
    entry = seal_entry(session, actor_id, entity, entity_id, operation, before, after)
    write_entries(session, [entry])
    return WrittenEntry(**entry)


def forget_head(session: Session) -> None:
    """Read the head afresh at the next ``append``: call after writing entries directly."""
    session.info.pop(_HEAD_MEMO, None)


def record(
    session: Session,
    actor_id: int | None,
    row: Any,
    operation: str,
    before: dict[str, Any] | None = None,
) -> WrittenEntry:
    """Append the change of a logged record: ``before`` is its earlier ``snapshot`` (None when
    created); the after-state is taken now (None when ``operation`` is ``delete``)."""
    session.flush()
    after = None if operation == "delete" else snapshot(row)
    return append(session, actor_id, entity_name(row), row.id, operation, before, after)


def snapshot_of(model: type, state: Any) -> dict[str, Any]:
    """The fields ``snapshot`` records of a ``model`` record held in any object with the
    model's attribute names (a Core row, a small dataclass), so a writer need not load or build
    the ORM object. Not yet in JSON form (a tuple stays a tuple): ``append`` does that once."""
    snap: Callable[[Any], dict[str, Any]] = LOGGED_ENTITIES[model][1]
    return snap(state)
