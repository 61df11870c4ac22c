"""The size of the chunks an import is written in never changes what ends up stored.

With one big chunk, a first import takes the column-by-column paths (every child new, no case
file stored); with chunks of three rows, children named again in a later chunk are read back
from the database and merged row by row. Both must store the same children, identities, case
keys, case files and events, and count the same added / updated / unchanged rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from caseaudit.db import Database
from caseaudit.services.importer import import_file

from .test_sampling_helpers import (
    CP_HEADERS,
    EVENT_HEADERS,
    LAC_HEADERS,
    cin_cp_rows,
    event_rows,
    lac_rows,
    people,
    write_csv,
)

STORED = {
    "child": "SELECT external_id, case_key, gender, birth_year, ethnicity, disability FROM child",
    "child_identity": "SELECT c.external_id, i.given_name, i.family_name, i.date_of_birth, "
    "i.address, i.postcode FROM child_identity i JOIN child c ON c.id = i.child_id",
    "case_file": "SELECT c.external_id, t.name, w.name, f.current_stage, f.status, "
    "f.legal_status, f.placement_type, f.opened_on, f.closed_on, f.source_list FROM case_file f "
    "JOIN child c ON c.id = f.child_id LEFT JOIN team t ON t.id = f.team_id "
    "LEFT JOIN worker w ON w.id = f.worker_id",
    "pathway_event": "SELECT e.external_id, c.external_id, e.stage, e.started_on, "
    "e.completed_on, e.outcome FROM pathway_event e JOIN case_file f ON f.id = e.case_file_id "
    "JOIN child c ON c.id = f.child_id",
}


def stored(db: Database) -> dict[str, list]:
    with db.engine.connect() as conn:
        return {
            name: sorted((tuple(map(str, row)) for row in conn.execute(text(sql))), key=repr)
            for name, sql in STORED.items()
        }


LISTS = {
    "cin-cp": (CP_HEADERS, lambda: cin_cp_rows(25)),
    "lac": (LAC_HEADERS, lambda: lac_rows(25)),
    "events": (EVENT_HEADERS, lambda: event_rows(40)),
}


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_small_and_large_chunks_store_the_same(database, tmp_path, monkeypatch, kind):
    headers, make = LISTS[kind]
    rows = make()
    path = write_csv(tmp_path / f"{kind}.csv", headers, rows)
    later = [list(r) for r in reversed(rows)]  # the same list again, in another order
    again = write_csv(tmp_path / f"{kind}-again.csv", headers, later)
    who = people(database)
    outcomes = []
    for size in (10_000, 3):
        monkeypatch.setattr("caseaudit.services.importer_write.CHUNK", size)
        with database.engine.begin() as conn:  # start again from an empty database
            for table in (
                "pathway_event",
                "case_file",
                "child_identity",
                "child",
                "worker",
                "team",
            ):
                conn.execute(text(f"DELETE FROM {table}"))
        first = import_file(database, who.qa, path, kind)[1]
        second = import_file(database, who.qa, again, kind)[1]
        counts = [(s.added, s.updated, s.unchanged, s.rejected) for s in (first, second)]
        outcomes.append((counts, stored(database)))
    (big_counts, big), (small_counts, small) = outcomes
    assert big_counts == small_counts
    assert big_counts[1][0] == 0  # importing the same rows again adds nothing
    assert big == small
    assert len(big["child"]) == len({row[0] for row in big["child"]}) > 0
