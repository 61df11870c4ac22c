"""``caseaudit import FILE``: bring a case list from the case-management system into caseaudit.

Reads a CSV or XLSX export, recognises its columns (or takes ``--map "Header=field"`` and a saved
``--profile``), checks every row, then imports the valid rows in one transaction (``--strict``:
nothing at all if any row is bad; ``--dry-run``: check and count, save nothing). Prints how many
rows were added, updated, unchanged and rejected, and each rejected row's number, field and
reason, never a child's name. ``--report FILE`` writes the rejected rows to a CSV file.
"""

from __future__ import annotations

import argparse
import sys

from ..cli import signed_in
from ..errors import ValidationError
from ..services.importer import (
    FIELDS,
    ListKind,
    apply_import,
    detect_mapping,
    guess_list_kind,
    load_mapping_profile,
    parse_map_option,
    read_table,
    save_mapping_profile,
    validate,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import",
        help="import a case list (CSV or Excel)",
        description="Import a case list exported from the case-management system.",
    )
    parser.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    parser.add_argument(
        "--list",
        dest="list_kind",
        choices=[k.value for k in ListKind],
        help="which list the file is (guessed from its columns if left out)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar='"HEADER=FIELD"',
        help="map a column to a field (or to 'ignore'); repeat for more columns",
    )
    parser.add_argument("--profile", metavar="NAME", help="use a saved column mapping")
    parser.add_argument("--save-profile", metavar="NAME", help="save this mapping for next time")
    parser.add_argument(
        "--report", metavar="REJECTED.csv", help="write rejected rows to a CSV file"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
    parser.add_argument(
        "--strict", action="store_true", help="import nothing if any row has a problem"
    )
    parser.set_defaults(handler=cmd_import)


def _progress(fraction: float, message: str) -> None:
    print(f"\r{message} ({fraction:.0%})", end="", file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        raw = read_table(args.file)
        profile = load_mapping_profile(db, args.profile) if args.profile else None
        kind = (
            ListKind(args.list_kind)
            if args.list_kind
            else (profile.list_kind if profile else guess_list_kind(raw))
        )
        if kind is None:
            raise ValidationError(
                f"caseaudit cannot tell which list {raw.file_name} is. Say which with --list "
                f"({', '.join(k.value for k in ListKind)})."
            )
        overrides = dict(parse_map_option(text) for text in args.map)
        mapping = detect_mapping(
            raw, kind, profile=profile.columns if profile else None, overrides=overrides
        )
        print(f"{raw.file_name}: {raw.file_format.upper()}", end="")
        print(f", {raw.encoding}" if raw.encoding else "", end="")
        print(f", {len(raw.rows)} rows, read as {kind.label.lower()}")
        for header in mapping.headers:
            field = mapping.field_of(header)
            print(f"  {header!r:<32} -> {FIELDS[field].label if field else '(ignored)'}")
        report = validate(raw, mapping, kind)
        for note in report.notes:
            print(note)
        if args.report:
            path = report.write_rejected_csv(args.report)
            print(f"Rejected rows written to {path} ({len(report.problems)} problems).")
        if args.save_profile:
            save_mapping_profile(db, actor, args.save_profile, mapping)
            print(f"Saved the column mapping as profile {args.save_profile!r}.")
        progress = _progress if args.verbose and sys.stderr.isatty() else None
        summary = apply_import(
            db, actor, report, strict=args.strict, dry_run=args.dry_run, progress=progress
        )
        if progress is not None:
            print(file=sys.stderr)
        for line in summary.lines():
            print(line)
        if report.problems:
            print(f"Rejected rows ({report.rejected}):")
            for problem in report.problems:
                print(f"  {problem}")
    return 0
