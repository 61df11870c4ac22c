"""The row writers behind ``apply_import``: children and their identities, and case files.

Each writer works on one chunk of rows at a time on the import's connection and says, per row,
whether it added or changed something. Children are matched by external ID and case files by
child, list and start date (``importer_events`` writes events lists). A blank cell never erases
what is stored. The first import into an empty database takes a faster path: every child is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select

from ..models import CaseFile, Child, ChildIdentity
from .importer_bulk import BulkWriter, PeopleIndex, chunked
from .importer_rows import ParsedRow

CHUNK = 5000
CHILD_COLS = (
    "external_id",
    "case_key",
    "gender",
    "birth_year",
    "ethnicity",
    "disability",
    "created_at",
    "updated_at",
)
CHILD_VALUES = ("gender", "birth_year", "ethnicity", "disability")
IDENTITY_COLS = ("child_id", "given_name", "family_name", "date_of_birth", "address", "postcode")
IDENTITY_VALUES = IDENTITY_COLS[1:]
CASE_VALUES = (
    "team_id",
    "worker_id",
    "iro_worker_id",
    "current_stage",
    "status",
    "legal_status",
    "placement_type",
    "opened_on",
    "closed_on",
)
CASE_COLS = ("child_id", *CASE_VALUES, "source_list", "updated_at")
Rows = Sequence[ParsedRow]


def event_key(row: ParsedRow) -> str:
    """The event's own ID, or a stable one made from the child's ID, stage and date."""
    if row.event_id:
        return row.event_id
    key = f"{row.external_id}|{row.stage.value if row.stage else ''}|{row.event_date}"
    return key if len(key) <= 64 else "h:" + hashlib.sha256(key.encode()).hexdigest()[:62]


class ChildState:
    __slots__ = ("id", "values", "identity")

    def __init__(self, id_: int | None, values: list, identity: list | None) -> None:
        self.id, self.values, self.identity = id_, values, identity


class ChildWriter:
    """Adds and updates children and their identities, and hands out case keys."""

    def __init__(
        self, conn: Connection, bulk: BulkWriter, now: datetime, next_number: int, empty: bool
    ) -> None:
        self.conn, self.bulk, self.now = conn, bulk, now
        self.next_number, self.empty = next_number, empty
        self.children: dict[str, ChildState] = {}

    def _load(self, external_ids: list[str]) -> None:
        if self.empty or not external_ids:
            return
        i = ChildIdentity
        stmt = (
            select(
                Child.id,
                Child.external_id,
                Child.gender,
                Child.birth_year,
                Child.ethnicity,
                Child.disability,
                i.child_id,
                i.given_name,
                i.family_name,
                i.date_of_birth,
                i.address,
                i.postcode,
            )
            .outerjoin(i, i.child_id == Child.id)
            .where(Child.external_id.in_(external_ids))
        )
        for r in self.conn.execute(stmt):
            identity = list(r[7:]) if r[6] is not None else None
            self.children[r[1]] = ChildState(r[0], list(r[2:6]), identity)

    def _all_new(self, rows: Rows, added: set[int]) -> None:
        """The first import into an empty database: every child is new (one pass, no merging)."""
        now, first = self.now, self.next_number
        inserts = [
            (
                r.external_id,
                f"C-{n:04d}",
                r.gender,
                r.date_of_birth.year if r.date_of_birth else None,
                r.ethnicity,
                bool(r.disability),
                now,
                now,
            )
            for n, r in enumerate(rows, start=first)
        ]
        self.next_number = first + len(rows)
        ids = self.bulk.insert(Child.__table__, CHILD_COLS, inserts, ids=True)
        identities = [
            (r.given_name, r.family_name, r.date_of_birth, r.address, r.postcode) for r in rows
        ]
        self.children.update(
            (r.external_id, ChildState(i, list(row[2:6]), list(ident) if any(ident) else None))
            for r, i, row, ident in zip(rows, ids, inserts, identities, strict=True)
        )
        self.bulk.insert(
            ChildIdentity.__table__,
            IDENTITY_COLS,
            [(i, *ident) for i, ident in zip(ids, identities, strict=True) if any(ident)],
        )
        added.update(r.row for r in rows)

    def write(self, rows: Rows, added: set[int], changed: set[int]) -> None:
        if self.empty:
            ids = [r.external_id for r in rows]
            if len(set(ids)) == len(ids) and self.children.keys().isdisjoint(ids):
                self._all_new(rows, added)
                return
        self._load(sorted({r.external_id for r in rows} - self.children.keys()))
        children = self.children
        new_states: list[ChildState] = []
        inserts: list[tuple] = []
        updates: list[tuple] = []
        identity_new: list[ChildState] = []
        identity_updates: dict[int, ChildState] = {}
        now = self.now
        for row in rows:
            born = row.date_of_birth
            ident = (row.given_name, row.family_name, born, row.address, row.postcode)
            state = children.get(row.external_id)
            if state is None:
                values = [
                    row.gender,
                    born.year if born else None,
                    row.ethnicity,
                    bool(row.disability),
                ]
                state = ChildState(None, values, None)
                children[row.external_id] = state
                new_states.append(state)
                inserts.append((row.external_id, f"C-{self.next_number:04d}", *values, now, now))
                self.next_number += 1
                added.add(row.row)
            else:
                wanted = (
                    row.gender or None,
                    born.year if born else None,
                    row.ethnicity or None,
                    row.disability,
                )
                merged = [
                    v if v is not None else old for v, old in zip(wanted, state.values, strict=True)
                ]
                if merged != state.values:
                    state.values = merged
                    if state.id is not None:
                        updates.append((*merged, now, state.id))
                    changed.add(row.row)
            if not any(ident):
                continue
            if state.identity is None:
                state.identity = list(ident)
                identity_new.append(state)
                if row.row not in added:
                    changed.add(row.row)
            else:
                merged_ident = [
                    v if v else old for v, old in zip(ident, state.identity, strict=True)
                ]
                if merged_ident != state.identity:
                    state.identity[:] = merged_ident
                    if state.id is not None:
                        identity_updates[state.id] = state
                    changed.add(row.row)
        ids = self.bulk.insert(Child.__table__, CHILD_COLS, inserts, ids=True)
        for state, new_id in zip(new_states, ids, strict=True):
            state.id = new_id
        self.bulk.update(Child.__table__, (*CHILD_VALUES, "updated_at"), updates)
        self.bulk.insert(
            ChildIdentity.__table__, IDENTITY_COLS, [(s.id, *s.identity) for s in identity_new]
        )  # type: ignore[misc]
        new_ids = {s.id for s in identity_new}
        self.bulk.update(
            ChildIdentity.__table__,
            IDENTITY_VALUES,
            [
                (*s.identity, cid)
                for cid, s in identity_updates.items()  # type: ignore[misc]
                if cid not in new_ids
            ],
            key="child_id",
        )


class CaseFileWriter:
    """Case files of a CIN/CP, looked-after or unallocated list: one per child, list and start."""

    def __init__(
        self,
        conn: Connection,
        bulk: BulkWriter,
        now: datetime,
        people: PeopleIndex,
        source: str,
        empty: bool,
    ) -> None:
        self.conn, self.bulk, self.now, self.people = conn, bulk, now, people
        self.source, self.empty = source, empty

    def _stored(self, child_ids: list[int]) -> dict[tuple[int, date], tuple[int, list]]:
        stored: dict[tuple[int, date], tuple[int, list]] = {}
        if self.empty:
            return stored
        table = CaseFile.__table__
        for chunk in chunked(child_ids, CHUNK):
            stmt = select(table.c.id, table.c.child_id, *(table.c[c] for c in CASE_VALUES)).where(
                table.c.child_id.in_(chunk), table.c.source_list == self.source
            )
            for r in self.conn.execute(stmt):
                stored[(r[1], r[9])] = (r[0], list(r[2:]))
        return stored

    def write(
        self, rows: Rows, children: dict[str, ChildState], added: set[int], changed: set[int]
    ) -> None:
        stored = self._stored(sorted({children[r.external_id].id for r in rows} - {None}))  # type: ignore[misc]
        people = self.people
        teams = {name: people.team_id(name) for name in {r.team for r in rows}}
        workers = {k: people.worker_id(*k) for k in {(r.worker, r.worker_id) for r in rows}}
        iros = {name: people.worker_id(name, iro=True) for name in {r.iro for r in rows}}
        source, now = self.source, self.now
        if not stored:  # nothing stored for these children: every file is new, in one pass
            self.bulk.insert(
                CaseFile.__table__,
                CASE_COLS,
                [
                    (
                        children[r.external_id].id,
                        teams[r.team],
                        workers[(r.worker, r.worker_id)],
                        iros[r.iro],
                        r.stage,
                        r.status,
                        r.legal_status,
                        r.placement_type,
                        r.opened_on,
                        r.closed_on,
                        source,
                        now,
                    )
                    for r in rows
                ],
            )
            added.update(r.row for r in rows)
            return
        inserts, updates = [], []
        for row in rows:
            child_id = children[row.external_id].id
            values = [
                teams[row.team],
                workers[(row.worker, row.worker_id)],
                iros[row.iro],
                row.stage,
                row.status,
                row.legal_status,
                row.placement_type,
                row.opened_on,
                row.closed_on,
            ]
            found = stored.get((child_id, row.opened_on)) if stored else None  # type: ignore[arg-type]
            if found is None:
                inserts.append((child_id, *values, source, now))
                added.add(row.row)
                continue
            old = found[1]
            for k in (0, 1, 2, 5, 6):  # a blank team, worker, IRO, legal status or placement
                if values[k] in (None, ""):  # keeps what is stored
                    values[k] = old[k]
            if values != old:
                updates.append((*values, now, found[0]))
                changed.add(row.row)
        self.bulk.insert(CaseFile.__table__, CASE_COLS, inserts)
        self.bulk.update(CaseFile.__table__, (*CASE_VALUES, "updated_at"), updates)
