"""Fast, portable bulk writes for imports, and finding or creating the teams and workers a list names.

``BulkWriter`` inserts and updates many rows on one connection inside the caller's transaction.
On SQLite (plain or SQLCipher) it hands rows straight to the driver's ``executemany`` after
converting dates, times, flags and enumerations exactly as SQLAlchemy would, which keeps a
100,000-row import close to raw ``sqlite3`` speed; on PostgreSQL it uses SQLAlchemy Core's
batched ``insertmanyvalues`` with ``RETURNING``. ``resolve_people`` matches the teams and workers
named in a list to existing records (teams by name, workers by their system ID or by name) and
creates the missing ones, so counts of what was created can be reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from ..models import Organisation, Team, Worker
from ..vocabulary import WorkerRole

Processor = Callable[[Any], Any] | None


class BulkWriter:
    """Insert or update many rows of one table at a time on ``conn``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.fast = conn.dialect.name == "sqlite"
        self._cache: dict[tuple[str, tuple[str, ...]], list[Processor]] = {}
        self._memo: dict[tuple[str, str], dict] = {}  # bound forms of values seen, per column

    def _processors(self, table: Table, columns: Sequence[str]) -> list[Processor]:
        key = (table.name, tuple(columns))
        if key not in self._cache:
            dialect = self.conn.dialect
            self._cache[key] = [
                table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
            ]
        return self._cache[key]

    def _bind(self, table: Table, name: str, proc: Processor, values: Sequence) -> Sequence:
        """``values`` as SQLAlchemy would bind them, each distinct value converted once (dates,
        times and enumerations repeat a great deal)."""
        if proc is None:
            return values
        memo = self._memo.setdefault((table.name, name), {None: None})
        distinct = set(values)
        for value in distinct - memo.keys():
            memo[value] = proc(value)
        if len(distinct) == 1:  # a column of one value (a time stamp, a list's name)
            return [memo[values[0]]] * len(values)
        return list(map(memo.__getitem__, values))

    def _convert(self, table: Table, columns: Sequence[str], rows: list[tuple]) -> list[tuple]:
        """Rows with each value as SQLAlchemy would bind it, converted column by column."""
        procs = self._processors(table, columns)
        if all(p is None for p in procs):
            return rows
        cols = list(zip(*rows, strict=True))
        bound = [self._bind(table, n, p, c) for n, p, c in zip(columns, procs, cols, strict=True)]
        return list(zip(*bound, strict=True))

    def insert(
        self, table: Table, columns: Sequence[str], rows: list[tuple], *, ids: bool = False
    ) -> list[int]:
        """Insert ``rows`` (tuples in ``columns`` order); return the new ids in order if asked."""
        if not rows:
            return []
        if not self.fast:
            return self._insert_core(table, columns, rows, ids)
        return self._insert_fast(table, columns, self._convert(table, columns, rows), ids)

    def insert_columns(
        self, table: Table, columns: Sequence[str], values: Sequence[Sequence], *, ids: bool = False
    ) -> list[int]:
        """Insert rows given column by column (``values[i]`` holds every row's ``columns[i]``)."""
        if not values or not len(values[0]):
            return []
        if not self.fast:
            return self._insert_core(table, columns, list(zip(*values, strict=True)), ids)
        procs = self._processors(table, columns)
        bound = [self._bind(table, n, p, v) for n, p, v in zip(columns, procs, values, strict=True)]
        return self._insert_fast(table, columns, list(zip(*bound, strict=True)), ids)

    def _insert_core(
        self, table: Table, columns: Sequence[str], rows: list[tuple], ids: bool
    ) -> list[int]:
        stmt = insert(table)
        params = [dict(zip(columns, row, strict=True)) for row in rows]
        if ids:
            stmt = stmt.returning(table.c.id, sort_by_parameter_order=True)
            return [r[0] for r in self.conn.execute(stmt, params)]
        self.conn.execute(stmt, params)
        return []

    def _insert_fast(
        self, table: Table, columns: Sequence[str], rows: list[tuple], ids: bool
    ) -> list[int]:
        before = 0
        if ids:
            before = self.conn.exec_driver_sql(
                f"SELECT coalesce(max(id), 0) FROM {table.name}"
            ).scalar_one()
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows
        )
        if not ids:
            return []
        # This transaction holds SQLite's write lock and SQLite gives each new row max(id) + 1,
        # so the new ids are before+1 ... before+n in insertion order; check, do not assume.
        after = self.conn.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar_one()
        if after != before + len(rows):
            raise RuntimeError(f"bulk insert into {table.name}: id check failed")
        return list(range(before + 1, after + 1))

    def update(
        self, table: Table, columns: Sequence[str], rows: list[tuple], *, key: str = "id"
    ) -> None:
        """Update by ``key``: each row is the new values in ``columns`` order, then the key."""
        if not rows:
            return
        if self.fast:
            sets = ", ".join(f"{c} = ?" for c in columns)
            converted = self._convert(table, [*columns, key], rows)
            self.conn.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE {key} = ?", converted)
            return
        stmt = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(f"_v_{c}") for c in columns})
        )
        params = [
            {**{f"_v_{c}": v for c, v in zip(columns, row[:-1], strict=True)}, "_key": row[-1]}
            for row in rows
        ]
        self.conn.execute(stmt, params)


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class PeopleIndex:
    """Ids of the teams and workers a list names, and how many had to be created."""

    teams: dict[str, int]  # casefolded team name -> id
    workers: dict[tuple[str, str], int]  # (kind, casefolded name or system ID) -> id
    teams_created: int = 0
    workers_created: int = 0
    _seen: dict[tuple[str, str, bool], int | None] = field(default_factory=dict)

    def team_id(self, name: str) -> int | None:
        if not name:
            return None
        key = ("team", name, False)
        if key not in self._seen:
            self._seen[key] = self.teams.get(name.casefold())
        return self._seen[key]

    def worker_id(self, name: str, system_id: str = "", *, iro: bool = False) -> int | None:
        if not (name or system_id):
            return None
        key = (name, system_id, iro)
        if key not in self._seen:
            if system_id:
                found = self.workers.get(("id", system_id))
            else:
                found = self.workers.get(("iro" if iro else "staff", name.casefold()))
            self._seen[key] = found
        return self._seen[key]


def _organisation_id(conn: Connection) -> int:
    org_id = conn.execute(select(Organisation.id).order_by(Organisation.id).limit(1)).scalar()
    if org_id is None:
        org_id = conn.execute(
            insert(Organisation).values(name="Local authority", is_demo=False, settings={})
        ).inserted_primary_key[0]
    return int(org_id)


def resolve_people(
    conn: Connection,
    teams_named: dict[str, str],
    workers_named: list[tuple[str, str, WorkerRole, str]],
) -> PeopleIndex:
    """Find or create each team (casefold → as written) and worker (name, system ID, role, team)."""
    index = PeopleIndex(teams={}, workers={})
    for team_id, name in conn.execute(select(Team.id, Team.name)):
        index.teams[name.casefold()] = team_id
    missing = [written for key, written in teams_named.items() if key not in index.teams]
    if missing:
        org_id = _organisation_id(conn)
        for name in sorted(missing):
            team_id = conn.execute(
                insert(Team).values(organisation_id=org_id, name=name, service="")
            ).inserted_primary_key[0]
            index.teams[name.casefold()] = team_id
            index.teams_created += 1
    roles: dict[int, tuple[WorkerRole, int | None]] = {}
    for worker_id, system_id, name, role, team_id in conn.execute(
        select(Worker.id, Worker.external_id, Worker.name, Worker.role, Worker.team_id).order_by(
            Worker.id
        )
    ):
        roles[worker_id] = (role, team_id)
        if system_id:
            index.workers.setdefault(("id", system_id), worker_id)
        kind = "iro" if role == WorkerRole.IRO else "staff"
        index.workers.setdefault((kind, name.casefold()), worker_id)
    for name, system_id, role, team in workers_named:
        kind = "iro" if role == WorkerRole.IRO else "staff"
        key = ("id", system_id) if system_id else (kind, name.casefold())
        team_id = index.team_id(team)
        existing = index.workers.get(key)
        if existing is None:
            existing = conn.execute(
                insert(Worker).values(
                    external_id=system_id or None,
                    name=name,
                    role=role,
                    team_id=team_id if role != WorkerRole.IRO else None,
                    active=True,
                )
            ).inserted_primary_key[0]
            index.workers[key] = existing
            index.workers.setdefault((kind, name.casefold()), existing)
            roles[existing] = (role, team_id)
            index.workers_created += 1
        elif role == WorkerRole.TEAM_MANAGER:
            old_role, old_team = roles[existing]
            if old_role == WorkerRole.SOCIAL_WORKER or (old_team is None and team_id):
                new_role = WorkerRole.TEAM_MANAGER
                conn.execute(
                    update(Worker)
                    .where(Worker.id == existing)
                    .values(role=new_role, team_id=old_team or team_id)
                )
                roles[existing] = (new_role, old_team or team_id)
    return index
