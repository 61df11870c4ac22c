"""``caseaudit demo``: build the synthetic demo local authority into a database.

By default it builds into the demo database in the data folder; ``--db`` chooses another. A new
demo file is encrypted with the published ``DEMO_PASSPHRASE`` (unless a passphrase or
``--unencrypted REASON`` is given), so opening it later needs no passphrase.
Progress goes to stderr, the summary and the demo sign-in accounts to stdout. ``--force``
deletes and recreates a SQLite demo file first, and refuses to delete a file that holds real
(non-demo) case data or to drop a PostgreSQL database.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from sqlalchemy import func, inspect, select

from ..cipher import is_plain_sqlite
from ..cli import database_target, opened, passphrase_from
from ..db import open_database, resolve_url
from ..errors import CaseAuditError, ValidationError
from ..models import Child, Organisation


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="build the synthetic demo local authority (invented children, staff and audits)",
        description="Build 'Demo Borough Council (synthetic data)' into an empty database: "
        "teams, workers, demo users, children with case files and pathway events, and audits.",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    parser.add_argument(
        "--scale",
        type=int,
        default=5000,
        metavar="ROWS",
        help="number of children and case files (default: 5000)",
    )
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day the demo data is 'today' (default: today)",
    )
    parser.add_argument(
        "--no-audits", action="store_true", help="leave out audit rounds and audits"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="delete and recreate the SQLite demo file first (never a PostgreSQL database, "
        "never a file holding real case data)",
    )
    parser.set_defaults(handler=cmd_demo)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written as YYYY-MM-DD") from None


class _StderrProgress:
    """Prints a line on stderr each time the build moves on by a tenth or changes step."""

    def __init__(self) -> None:
        self.last_tenth = -1
        self.last_step = ""

    def __call__(self, fraction: float, message: str) -> None:
        tenth = int(fraction * 10)
        step = message.split(":")[0]
        if tenth != self.last_tenth or step != self.last_step:
            print(f"  {fraction:4.0%}  {message}", file=sys.stderr, flush=True)
            self.last_tenth, self.last_step = tenth, step


def _force_delete(args: argparse.Namespace) -> None:
    target = database_target(args)
    passphrase = passphrase_from(args)
    _url, kind, path = resolve_url(target, passphrase)
    if kind == "postgresql" or path is None:
        raise CaseAuditError(
            "--force only deletes a SQLite demo file; it never drops a PostgreSQL database. "
            "Nothing was changed. Build the demo into an empty PostgreSQL database instead."
        )
    if not path.exists():
        return
    if passphrase is None and not is_plain_sqlite(path):
        from ..services.keystore import OsKeyStore
        from ..services.opening import secret_without_passphrase

        passphrase = secret_without_passphrase(path, OsKeyStore(), lambda _message: None)
    db = open_database(path, passphrase=passphrase, run_migrations=False)
    try:
        tables = set(inspect(db.engine).get_table_names())
        if "child" in tables and "organisation" in tables:
            with db.session() as s:
                children = s.scalar(select(func.count()).select_from(Child)) or 0
                demo = (
                    s.scalar(
                        select(func.count())
                        .select_from(Organisation)
                        .where(Organisation.is_demo.is_(True))
                    )
                    or 0
                )
                real = (
                    s.scalar(
                        select(func.count())
                        .select_from(Organisation)
                        .where(Organisation.is_demo.is_(False))
                    )
                    or 0
                )
            if real or (children and not demo):
                raise ValidationError(
                    f"{path} holds real (non-demo) data, so --force did not delete it. "
                    "Nothing was changed. Choose another file for the demo with --db."
                )
        elif tables - {"alembic_version"}:
            raise ValidationError(
                f"{path} is not a caseaudit demo database, so --force did not delete it. "
                "Nothing was changed."
            )
    finally:
        db.close()
    from ..services.demo import remove_sqlite_file  # imported late: Faker is slow to load

    remove_sqlite_file(path)
    print(f"Deleted the old demo database {path}.", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from ..services.demo import DEMO_CREDENTIALS, build_demo  # imported late: Faker is slow
    from ..services.demo_accounts import DEMO_PASSPHRASE

    if args.force:
        _force_delete(args)
    with opened(args, demo=True) as db:
        print(f"Building the demo local authority in {db.description} ...", file=sys.stderr)
        summary = build_demo(
            db,
            seed=args.seed,
            scale=args.scale,
            as_of=args.as_of,
            with_audits=not args.no_audits,
            progress=_StderrProgress(),
        )
        print(f"Demo data ready in {db.description}: {summary.describe()}.")
    if db.kind == "sqlcipher" and passphrase_from(args) is None:
        print(
            f"The demo file is encrypted with the published demo passphrase {DEMO_PASSPHRASE!r}, "
            "so anyone can open it: never put real children's data in it."
        )
    print("All names and details are invented. Sign in with a demo account:")
    for username, password, role, _display in DEMO_CREDENTIALS:
        print(f"  {username:<12} password {password:<18} {role.label}")
    return 0
