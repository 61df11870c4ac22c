"""``caseaudit db info`` and ``caseaudit db upgrade``: what database this is, and migrating it."""

from __future__ import annotations

import argparse

from sqlalchemy import func, select

from ..cli import open_from_args
from ..db import head_revision
from ..models import Audit, CaseFile, Child, Organisation, TemplateVersion, User


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="database information and upgrade")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    info = actions.add_parser("info", help="show which database is open and what it holds")
    info.set_defaults(handler=cmd_info)
    upgrade = actions.add_parser(
        "upgrade", help="create the database or migrate it to this version"
    )
    upgrade.set_defaults(handler=cmd_upgrade)


def cmd_info(args: argparse.Namespace) -> int:
    db = open_from_args(args)
    try:
        with db.session() as s:
            org = s.scalars(select(Organisation).limit(1)).first()
            counts = {
                label: s.scalar(select(func.count()).select_from(model))
                for label, model in (
                    ("children", Child),
                    ("case files", CaseFile),
                    ("template versions", TemplateVersion),
                    ("audits", Audit),
                    ("users", User),
                )
            }
        print(f"Database: {db.description}")
        print(f"Schema:   {head_revision()}")
        if org is not None:
            print(f"Organisation: {org.name}{' (DEMO DATA)' if org.is_demo else ''}")
        for label, count in counts.items():
            print(f"{label.capitalize():>18}: {count}")
    finally:
        db.close()
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    db = open_from_args(args)
    print(f"{db.description} is at schema {head_revision()}.")
    db.close()
    return 0
