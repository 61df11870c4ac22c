"""Writing an events list: pathway events, each hung on its child's front-door case file.

Events are matched by event ID (or, when the list has none, by child, stage and date). Each
child's events hang on one case file from the ``events`` list, whose start is its earliest
event, whose stage is that of its latest event, and which is closed when the latest event did
not proceed and is complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select

from ..models import CaseFile, PathwayEvent
from ..vocabulary import CaseStatus, Outcome
from .importer_bulk import BulkWriter, PeopleIndex, chunked
from .importer_rows import ParsedRow, ValidRows
from .importer_write import CASE_COLS, CASE_VALUES, CHUNK, event_key

EVENT_VALUES = ("case_file_id", "stage", "started_on", "completed_on", "outcome")
EVENT_COLS = (
    "case_file_id",
    "external_id",
    "stage",
    "started_on",
    "completed_on",
    "outcome",
    "detail",
)
Rows = Sequence[ParsedRow]


class EventsFile:
    """The child's front-door case file that an events list hangs its events on."""

    __slots__ = ("id", "child_id", "values", "stored", "latest")

    def __init__(self, id_: int | None, child_id: int, values: dict, stored: dict | None):
        self.id, self.child_id, self.values, self.stored = id_, child_id, values, stored
        self.latest: tuple = ()

    def see(self, started: date, completed: date | None, stage, outcome, key: str) -> None:  # noqa: ANN001
        candidate = (started, completed or date.min, key, stage, outcome, completed)
        if not self.latest or candidate[:3] > self.latest[:3]:
            self.latest = candidate
        if started < self.values["opened_on"]:
            self.values["opened_on"] = started


class EventWriter:
    """Pathway events, each on its child's front-door case file."""

    def __init__(
        self, conn: Connection, bulk: BulkWriter, now: datetime, people: PeopleIndex
    ) -> None:
        self.conn, self.bulk, self.now, self.people = conn, bulk, now, people
        self.files: dict[int, EventsFile] = {}

    def _load_files(self, wanted: list[int]) -> None:
        files: dict[int, EventsFile] = {}
        table = CaseFile.__table__
        for chunk in chunked(wanted, CHUNK):
            stmt = (
                select(table.c.id, table.c.child_id, *(table.c[c] for c in CASE_VALUES))
                .where(table.c.child_id.in_(chunk), table.c.source_list == "events")
                .order_by(table.c.child_id, table.c.opened_on, table.c.id)
            )
            for r in self.conn.execute(stmt):
                if r[1] not in files:
                    values = dict(zip(CASE_VALUES, r[2:], strict=True))
                    files[r[1]] = EventsFile(r[0], r[1], values, dict(values))
        if files:
            by_id = {f.id: f for f in files.values()}
            e = PathwayEvent
            stmt = select(
                e.case_file_id, e.started_on, e.completed_on, e.stage, e.outcome, e.external_id
            ).where(e.case_file_id.in_(list(by_id)))
            for cf_id, started, completed, stage, outcome, key in self.conn.execute(stmt):
                by_id[cf_id].see(started, completed, stage, outcome, key or "")
        self.files.update(files)

    def _stored_events(self, keys: list[str]) -> dict[str, tuple[int, list]]:
        stored: dict[str, tuple[int, list]] = {}
        e = PathwayEvent
        for chunk in chunked(sorted(set(keys)), CHUNK):
            stmt = select(e.id, e.external_id, *(e.__table__.c[c] for c in EVENT_VALUES)).where(
                e.external_id.in_(chunk)
            )
            for r in self.conn.execute(stmt):
                stored[r[1]] = (r[0], list(r[2:]))
        return stored

    def write(
        self, chunk: ValidRows, children: dict[str, int], added: set[int], changed: set[int]
    ) -> None:
        rows = chunk.rows()
        self._load_files(sorted({children[r.external_id] for r in rows} - self.files.keys()))
        keys = [event_key(r) for r in rows]
        stored = self._stored_events(keys)
        new_files = []
        for row, key in zip(rows, keys, strict=True):
            child_id = children[row.external_id]
            file = self.files.get(child_id)
            if file is None:
                values = dict.fromkeys(CASE_VALUES) | {
                    "current_stage": row.stage,
                    "status": CaseStatus.OPEN,
                    "legal_status": "",
                    "placement_type": "",
                    "opened_on": row.event_date,
                }
                file = self.files[child_id] = EventsFile(None, child_id, values, None)
                new_files.append(file)
            for name, value in (
                ("team_id", self.people.team_id(row.team)),
                ("worker_id", self.people.worker_id(row.worker, row.worker_id)),
            ):
                if value is not None:
                    file.values[name] = value
            file.see(row.event_date, row.completed_on, row.stage, row.outcome, key)  # type: ignore[arg-type]
        ids = self.bulk.insert(
            CaseFile.__table__,
            CASE_COLS,
            [
                (f.child_id, *(f.values[c] for c in CASE_VALUES), "events", self.now)
                for f in new_files
            ],
            ids=True,
        )
        for file, new_id in zip(new_files, ids, strict=True):
            file.id, file.stored = new_id, dict(file.values)
        inserts, updates = [], []
        for row, key in zip(rows, keys, strict=True):
            file = self.files[children[row.external_id]]
            values = [file.id, row.stage, row.event_date, row.completed_on, row.outcome]
            found = stored.get(key)
            if found is None:
                inserts.append((file.id, key, *values[1:], ""))
                stored[key] = (-1, values)
                added.add(row.row)
            elif values != found[1]:
                if found[0] >= 0:
                    updates.append((*values, found[0]))
                stored[key] = (found[0], values)
                changed.add(row.row)
        self.bulk.insert(PathwayEvent.__table__, EVENT_COLS, inserts)
        self.bulk.update(PathwayEvent.__table__, EVENT_VALUES, updates)

    def finish(self) -> None:
        """Each front-door file follows its latest event: stage, and closed after an NFA."""
        updates = []
        for file in self.files.values():
            _, _, _, stage, outcome, completed = file.latest
            closed = outcome == Outcome.DID_NOT_PROCEED and completed is not None
            file.values["current_stage"] = stage
            file.values["status"] = CaseStatus.CLOSED if closed else CaseStatus.OPEN
            file.values["closed_on"] = completed if closed else None
            if file.values != file.stored:
                updates.append((*(file.values[c] for c in CASE_VALUES), self.now, file.id))
        self.bulk.update(CaseFile.__table__, (*CASE_VALUES, "updated_at"), updates)
