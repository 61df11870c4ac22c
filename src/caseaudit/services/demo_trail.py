"""Sealed trail entries for the records the demo builder writes directly.

The trail (``services.trail``) vouches for every audit, answer, section judgement, action,
sign-off and program user: ``verify`` reports any such record the trail has no entry for. The
demo writes those records with bulk inserts, so it also writes one sealed ``create`` entry per
record, chained to the trail's head, with the record's canonical ``snapshot`` as its after-state
and a timestamp taken from the demo's own clock (so a rebuild gives the same seals).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import ChangeLogEntry
from .snapshots import entity_name, snapshot
from .trail import seal
from .trail_writing import forget_head


class DemoTrail:
    """Collects ``create`` entries in order and writes them in one bulk insert."""

    def __init__(self, session: Session) -> None:
        self.session = session
        last = session.execute(
            select(ChangeLogEntry.id, ChangeLogEntry.entry_hash)
            .order_by(ChangeLogEntry.id.desc())
            .limit(1)
        ).first()
        self.next_id, self.prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        self.rows: list[dict[str, Any]] = []

    def created(self, model: type, row: dict[str, Any], actor_id: int | None, at: datetime) -> None:
        """Record that ``row`` (about to be, or just, inserted into ``model``) was created."""
        record = model(**row)  # transient: only read by the snapshot
        after = snapshot(record)
        entity = entity_name(record)
        entry_id = self.next_id
        entry_hash = seal(
            entry_id, at, actor_id, entity, str(row["id"]), "create", None, after, self.prev_hash
        )
        self.rows.append(
            {
                "id": entry_id,
                "at": at,
                "user_id": actor_id,
                "entity": entity,
                "entity_id": str(row["id"]),
                "operation": "create",
                "before": None,
                "after": after,
                "prev_hash": self.prev_hash,
                "entry_hash": entry_hash,
            }
        )
        self.next_id, self.prev_hash = entry_id + 1, entry_hash

    def write(self) -> int:
        if self.rows:
            self.session.execute(insert(ChangeLogEntry.__table__), self.rows)
            forget_head(self.session)  # trail.append must read the new head
        written = len(self.rows)
        self.rows = []
        return written
