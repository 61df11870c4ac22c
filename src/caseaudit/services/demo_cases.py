"""Writing the demo local authority's staff, children and case files with bulk inserts.

The organisation, its teams and workers come first (a children's services department as it is
usually organised), then the children in chunks: each chunk's ``Child``, ``ChildIdentity``,
``RelatedPerson``, ``CaseFile`` and ``PathwayEvent`` rows are built as plain dicts with primary
keys chosen here, so rows link up without round trips, and written with one executemany per
table. The caller owns the transaction; ``tick`` is called after every chunk so the build can
report progress and be cancelled.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..models import (
    CaseFile,
    Child,
    ChildIdentity,
    Organisation,
    PathwayEvent,
    RelatedPerson,
    Team,
    Worker,
)
from ..vocabulary import CaseStatus, PathwayStage, WorkerRole
from .demo_bulk import BulkInsert
from .demo_journeys import CaseJourneys
from .demo_people import NamePools, pick_ethnicity, pick_gender, related_people

ORGANISATION_NAME = "Demo Borough Council (synthetic data)"
CHUNK = 1000

#: (team key, area or None, team name, service, social workers)
TEAMS: tuple[tuple[str, str | None, str, str, int], ...] = (
    ("front_door", None, "Front door / MASH", "Front door and assessment", 6),
    ("assessment", "North", "Duty and assessment North", "Front door and assessment", 7),
    ("assessment", "South", "Duty and assessment South", "Front door and assessment", 7),
    ("safeguarding", "North", "Safeguarding North", "Safeguarding and family support", 8),
    ("safeguarding", "South", "Safeguarding South", "Safeguarding and family support", 8),
    ("cin", None, "Children in need", "Safeguarding and family support", 7),
    ("disabled", None, "Disabled children", "Safeguarding and family support", 5),
    ("in_care", None, "Children in care", "Children in care and care leavers", 10),
    ("leaving_care", None, "Leaving care", "Children in care and care leavers", 1),
    ("iro", None, "IRO service", "Quality assurance and safeguarding", 0),
    ("qa", None, "Quality assurance", "Quality assurance and safeguarding", 1),
)
SERVICES = (
    "Front door and assessment",
    "Safeguarding and family support",
    "Children in care and care leavers",
)
IRO_COUNT = 8
#: The team whose manager each demo user is (the auditor manages Leaving care, so the files of
#: the CP/CIN audit round are never their own team's).
LINKED_MANAGERS = {"auditor": "leaving_care", "iro.manager": "iro", "qa.lead": "qa"}
PERSONAL_ADVISERS = 6


@dataclass
class Staff:
    """Who works where: ids of the teams and workers just written."""

    organisation_id: int = 1
    team_ids: dict[tuple[str, str | None], int] = field(default_factory=dict)
    team_names: dict[int, str] = field(default_factory=dict)
    social_workers: dict[int, list[int]] = field(default_factory=dict)  # team id → worker ids
    managers: dict[str, int] = field(default_factory=dict)  # team key → team manager id
    team_managers: dict[int, int] = field(default_factory=dict)  # team id → team manager id
    iros: list[int] = field(default_factory=list)
    advisers: list[int] = field(default_factory=list)
    worker_names: dict[int, str] = field(default_factory=dict)

    def team_for(self, key: str, area: str) -> int:
        return self.team_ids.get((key, area)) or self.team_ids[(key, None)]


@dataclass(frozen=True)
class FrameRow:
    """What the audit builder needs to know about one case file."""

    case_id: int
    child_id: int
    stage: PathwayStage
    status: CaseStatus
    team_id: int
    worker_id: int | None
    iro_id: int | None
    opened_on: date
    closed_on: date | None


def insert_staff(session: Session, rng: random.Random, pools: NamePools) -> Staff:
    staff = Staff()
    session.execute(
        insert(Organisation),
        [
            {
                "id": 1,
                "name": ORGANISATION_NAME,
                "is_demo": True,
                "settings": {"demo": True, "bank_holidays": "england-and-wales"},
            },
        ],
    )
    teams, workers = [], []

    def worker(name: str, role: WorkerRole, team_id: int | None) -> int:
        wid = len(workers) + 1
        workers.append(
            {
                "id": wid,
                "external_id": f"W{wid:04d}",
                "name": name,
                "role": role.value,
                "team_id": team_id,
                "active": True,
            }
        )
        staff.worker_names[wid] = name
        return wid

    for key, area, name, service, social_workers in TEAMS:
        tid = len(teams) + 1
        teams.append({"id": tid, "organisation_id": 1, "name": name, "service": service})
        staff.team_ids[(key, area)] = tid
        staff.team_names[tid] = name
        manager = worker(pools.person(rng, pick_gender(rng)), WorkerRole.TEAM_MANAGER, tid)
        staff.managers[key if area is None else f"{key}:{area}"] = manager
        staff.team_managers[tid] = manager
        staff.social_workers[tid] = [
            worker(pools.person(rng, pick_gender(rng)), WorkerRole.SOCIAL_WORKER, tid)
            for _ in range(social_workers)
        ]
        if key == "iro":
            staff.iros = [
                worker(pools.person(rng, pick_gender(rng)), WorkerRole.IRO, tid)
                for _ in range(IRO_COUNT)
            ]
        if key == "leaving_care":
            staff.advisers = [
                worker(pools.person(rng, pick_gender(rng)), WorkerRole.PERSONAL_ADVISER, tid)
                for _ in range(PERSONAL_ADVISERS)
            ]
    for _service in SERVICES:
        worker(pools.person(rng, pick_gender(rng)), WorkerRole.SERVICE_MANAGER, None)
    session.execute(insert(Team), teams)
    session.execute(insert(Worker), workers)
    return staff


def _allocate(
    rng: random.Random, staff: Staff, team_key: str, team_id: int, open_file: bool
) -> int | None:
    if team_key == "leaving_care":
        return rng.choice(staff.advisers)
    if team_key == "qa":
        return staff.social_workers[team_id][0]  # the LADO
    if open_file and team_key in ("front_door", "assessment", "cin") and rng.random() < 0.04:
        return None  # unallocated
    return rng.choice(staff.social_workers[team_id])


CHILD_COLUMNS = (
    "id",
    "external_id",
    "case_key",
    "gender",
    "birth_year",
    "ethnicity",
    "disability",
    "created_at",
    "updated_at",
)
IDENTITY_COLUMNS = (
    "child_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "postcode",
    "purged_at",
)
RELATIVE_COLUMNS = ("id", "child_id", "name", "relationship_to_child")
CASE_COLUMNS = (
    "id",
    "child_id",
    "team_id",
    "worker_id",
    "iro_worker_id",
    "current_stage",
    "status",
    "legal_status",
    "placement_type",
    "opened_on",
    "closed_on",
    "source_list",
    "updated_at",
)
EVENT_COLUMNS = (
    "id",
    "case_file_id",
    "external_id",
    "stage",
    "started_on",
    "completed_on",
    "outcome",
    "detail",
)


def insert_cases(
    session: Session,
    rng: random.Random,
    pools: NamePools,
    journeys: CaseJourneys,
    staff: Staff,
    *,
    scale: int,
    stamp: datetime,
    tick: Callable[[int], None],
) -> tuple[list[FrameRow], int]:
    """Write ``scale`` children with one case file each; return the frame and the event count."""
    write = BulkInsert(session)
    width = max(4, len(str(scale)))
    pids = rng.sample(range(1_000_000, 10_000_000), scale)
    frame: list[FrameRow] = []
    related_id = event_id = 0
    for first in range(1, scale + 1, CHUNK):
        children: list[tuple] = []
        identities: list[tuple] = []
        relatives: list[tuple] = []
        cases: list[tuple] = []
        events: list[tuple] = []
        for cid in range(first, min(first + CHUNK, scale + 1)):
            gender = pick_gender(rng)
            disabled = rng.random() < 0.09
            area = "North" if rng.random() < 0.5 else "South"
            plan = journeys.plan(journeys.pick_stage(), disabled=disabled)
            family = pools.family_name(rng)
            children.append(
                (
                    cid,
                    f"PID{pids[cid - 1]}",
                    f"C-{cid:0{width}d}",
                    gender,
                    plan.dob.year,
                    pick_ethnicity(rng),
                    disabled,
                    stamp,
                    stamp,
                )
            )
            address, postcode = pools.address(rng, area)
            identities.append(
                (cid, pools.given_name(rng, gender), family, plan.dob, address, postcode, None)
            )
            looked_after = plan.needs_iro or plan.stage is PathwayStage.CARE_LEAVER
            for name, relation in related_people(rng, pools, family, looked_after=looked_after):
                related_id += 1
                relatives.append((related_id, cid, name, relation))
            team_id = staff.team_for(plan.team, area)
            open_file = plan.status is CaseStatus.OPEN
            worker_id = _allocate(rng, staff, plan.team, team_id, open_file)
            iro_id = rng.choice(staff.iros) if plan.needs_iro else None
            cases.append(
                (
                    cid,
                    cid,
                    team_id,
                    worker_id,
                    iro_id,
                    plan.stage.value,
                    plan.status.value,
                    plan.legal_status,
                    plan.placement_type,
                    plan.opened_on,
                    plan.closed_on,
                    "demo",
                    stamp,
                )
            )
            for stage, started, completed, outcome, detail in plan.events:
                event_id += 1
                events.append(
                    (event_id, cid, None, stage.value, started, completed, outcome.value, detail)
                )
            frame.append(
                FrameRow(
                    cid,
                    cid,
                    plan.stage,
                    plan.status,
                    team_id,
                    worker_id,
                    iro_id,
                    plan.opened_on,
                    plan.closed_on,
                )
            )
        write(Child.__table__, CHILD_COLUMNS, children)
        write(ChildIdentity.__table__, IDENTITY_COLUMNS, identities)
        write(RelatedPerson.__table__, RELATIVE_COLUMNS, relatives)
        write(CaseFile.__table__, CASE_COLUMNS, cases)
        write(PathwayEvent.__table__, EVENT_COLUMNS, events)
        tick(len(frame))
    return frame, event_id
