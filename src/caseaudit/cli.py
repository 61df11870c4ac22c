"""The headless front door: ``caseaudit [global options] [COMMAND ...]``.

With no command it opens the GUI on the chosen database (the demo database by default). Each
sub-command lives in a small module under ``caseaudit.commands`` that registers its parser and
calls the same services the GUI uses. Errors a user can act on (``CaseAuditError``) are printed
as one plain sentence on stderr with a non-zero exit code; nothing else is printed, and no child's
name is ever written to the log.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__, paths
from .db import Database
from .errors import AuthenticationFailed, CaseAuditError
from .services.users import UserInfo

log = logging.getLogger("caseaudit")

#: Sub-command modules under caseaudit.commands, each with ``register(subparsers)``.
COMMAND_MODULES = (
    "db_commands",
    "templates",
    "demo",
    "users",
    "security",
    "importer",
    "rounds",
    "programmes",
    "audits",
    "reports",
)


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseaudit",
        description="Audit children's social care case files. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"caseaudit {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder for the database and backups (default: $CASEAUDIT_DATA_DIR or the "
        "platform's user data folder)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database to use: a SQLite file path, sqlite:///FILE, sqlcipher:///FILE (encrypted) "
        "or postgresql://user@host/name (default: the demo database in the data folder)",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the passphrase of an encrypted database from FILE (or set CASEAUDIT_PASSPHRASE)",
    )
    parser.add_argument(
        "--unencrypted",
        metavar="REASON",
        help="create a new local database WITHOUT encryption, for testing only; the reason is "
        "logged (a new database is otherwise encrypted and needs a passphrase)",
    )
    parser.add_argument(
        "--remember-key",
        action="store_true",
        help="keep the encrypted database's key (never the passphrase) in this computer's key "
        "store, so it opens without the passphrase (undo with: caseaudit db forget-key)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="act as this user (password from $CASEAUDIT_PASSWORD or asked for); "
        "commands that change data need it",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"caseaudit.commands.{name}").register(sub)
    return parser


def passphrase_from(args: argparse.Namespace) -> str | None:
    if args.passphrase_file:
        return Path(args.passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
    return os.environ.get("CASEAUDIT_PASSPHRASE") or None


def database_target(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    return str(paths.demo_database_path(args.data_dir))


def ask_new_passphrase(path: str) -> str | None:
    """Ask twice for a new database's passphrase (only when someone is at a terminal)."""
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(f"Passphrase for the new encrypted database {path}: ")
    if not first:
        return None
    if getpass.getpass("The same passphrase again: ") != first:
        from .errors import ValidationError

        raise ValidationError("The two passphrases are not the same. No file was created.")
    return first


def ask_passphrase(path: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Passphrase for {path}: ") or None


def _notice(message: str) -> None:
    print(f"caseaudit: {message}", file=sys.stderr)


def open_from_args(
    args: argparse.Namespace,
    *,
    demo: bool = False,
    create: bool = False,
    direct_key: bool = False,
) -> Database:
    """Open the database the global options name, with a backup before any migration and
    today's rotating backup. A missing local file is refused unless the command is one that
    makes a database (``create``, ``demo`` for the demo database, or an explicit
    ``--unencrypted REASON``); then it is created
    encrypted (the passphrase from --passphrase-file, CASEAUDIT_PASSPHRASE or asked for twice),
    or plain with --unencrypted, or refused; see ``services.opening``. So a mistyped path never
    leaves an empty database behind. ``direct_key``: when a passphrase is given for an existing
    local file, open it with that passphrase alone (argon2id key, no backups, no key store), as
    the security commands do."""
    from .errors import NotFound
    from .services.keystore import OsKeyStore
    from .services.opening import is_new_file, local_file, open_for_use

    target = database_target(args)
    path = local_file(target)
    if path is not None and is_new_file(path) and not demo:
        if not args.db:
            raise NotFound(
                f"There is no demo database in {path.parent} yet. Build it with: caseaudit "
                "demo (or name another database with --db). Nothing was created."
            )
        if not create and not getattr(args, "unencrypted", None):
            raise NotFound(
                f"There is no database at {path}. Check the path; to make a new one, use: "
                f"caseaudit --db {path} db create. No file was created."
            )
    elif direct_key and (passphrase := passphrase_from(args)):
        from .db import resolve_url
        from .services.encryption import open_encrypted_database

        _url, kind, file = resolve_url(target, passphrase)
        if kind == "sqlcipher" and file is not None:
            return open_encrypted_database(file, passphrase, create=False)
    return open_for_use(
        target,
        passphrase_from(args),
        unencrypted_reason=getattr(args, "unencrypted", None),
        key_store=OsKeyStore(),
        remember=bool(getattr(args, "remember_key", False)),
        demo=demo,
        ask_new=lambda: ask_new_passphrase(str(path or target)),
        ask=lambda: ask_passphrase(str(path or target)),
        notice=_notice,
    )


def actor_from_args(args: argparse.Namespace, db: Database) -> UserInfo:
    """Sign in the user named by ``--user`` (or ``$CASEAUDIT_USER``) with their password."""
    username = args.user or os.environ.get("CASEAUDIT_USER")
    if not username:
        raise AuthenticationFailed(
            "This command changes or reveals data, so it needs a user: add --user NAME "
            "(the password is read from CASEAUDIT_PASSWORD or asked for)."
        )
    password = os.environ.get("CASEAUDIT_PASSWORD")
    if password is None:
        password = getpass.getpass(f"Password for {username}: ")
    from .services.accounts import sign_in  # the lockout policy applies to the CLI too

    return sign_in(db, username, password)


@contextmanager
def opened(args: argparse.Namespace, **open_kwargs: bool) -> Iterator[Database]:
    """The database the global options name, opened by ``open_from_args(args, **open_kwargs)``
    and always closed when the block ends, whatever happens in it."""
    db = open_from_args(args, **open_kwargs)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def signed_in(args: argparse.Namespace, **open_kwargs: bool) -> Iterator[tuple[Database, UserInfo]]:
    """Open the database as ``opened`` does, then sign in the user named by ``--user`` (see
    ``actor_from_args``); the database is closed when the block ends, even if sign-in fails."""
    with opened(args, **open_kwargs) as db:
        yield db, actor_from_args(args, db)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def wants_gui(argv: Sequence[str]) -> bool:
    """True when no sub-command is named: then the command modules need not be imported."""
    if any(flag in argv for flag in ("-h", "--help", "--version")):
        return False
    probe = build_parser(with_commands=False)
    probe.exit_on_error = False
    try:
        _known, rest = probe.parse_known_args(argv)
    except argparse.ArgumentError:
        return False
    return not rest


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_commands=not wants_gui(argv))
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        if args.command is None:
            from .app import run_gui  # imported late: headless commands never load Qt

            return run_gui(args)
        return int(args.handler(args) or 0)
    except CaseAuditError as exc:
        print(f"caseaudit: {exc.message}", file=sys.stderr)
        for problem in getattr(exc, "problems", []):
            print(f"  - {problem}", file=sys.stderr)
        if exc.detail:
            log.info("detail: %s", exc.detail)
        return exc.exit_code
    except KeyboardInterrupt:
        print("caseaudit: cancelled; nothing further was changed.", file=sys.stderr)
        return 130
