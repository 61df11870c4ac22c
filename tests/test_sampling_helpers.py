"""Helpers shared by the import, sampling, round and programme tests (no tests of their own).

Synthetic case lists are written by the tests themselves with Faker (en_GB, seeded), so every
name in them is invented. ``add_template`` gives a round something to be scored against without
depending on the built-in template files; ``people`` creates the users the tests act as.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from faker import Faker
from sqlalchemy import func, select

from caseaudit.db import Database
from caseaudit.models import AuditTemplate, TemplateVersion
from caseaudit.services.users import UserInfo
from caseaudit.vocabulary import UserRole

from .factories import make_user

TEAMS = ("Duty and Assessment", "Safeguarding North", "Safeguarding South", "Children in Care")
WORKERS = {
    "Duty and Assessment": ("Priya Shah", "Tom Evans"),
    "Safeguarding North": ("Jo Clarke", "Sam Price"),
    "Safeguarding South": ("Ade Okafor", "Lucy Hall"),
    "Children in Care": ("Rhys Morgan", "Beth Lloyd"),
}
MANAGERS = {
    "Duty and Assessment": "Dana Whitfield",
    "Safeguarding North": "Neil Barton",
    "Safeguarding South": "Sara Quayle",
    "Children in Care": "Carys Bevan",
}
IROS = ("Irene Oduya", "Ravi Kumar", "Olwen Jones")


@dataclass
class People:
    qa: UserInfo
    auditor_a: UserInfo
    auditor_b: UserInfo
    reader: UserInfo

    def add(
        self, db: Database, username: str, name: str, role: UserRole, worker_id: int | None = None
    ) -> UserInfo:
        return make_user(db, username, name, role, "password123", worker_id=worker_id)


def people(db: Database) -> People:
    """A QA lead, two auditors and a read-only reviewer (password 'password123')."""
    return People(
        make_user(db, "qa", "Quinn Ashby", UserRole.QA_LEAD, "password123"),
        make_user(db, "amy", "Amy Auditor", UserRole.AUDITOR, "password123"),
        make_user(db, "bob", "Bob Auditor", UserRole.AUDITOR, "password123"),
        make_user(db, "rory", "Rory Reader", UserRole.READ_ONLY, "password123"),
    )


def add_template(db: Database, key: str = "front-door") -> int:
    """A minimal template version (the template engine is not under test here)."""
    with db.session() as s:
        found = s.scalar(select(AuditTemplate.id).where(AuditTemplate.key == key))
        if found is None:
            template = AuditTemplate(key=key, title=f"Test template {key}", theme="Testing")
            s.add(template)
            s.flush()
            found = template.id
        count = s.scalar(
            select(func.count(TemplateVersion.id)).where(TemplateVersion.template_id == found)
        )
        version = TemplateVersion(
            template_id=found,
            version=f"1.{count}",
            scale="ofsted-2009",
            source_text="id: x",
            sha256="0" * 64,
            definition={"id": key},
            question_count=0,
        )
        s.add(version)
        s.flush()
        return version.id


def write_csv(
    path: Path, headers: list[str], rows: list[list], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Case list"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


CP_HEADERS = [
    "Person ID",
    "Forename",
    "Surname",
    "DOB",
    "Plan Type",
    "Plan Start Date",
    "Team Name",
    "Allocated Worker",
    "Team Manager",
]


def cin_cp_rows(count: int, seed: int = 1, start: int = 1) -> list[list]:
    """Rows of a synthetic CIN/CP list (invented people) in the CP_HEADERS layout."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    for number in range(start, start + count):
        team = rng.choice(TEAMS[:3])
        born = date(2008, 1, 1) + timedelta(days=rng.randrange(5000))
        opened = date(2024, 1, 1) + timedelta(days=rng.randrange(360))
        rows.append(
            [
                f"P{number:06d}",
                fake.first_name(),
                fake.last_name(),
                born.strftime("%d/%m/%Y"),
                rng.choice(["CIN", "CP", "Child Protection", "Child in Need"]),
                opened.strftime("%d/%m/%Y"),
                team,
                rng.choice(WORKERS[team]),
                MANAGERS[team],
            ]
        )
    return rows


LAC_HEADERS = [
    "Child ID",
    "Name",
    "Date of Birth",
    "Date became LAC",
    "Legal Status",
    "Placement Type",
    "Out of area",
    "IRO",
    "Team",
    "Allocated Worker",
    "Care leaver",
]


def lac_rows(count: int, seed: int = 2, start: int = 1) -> list[list]:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    for number in range(start, start + count):
        born = date(2006, 1, 1) + timedelta(days=rng.randrange(6000))
        opened = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
        rows.append(
            [
                f"L{number:06d}",
                fake.name(),
                born.isoformat(),
                f"{opened.day} {opened:%b %Y}",
                rng.choice(["C2", "V2", "J2"]),
                rng.choice(["Foster care", "Residential"]),
                rng.choice(["Y", "N", ""]),
                rng.choice(IROS),
                "Children in Care",
                rng.choice(WORKERS["Children in Care"]),
                rng.choice(["", "", "", "Yes"]),
            ]
        )
    return rows


EVENT_HEADERS = [
    "Event ID",
    "Child ID",
    "Forename",
    "Surname",
    "Event Type",
    "Event Date",
    "Completed",
    "Outcome",
    "Team",
    "Worker",
]


def event_rows(count: int, seed: int = 3) -> list[list]:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    names: dict[str, tuple[str, str]] = {}
    for number in range(1, count + 1):
        child = f"E{rng.randrange(1, max(2, count // 2)):06d}"
        given, family = names.setdefault(child, (fake.first_name(), fake.last_name()))
        started = date(2024, 9, 1) + timedelta(days=rng.randrange(150))
        outcome = rng.choice(["Proceeded", "Did not proceed", "NFA", "Ongoing"])
        done = "" if outcome == "Ongoing" else (started + timedelta(days=3)).strftime("%d/%m/%Y")
        rows.append(
            [
                f"EV{number:06d}",
                child,
                given,
                family,
                rng.choice(
                    ["Contact", "Referral", "Re-referral", "Single Assessment", "S47", "ICPC"]
                ),
                started.strftime("%d/%m/%Y"),
                done,
                outcome,
                "Duty and Assessment",
                rng.choice(WORKERS["Duty and Assessment"]),
            ]
        )
    return rows
