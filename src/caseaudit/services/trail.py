"""The tamper-evident trail: appending sealed change events and verifying the chain.

Every change to an audit, answer, section grade, action, sign-off or program user appends one
``ChangeLogEntry`` in the same transaction as the change, through ``append`` (or ``record``,
which takes the changed row and its earlier ``snapshot``). Each entry is sealed with a SHA-256
over a canonical JSON of its fields and the previous entry's seal, so the entries form a chain:
``verify`` recomputes every seal and reports the first broken link, and also compares the last
recorded state of every logged record with the record as it is now, so an audit changed behind
the program's back is found. Writers take the database's write lock before reading the head of
the chain, so two writers never fork it (the writing half lives in ``trail_writing`` and is
re-exported here). Free text is recorded by fingerprint, never verbatim, because the trail can
never be edited and free text may name a child.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import Cancelled
from ..models import ChangeLogEntry, User
from .permissions import Permission, require
from .snapshots import AUDIT_PARTS, LOGGED_ENTITIES, canonical_json, iso, snapshot
from .trail_writing import (
    TRAIL_LOCK_KEY,
    append,
    record,
    seal,
    snapshot_of,
    take_write_lock,
    writing,
)
from .users import UserInfo

__all__ = [
    "RecordMismatch",
    "TrailEvent",
    "TrailHead",
    "TRAIL_LOCK_KEY",
    "TrailReport",
    "append",
    "changed_fields",
    "events",
    "head",
    "iso",
    "record",
    "seal",
    "snapshot",
    "snapshot_of",
    "take_write_lock",
    "verify",
    "writing",
]

#: Triggers the initial migration creates to make ``change_log`` append-only.
SQLITE_TRIGGERS = frozenset({"change_log_no_update", "change_log_no_delete"})
POSTGRES_TRIGGERS = frozenset({"change_log_append_only"})


class TrailCancelled(Cancelled):
    """Verification was cancelled before it finished."""


@dataclass(frozen=True)
class TrailHead:
    """The latest entry's number and seal: printed on reports so the trail can be anchored."""

    entry_id: int
    entry_hash: str


def head(db: Database) -> TrailHead | None:
    with db.session() as s:
        row = s.execute(
            select(ChangeLogEntry.id, ChangeLogEntry.entry_hash)
            .order_by(ChangeLogEntry.id.desc())
            .limit(1)
        ).first()
    return TrailHead(row[0], row[1]) if row else None


@dataclass(frozen=True)
class RecordMismatch:
    """A record whose current state is not what the trail last recorded for it."""

    entity: str
    entity_id: str
    problem: str  # "changed" | "missing" | "unlogged"
    fields: tuple[str, ...] = ()
    last_entry_id: int | None = None

    def describe(self) -> str:
        what = f"{self.entity.replace('_', ' ')} {self.entity_id}"
        if self.problem == "changed":
            return (
                f"{what} was changed outside caseaudit: its {', '.join(self.fields)} no longer "
                f"match the trail (last recorded in entry {self.last_entry_id})."
            )
        if self.problem == "missing":
            return (
                f"{what} was deleted outside caseaudit (the trail last recorded it in entry "
                f"{self.last_entry_id})."
            )
        return f"{what} was added outside caseaudit: the trail has no record of it."


@dataclass(frozen=True)
class TrailReport:
    """The outcome of ``verify``: ``ok`` only if the chain is whole and every record matches."""

    ok: bool
    entries: int
    first_broken: int | None
    reason: str
    mismatches: tuple[RecordMismatch, ...] = ()
    warnings: tuple[str, ...] = ()
    head_hash: str = ""
    broken_links: int = 0


@dataclass
class _Chain:
    entries: int = 0
    expected_id: int = 1
    prev_hash: str = ""
    first_broken: int | None = None
    reason: str = ""
    broken: int = 0
    latest: dict[tuple[str, str], tuple[int, str, Any]] = field(default_factory=dict)

    def fail(self, entry_id: int, reason: str) -> None:
        self.broken += 1
        if self.first_broken is None:
            self.first_broken, self.reason = entry_id, reason

    def check(self, e: Any) -> None:
        self.entries += 1
        if e.id != self.expected_id:
            gap = (
                f"entry {self.expected_id} is missing"
                if e.id == self.expected_id + 1
                else f"entries {self.expected_id} to {e.id - 1} are missing"
            )
            self.fail(e.id, f"The trail is broken at entry {e.id}: {gap} (deleted).")
        elif e.prev_hash != self.prev_hash:
            self.fail(
                e.id,
                f"The trail is broken at entry {e.id}: it does not follow on from the entry "
                "before it, so an entry before it was removed, replaced or inserted.",
            )
        actual = seal(
            e.id, e.at, e.user_id, e.entity, e.entity_id, e.operation, e.before, e.after,
            e.prev_hash,
        )  # fmt: skip
        if actual != e.entry_hash:
            self.fail(
                e.id,
                f"The trail is broken at entry {e.id}: its contents were altered after it "
                "was written (they no longer match its seal).",
            )
        self.expected_id, self.prev_hash = e.id + 1, e.entry_hash
        self.latest[(e.entity, e.entity_id)] = (e.id, e.operation, e.after)


def _trigger_warnings(session: Session) -> list[str]:
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'change_log'::regclass "
                "AND NOT tgisinternal"
            )
        )
        expected = POSTGRES_TRIGGERS
    else:
        rows = session.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'change_log'"
            )
        )
        expected = SQLITE_TRIGGERS
    missing = sorted(expected - {r[0] for r in rows})
    if not missing:
        return []
    return [
        f"The safeguard that stops the trail being edited has been removed ({', '.join(missing)})."
        " Someone changed the database outside caseaudit; restore it from a backup or ask "
        "your administrator to investigate."
    ]


def _check_records(session: Session, chain: _Chain) -> list[RecordMismatch]:
    found: list[RecordMismatch] = []
    for model, (name, snap) in LOGGED_ENTITIES.items():
        seen: set[str] = set()
        for row in session.scalars(select(model).order_by(model.id)).yield_per(1000):
            key = str(row.id)
            seen.add(key)
            last = chain.latest.get((name, key))
            if last is None or last[1] == "delete":
                found.append(RecordMismatch(name, key, "unlogged", (), last and last[0]))
                continue
            now = json.loads(canonical_json(snap(row)))
            recorded = last[2] if isinstance(last[2], dict) else {}
            fields = tuple(
                sorted(k for k in now.keys() | recorded.keys() if now.get(k) != recorded.get(k))
            )
            if fields:
                found.append(RecordMismatch(name, key, "changed", fields, last[0]))
        for (entity, key), (entry_id, operation, _after) in chain.latest.items():
            if entity == name and key not in seen and operation != "delete":
                found.append(RecordMismatch(name, key, "missing", (), entry_id))
    return found


def verify(
    db: Database,
    *,
    check_records: bool = True,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> TrailReport:
    """Recompute every seal and (unless ``check_records`` is off) compare every logged record
    with its last recorded state; report the first broken link and every mismatching record."""
    chain = _Chain()
    with db.session() as s:
        total = s.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc()).limit(1))
        warnings = _trigger_warnings(s)
        rows = s.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.id)).yield_per(1000)
        for entry in rows:
            chain.check(entry)
            if chain.entries % 1000 == 0:
                if cancel is not None and cancel.is_set():
                    raise TrailCancelled("Checking the trail was cancelled; nothing was changed.")
                if progress is not None and total:
                    progress(min(0.9, 0.9 * entry.id / total), "Checking the trail's seals")
        mismatches = _check_records(s, chain) if check_records else []
    if progress is not None:
        progress(1.0, "Trail checked")
    ok = chain.first_broken is None and not mismatches
    if ok:
        reason = f"The trail is intact: {chain.entries} entries, each sealed to the one before."
    elif chain.first_broken is not None:
        reason = chain.reason
    else:
        reason = mismatches[0].describe()
    return TrailReport(
        ok=ok,
        entries=chain.entries,
        first_broken=chain.first_broken,
        reason=reason,
        mismatches=tuple(mismatches),
        warnings=tuple(warnings),
        head_hash=chain.prev_hash,
        broken_links=chain.broken,
    )


def changed_fields(before: Any, after: Any) -> Iterable[tuple[str, Any, Any]]:
    """(field, before, after) for each field that differs between two snapshots."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            yield key, old.get(key), new.get(key)


@dataclass(frozen=True)
class TrailEvent:
    """One entry as the trail viewer shows it: who, when, what, and each field before → after."""

    entry_id: int
    at: datetime
    user_name: str
    entity: str
    entity_id: str
    operation: str
    changes: tuple[tuple[str, Any, Any], ...]

    @property
    def summary(self) -> str:
        what = f"{self.entity.replace('_', ' ')} {self.entity_id}"
        if self.operation in ("create", "delete"):
            return f"{self.operation} {what}"
        fields = ", ".join(name for name, _old, _new in self.changes if name != "id")
        return f"{self.operation} {what}" + (f": {fields}" if fields else "")


def events(
    db: Database, actor: UserInfo | None, *, audit_id: int | None = None, limit: int | None = None
) -> list[TrailEvent]:
    """The trail, newest first: everything, or what concerns one audit (its answers, section
    grades, actions and sign-offs included)."""
    require(actor, Permission.VIEW_TRAIL)
    query = (
        select(ChangeLogEntry, User.username)
        .outerjoin(User, User.id == ChangeLogEntry.user_id)
        .order_by(ChangeLogEntry.id.desc())
    )
    if audit_id is not None:
        query = query.where(ChangeLogEntry.entity.in_({"audit"} | AUDIT_PARTS))
    found: list[TrailEvent] = []
    with db.session() as s:
        for entry, username in s.execute(query).yield_per(500):
            if audit_id is not None and not _concerns(entry, audit_id):
                continue
            found.append(
                TrailEvent(
                    entry.id,
                    entry.at,
                    username or "caseaudit",
                    entry.entity,
                    entry.entity_id,
                    entry.operation,
                    tuple(changed_fields(entry.before, entry.after)),
                )
            )
            if limit is not None and len(found) >= limit:
                break
    return found


def _concerns(entry: ChangeLogEntry, audit_id: int) -> bool:
    if entry.entity == "audit":
        return entry.entity_id == str(audit_id)
    state = entry.after if isinstance(entry.after, dict) else entry.before
    return isinstance(state, dict) and state.get("audit_id") == audit_id
