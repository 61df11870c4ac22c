"""Security commands: the trail, backups and restore, retention, passphrase and first administrator.

``caseaudit trail verify|show``, ``caseaudit backup``, ``caseaudit restore FILE``,
``caseaudit retention preview|purge``, ``caseaudit passphrase change`` and
``caseaudit admin create|unlock``. Each calls the same services as the window, signs the user
in with the lockout policy, and prints counts and record numbers, never a child's name.
``trail verify`` exits with status 4 when the trail or a record does not check out.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from contextlib import closing
from pathlib import Path

from ..cli import (
    actor_from_args,
    database_target,
    open_from_args,
    opened,
    passphrase_from,
    signed_in,
)
from ..db import open_database, resolve_url
from ..errors import CaseAuditError, ValidationError
from ..services import accounts, backup, encryption, restore, retention, trail
from ..services.permissions import Permission, require
from ..services.users import UserInfo

TRAIL_BROKEN_EXIT = 4


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("trail", help="verify or show the tamper-evident trail")
    actions = parser.add_subparsers(dest="trail_command", metavar="ACTION", required=True)
    actions.add_parser(
        "verify", help="check every seal and every record against the trail (exit 4 if broken)"
    ).set_defaults(handler=cmd_trail_verify)
    show = actions.add_parser("show", help="list trail entries, newest first")
    show.add_argument("--audit", type=int, metavar="ID", help="only what concerns this audit")
    show.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    show.set_defaults(handler=cmd_trail_show)

    make = sub.add_parser("backup", help="back up the local database now")
    make.add_argument("--to", metavar="DIR", help="folder for the backup (default: backups/)")
    make.set_defaults(handler=cmd_backup)

    put_back = sub.add_parser("restore", help="check a backup and restore it over the database")
    put_back.add_argument("file", metavar="FILE", help="the backup file")
    put_back.add_argument("--check", action="store_true", help="only check the backup")
    put_back.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    put_back.set_defaults(handler=cmd_restore)

    keep = sub.add_parser("retention", help="preview or purge identities of long-closed cases")
    steps = keep.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    for name, text in (("preview", "count what a purge would blank"), ("purge", "purge them")):
        step = steps.add_parser(name, help=text)
        step.add_argument("--years", type=int, metavar="N", help="closed more than N years ago")
        if name == "purge":
            step.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        step.set_defaults(handler=cmd_retention, retention_purge=name == "purge")

    secret = sub.add_parser("passphrase", help="change an encrypted database's passphrase")
    secret_steps = secret.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    change = secret_steps.add_parser("change", help="re-encrypt under a new passphrase")
    change.add_argument("--new-passphrase-file", metavar="FILE", help="read it from FILE")
    change.set_defaults(handler=cmd_passphrase_change)

    admin = sub.add_parser("admin", help="first administrator, and unlocking accounts")
    admin_steps = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    first = admin_steps.add_parser("create", help="create the first administrator (first run)")
    first.add_argument("username")
    first.add_argument("--name", default="", help="display name")
    first.set_defaults(handler=cmd_admin_create)
    unlock = admin_steps.add_parser("unlock", help="lift a lockout after repeated failures")
    unlock.add_argument("username")
    unlock.set_defaults(handler=cmd_admin_unlock)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _new_secret(env: str, file: str | None, what: str) -> str:
    if file:
        return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
    if os.environ.get(env):
        return os.environ[env]
    first = getpass.getpass(f"New {what}: ")
    if getpass.getpass(f"New {what} again: ") != first:
        raise ValidationError(f"The two {what}s were not the same; nothing was changed.")
    return first


def cmd_trail_verify(args: argparse.Namespace) -> int:
    with signed_in(args, direct_key=True) as (db, actor):
        require(actor, Permission.VIEW_TRAIL)
        report = trail.verify(db)
    print(report.reason)
    for mismatch in report.mismatches[:50]:
        print(f"  - {mismatch.describe()}")
    if len(report.mismatches) > 50:
        print(f"  ... and {len(report.mismatches) - 50} more records.")
    for warning in report.warnings:
        print(f"Warning: {warning}")
    if report.entries:
        print(f"Latest seal: {report.head_hash} (entry {report.entries})")
    return 0 if report.ok else TRAIL_BROKEN_EXIT


def _show_value(value: object) -> str:
    text = "—" if value is None or value == "" else str(value)
    return text[:15] + "…" if text.startswith("sha256:") else text


def cmd_trail_show(args: argparse.Namespace) -> int:
    with signed_in(args, direct_key=True) as (db, actor):
        found = trail.events(db, actor, audit_id=args.audit, limit=args.limit)
    for event in found:
        when = trail.iso(event.at)
        print(f"#{event.entry_id:<6} {when} {event.user_name:<16} {event.summary}")
        for name, old, new in event.changes:
            if name != "id" and event.operation != "create":
                print(f"{'':8}{name}: {_show_value(old)} → {_show_value(new)}")
    if not found:
        print("The trail has no entries" + (f" for audit {args.audit}." if args.audit else "."))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with signed_in(args, direct_key=True) as (db, actor):
        require(actor, Permission.ADMINISTER)
        made = backup.backup_database(db, Path(args.to) if args.to else None)
    print(f"Backed up to {made.path} ({made.size // 1024} KB).")
    return 0


def _restore_actor(args: argparse.Namespace, file: Path, passphrase: str | None) -> UserInfo:
    try:
        db = open_from_args(args, direct_key=True)
    except CaseAuditError:
        # The database cannot be opened (lost or damaged): sign in against the backup instead.
        db = open_database(
            file, passphrase=backup.secret_for(file, passphrase), create=False, run_migrations=False
        )
    with closing(db):
        return actor_from_args(args, db)


def cmd_restore(args: argparse.Namespace) -> int:
    file = backup.require_file(Path(args.file))
    passphrase = passphrase_from(args)
    if args.check:
        check = restore.check_backup(file, passphrase)
        print(f"{file.name}: " + ("OK" if check.ok else "FAILED") + f" (schema {check.revision})")
        for problem in check.problems:
            print(f"  - {problem}")
        return 0 if check.ok else TRAIL_BROKEN_EXIT
    _url, kind, target = resolve_url(database_target(args), passphrase)
    if target is None:
        raise ValidationError("Only a local database file can be restored from a backup.")
    actor = _restore_actor(args, file, passphrase)
    if not args.yes and not _confirm(f"Replace {target} with {file.name}?"):
        print("Nothing was restored.")
        return 1
    result = restore.restore(file, target, actor=actor, passphrase=passphrase)
    print(f"Restored {file.name} to {result.target} ({result.check.trail.entries} trail entries).")
    if result.kept_aside is not None:
        print(f"The database it replaced is kept as {result.kept_aside}.")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    with signed_in(args, direct_key=True) as (db, actor):
        preview = retention.preview_purge(db, actor, args.years)
        if preview.children == 0:
            print(
                "No child's identifying details are due for purging: no child has had every "
                f"case file closed on or before {preview.cutoff} ({preview.years} years)."
            )
            return 0
        print(
            f"Children whose cases all closed on or before {preview.cutoff} ({preview.years} "
            f"years): {preview.children} identities, {preview.related_people} related people, "
            f"{preview.case_files} case files; the free text of their {preview.audits} audits "
            "will have these names, dates of birth and addresses taken out."
        )
        if not args.retention_purge:
            return 0
        if not args.yes and not _confirm("Blank these identifying details for good?"):
            print("Nothing was purged.")
            return 1
        done = retention.purge(db, actor, preview.years, expected=preview)
        print(
            f"Purged {done.preview.children} identities and {done.preview.related_people} "
            f"related people's names, and redacted {done.redacted_fields} free-text fields "
            f"(trail entry {done.trail_entry_id})."
        )
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    current = passphrase_from(args)
    if not current:
        raise ValidationError(
            "Give the current passphrase with --passphrase-file or CASEAUDIT_PASSPHRASE."
        )
    with signed_in(args, direct_key=True) as (db, actor):
        new = _new_secret("CASEAUDIT_NEW_PASSPHRASE", args.new_passphrase_file, "passphrase")
        # change_passphrase closes ``db`` itself and hands back the file reopened under the
        # new key; that one is closed here (closing the old one again is harmless).
        encryption.change_passphrase(db, actor, current, new).close()
    print("The passphrase was changed. Use the new one from now on.")
    return 0


def cmd_admin_create(args: argparse.Namespace) -> int:
    with opened(args, direct_key=True, create=True) as db:
        password = os.environ.get("CASEAUDIT_PASSWORD") or _new_secret("", None, "password")
        made = accounts.create_first_administrator(db, args.username, args.name, password)
    print(f"Created the administrator {made.username}.")
    return 0


def cmd_admin_unlock(args: argparse.Namespace) -> int:
    with signed_in(args, direct_key=True) as (db, actor):
        accounts.unlock(db, actor, args.username)
    print(f"{args.username} may sign in again.")
    return 0
