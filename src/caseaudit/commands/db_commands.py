"""``caseaudit db``: create a database, say what it is, migrate it, forget its kept key.

``db create`` makes a new local database named by ``--db``: encrypted, with the passphrase from
``--passphrase-file``/``CASEAUDIT_PASSPHRASE`` or asked for twice, or plain with
``--unencrypted REASON`` (logged). ``db forget-key`` removes a key kept by ``--remember-key``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import func, select

from ..cli import ask_new_passphrase, opened, passphrase_from
from ..db import head_revision
from ..errors import CaseAuditError, ValidationError
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
    create = actions.add_parser(
        "create",
        help="create a new, encrypted database (--db FILE; asks for the passphrase twice)",
    )
    create.add_argument(
        "--unencrypted",
        metavar="REASON",
        default=argparse.SUPPRESS,  # the global option's value is kept when not given here
        help="create it WITHOUT encryption, for testing only; the reason is logged",
    )
    create.add_argument(
        "--remember-key",
        action="store_true",
        default=argparse.SUPPRESS,
        help="keep its key in this computer's key store",
    )
    create.set_defaults(handler=cmd_create)
    forget = actions.add_parser(
        "forget-key", help="remove the --db file's key from this computer's key store"
    )
    forget.set_defaults(handler=cmd_forget_key)


def cmd_info(args: argparse.Namespace) -> int:
    with opened(args) as db:
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
        if db.kind != "postgresql":
            print(
                "Encryption: "
                + ("SQLCipher, argon2id key" if db.kind == "sqlcipher" else "Not encrypted")
            )
        if org is not None:
            print(f"Organisation: {org.name}{' (DEMO DATA)' if org.is_demo else ''}")
        for label, count in counts.items():
            print(f"{label.capitalize():>18}: {count}")
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    with opened(args) as db:
        print(f"{db.description} is at schema {head_revision()}.")
    return 0


def _new_file(args: argparse.Namespace) -> Path:
    from ..services.opening import is_new_file, local_file

    if not args.db:
        raise ValidationError(
            "Name the new database file with --db, e.g. caseaudit --db council.sqlite db create. "
            "No file was created."
        )
    path = local_file(args.db)
    if path is None:
        raise ValidationError(
            "db create makes a local database file; a PostgreSQL database is created by its "
            "server's administrator. Nothing was created."
        )
    if not is_new_file(path):
        raise ValidationError(f"There is already a database at {path}. Nothing was changed.")
    return path


def cmd_create(args: argparse.Namespace) -> int:
    from ..services.keystore import OsKeyStore
    from ..services.opening import create_new_database

    path = _new_file(args)
    reason = getattr(args, "unencrypted", None)
    passphrase = passphrase_from(args)
    if not passphrase and not reason:
        passphrase = ask_new_passphrase(str(path))
    db = create_new_database(
        path,
        passphrase,
        unencrypted_reason=reason,
        key_store=OsKeyStore(),
        remember=bool(getattr(args, "remember_key", False)),
        notice=lambda message: print(f"caseaudit: {message}", file=sys.stderr),
    )
    try:
        kind = "an encrypted" if db.kind == "sqlcipher" else "an UNENCRYPTED (testing only)"
        print(f"Created {kind} database at {path}.")
    finally:
        db.close()
    print(f"Next, create its first administrator: caseaudit --db {path} admin create NAME")
    return 0


def cmd_forget_key(args: argparse.Namespace) -> int:
    from ..services.encryption import database_id
    from ..services.keystore import OsKeyStore
    from ..services.opening import local_file

    path = local_file(args.db) if args.db else None
    if path is None:
        raise ValidationError("Name the database file with --db. Nothing was changed.")
    store = OsKeyStore()
    if store.get(database_id(path)) is None:
        if store.problem:
            raise CaseAuditError(f"{store.problem} Nothing was removed.")
        print(f"No key was kept on this computer for {path}.")
        return 0
    store.forget(database_id(path))
    print(f"Forgot the key kept for {path}; its passphrase will be asked for from now on.")
    return 0
