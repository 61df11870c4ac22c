"""The row writers behind ``apply_import``: children and their identities, and case files.

Each writer works on one chunk of rows at a time on the import's connection and says, per row,
whether it added or changed something. Children are matched by external ID and case files by
child, list and start date (``importer_events`` writes events lists). A blank cell never erases
what is stored. Rows come column by column (``ValidRows``): when every child of a chunk is new
(the first import into an empty database) and when no case file is stored for a chunk's
children, rows are inserted straight from the columns; otherwise they are merged one by one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from itertools import compress

from sqlalchemy import Connection, select

from ..models import CaseFile, Child, ChildIdentity
from .importer_bulk import BulkWriter, PeopleIndex, chunked
from .importer_rows import ParsedRow, ValidRows

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
#: The ``ParsedRow`` fields behind the case-file columns after the team, worker and IRO ids.
CASE_ROW_FIELDS = ("stage", "status", "legal_status", "placement_type", "opened_on", "closed_on")
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
    """Adds and updates children and their identities, and hands out case keys.

    ``ids`` maps the external ID of every child this import has written or looked up to its id;
    ``states`` holds what is stored for the children a merge needed. Children added column by
    column get no state: should a later row name one again, it is read back from the database.
    """

    def __init__(
        self, conn: Connection, bulk: BulkWriter, now: datetime, next_number: int, empty: bool
    ) -> None:
        self.conn, self.bulk, self.now = conn, bulk, now
        self.next_number, self.empty = next_number, empty
        self.ids: dict[str, int] = {}
        self.states: dict[str, ChildState] = {}

    def _load(self, external_ids: list[str]) -> None:
        i = ChildIdentity
        for chunk in chunked(external_ids, CHUNK):
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
                .where(Child.external_id.in_(chunk))
            )
            for r in self.conn.execute(stmt):
                identity = list(r[7:]) if r[6] is not None else None
                self.states[r[1]] = ChildState(r[0], list(r[2:6]), identity)
                self.ids[r[1]] = r[0]

    def _all_new(self, rows: ValidRows, added: set[int]) -> None:
        """Every child in ``rows`` is new: insert them column by column, no merging."""
        first, count, now = self.next_number, len(rows), self.now
        self.next_number = first + count
        born = rows["date_of_birth"]
        years = {d: d.year for d in set(born) if d is not None} | {None: None}
        external = rows["external_id"]
        ids = self.bulk.insert_columns(
            Child.__table__,
            CHILD_COLS,
            [
                external,
                list(map("C-{:04d}".format, range(first, first + count))),
                rows["gender"],
                list(map(years.__getitem__, born)),
                rows["ethnicity"],
                list(map(bool, rows["disability"])),
                [now] * count,
                [now] * count,
            ],
            ids=True,
        )
        self.ids.update(zip(external, ids, strict=True))
        identity = [rows[name] for name in IDENTITY_VALUES]
        given = rows["given_name"]
        present = [True] if "" not in given else list(map(any, zip(*identity, strict=True)))
        if not all(present):  # a child the list gives no name, birth date or address for
            identity = [list(compress(column, present)) for column in identity]
            ids = list(compress(ids, present))
        self.bulk.insert_columns(ChildIdentity.__table__, IDENTITY_COLS, [ids, *identity])
        added.update(rows["row"])

    def write(self, rows: ValidRows, added: set[int], changed: set[int]) -> None:
        external = rows["external_id"]
        if (
            self.empty
            and len(set(external)) == len(external)
            and self.ids.keys().isdisjoint(external)
        ):
            self._all_new(rows, added)
            return
        wanted = set(external) - self.states.keys()
        if self.empty:  # only children this import added can be stored
            wanted &= self.ids.keys()
        self._load(sorted(wanted))
        self._merge(rows.rows(), added, changed)

    def _merge(self, rows: Rows, added: set[int], changed: set[int]) -> None:
        """Rows one by one against what is stored: add new children, fill in and update others."""
        children = self.states
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
        self.ids.update((row.external_id, children[row.external_id].id) for row in rows)  # type: ignore[misc]
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
        for chunk in chunked(sorted(set(child_ids)), CHUNK):
            stmt = select(table.c.id, table.c.child_id, *(table.c[c] for c in CASE_VALUES)).where(
                table.c.child_id.in_(chunk), table.c.source_list == self.source
            )
            for r in self.conn.execute(stmt):
                stored[(r[1], r[9])] = (r[0], list(r[2:]))
        return stored

    def write(
        self, rows: ValidRows, child_ids: dict[str, int], added: set[int], changed: set[int]
    ) -> None:
        children = list(map(child_ids.__getitem__, rows["external_id"]))
        stored = self._stored(children)
        people = self.people
        teams = {name: people.team_id(name) for name in set(rows["team"])}
        staff = list(zip(rows["worker"], rows["worker_id"], strict=True))
        workers = {key: people.worker_id(*key) for key in set(staff)}
        iros = {name: people.worker_id(name, iro=True) for name in set(rows["iro"])}
        source, now, count = self.source, self.now, len(rows)
        if not stored:  # nothing stored for these children: every file is new, in one pass
            self.bulk.insert_columns(
                CaseFile.__table__,
                CASE_COLS,
                [
                    children,
                    list(map(teams.__getitem__, rows["team"])),
                    list(map(workers.__getitem__, staff)),
                    list(map(iros.__getitem__, rows["iro"])),
                    *(rows[name] for name in CASE_ROW_FIELDS),
                    [source] * count,
                    [now] * count,
                ],
            )
            added.update(rows["row"])
            return
        inserts, updates = [], []
        for row, child_id in zip(rows.rows(), children, strict=True):
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
