"""``caseaudit round ...`` and ``caseaudit sample ROUND``: audit rounds and their samples.

``round create`` sets up a round (theme, template, period, auditors, sample specification from
flags or a YAML file); ``sample`` draws its sample (``--preview`` to look without saving);
``round show`` prints the sample with strata, reasons and assignment, and the method;
``round add`` / ``round remove`` change the sample by hand with a reason, and ``round assign``
gives a file to another auditor. Case files are shown by case key, never by a child's name.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..cli import signed_in
from ..errors import ValidationError
from ..services import rounds
from ..services.importer_values import parse_date
from ..services.sampling import SamplePreview, commit_sample, method_lines, preview_sample
from ..services.sampling_spec import ALLOCATIONS, DIMENSIONS


def date_arg(text: str) -> date:
    try:
        value = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("a date is needed")
    return value


def _minimum(text: str) -> tuple[str, int]:
    key, sep, number = text.rpartition("=")
    if not sep or not key.strip() or not number.strip().isdigit():
        raise argparse.ArgumentTypeError(f'{text!r} is not "group=N" (for example "lac=4")')
    return key.strip(), int(number)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("round", help="create, list and show audit rounds; edit samples")
    actions = parser.add_subparsers(dest="round_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create an audit round (draw it with 'sample')")
    create.add_argument("name")
    create.add_argument("--template", required=True, metavar="KEY", help="audit template key")
    create.add_argument("--version", metavar="V", help="template version (default: newest)")
    create.add_argument("--theme", default="", help="the round's theme")
    create.add_argument("--from", dest="start", type=date_arg, required=True, metavar="DATE")
    create.add_argument("--to", dest="end", type=date_arg, required=True, metavar="DATE")
    create.add_argument("--due", type=date_arg, metavar="DATE", help="when audits are due")
    create.add_argument("--auditor", action="append", default=[], metavar="USER")
    create.add_argument("--spec", metavar="FILE.yaml", help="sample specification file")
    create.add_argument(
        "--stratum",
        action="append",
        choices=list(DIMENSIONS),
        metavar="DIM",
        help=f"stratify by ({', '.join(DIMENSIONS)}); repeat for more",
    )
    size = create.add_mutually_exclusive_group()
    size.add_argument("--per-stratum", type=int, metavar="N", help="N files from each stratum")
    size.add_argument("--proportional", type=int, metavar="N", help="N files shared by size")
    size.add_argument("--equal", type=int, metavar="N", help="N files shared equally")
    size.add_argument("--spread", type=int, metavar="N", help="N files, one stratum at a time")
    create.add_argument(
        "--minimum",
        action="append",
        type=_minimum,
        default=[],
        metavar='"GROUP=N"',
        help="at least N files of a group (lac=4)",
    )
    create.add_argument(
        "--exclude-months",
        type=int,
        metavar="N",
        help="leave out children audited in the last N months",
    )
    create.add_argument("--max-per-worker", type=int, metavar="N", help="cap files per worker")
    create.add_argument(
        "--stage", action="append", metavar="STAGE", help="only these stages or groups"
    )
    create.add_argument("--status", action="append", choices=["open", "closed"])
    create.add_argument("--team", action="append", metavar="TEAM", help="only these teams")
    create.add_argument(
        "--list",
        dest="lists",
        action="append",
        metavar="LIST",
        help="only files from these imported lists",
    )
    create.add_argument(
        "--closed-within",
        type=int,
        metavar="MONTHS",
        help="include files closed in the last N months of the period",
    )
    create.set_defaults(handler=cmd_create)

    actions.add_parser("list", help="list rounds").set_defaults(handler=cmd_list)
    start = actions.add_parser(
        "start", help="create the audits of a sampled round, one per assigned file"
    )
    start.add_argument("round", metavar="ROUND")
    start.set_defaults(handler=cmd_start)
    show = actions.add_parser("show", help="show a round's sample, strata and assignment")
    show.add_argument("round", metavar="ROUND")
    show.set_defaults(handler=cmd_show)

    assign = actions.add_parser("assign", help="give a sampled file to another auditor")
    assign.add_argument("round", metavar="ROUND")
    assign.add_argument("--item", required=True, metavar="ID", help="item number or case key")
    assign.add_argument("--auditor", required=True, metavar="USER")
    assign.set_defaults(handler=cmd_assign)

    for name, verb in (
        ("add", "add a file to the sample by hand"),
        ("remove", "take a file out of the sample"),
    ):
        edit = actions.add_parser(name, help=verb)
        edit.add_argument("round", metavar="ROUND")
        edit.add_argument("--case", required=True, metavar="KEY", help="case key, e.g. C-0412")
        edit.add_argument("--reason", required=True, help="why (recorded with the change)")
        edit.set_defaults(handler=cmd_add if name == "add" else cmd_remove)

    sample = sub.add_parser("sample", help="draw a round's sample (reproducible with --seed)")
    sample.add_argument("round", metavar="ROUND")
    sample.add_argument("--seed", type=int, metavar="N", help="seed (default: the round's, or new)")
    sample.add_argument("--preview", action="store_true", help="show the sample, save nothing")
    sample.add_argument("--redraw", action="store_true", help="replace a sample already drawn")
    sample.set_defaults(handler=cmd_sample)


def spec_from_args(args: argparse.Namespace) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if args.spec:
        loaded = yaml.safe_load(Path(args.spec).read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValidationError(f"{args.spec} is not a sample specification (a YAML mapping).")
        spec.update(loaded)
    if args.stratum:
        spec["strata"] = args.stratum
    for allocation in ALLOCATIONS:
        value = getattr(args, allocation, None)
        if value is not None:
            spec["allocation"] = allocation
            spec["per_stratum" if allocation == "per_stratum" else "total"] = value
    if args.minimum:
        spec["minimums"] = dict(args.minimum)
    for key, value in (
        ("exclude_months", args.exclude_months),
        ("max_per_worker", args.max_per_worker),
        ("stages", args.stage),
        ("statuses", args.status),
        ("teams", args.team),
        ("lists", args.lists),
        ("closed_within_months", args.closed_within),
    ):
        if value is not None:
            spec[key] = value
    return spec


def cmd_create(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        summary = rounds.create_round(
            db,
            actor,
            args.name,
            template_key=args.template,
            template_version=args.version,
            theme=args.theme,
            period_start=args.start,
            period_end=args.end,
            auditors=args.auditor,
            spec=spec_from_args(args),
            due_on=args.due,
        )
        print(
            f"Created round {summary.id} {summary.name!r} ({summary.template_key} "
            f"{summary.template_version}, {summary.period_start} to {summary.period_end})."
        )
        print(f"Draw its sample with: caseaudit sample {summary.id} [--preview] [--seed N]")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        for r in rounds.list_rounds(db, actor):
            print(
                f"{r.id:>4}  {r.name:<36} {r.status.label:<12} {r.period_start} to "
                f"{r.period_end}  {r.item_count:>3} files  {', '.join(r.auditors)}"
            )
    return 0


def print_preview(preview: SamplePreview, saved: bool) -> None:
    state = "Saved" if saved else "Preview (nothing saved)"
    print(
        f"{state}: sample of {len(preview.items)} files for {preview.round_name!r}, "
        f"seed {preview.seed}"
    )
    for item in preview.items:
        flag = " [by hand]" if item.reason.value == "manual" else ""
        print(
            f"  {item.case_key:<10} {item.stratum:<48} {item.team:<22} {item.worker:<20} "
            f"-> {item.auditor_username or '(unassigned)'}{flag}"
        )
    for line in method_lines(preview.method):
        print(line)


def cmd_sample(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        with db.session() as session:
            round_id = rounds.find_round(session, args.round).id
        if args.preview:
            print_preview(preview_sample(db, actor, round_id, args.seed), saved=False)
        else:
            print_preview(commit_sample(db, actor, round_id, args.seed, redraw=args.redraw), True)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        detail = rounds.get_round(db, actor, args.round)
        s = detail.summary
        print(f"Round {s.id}: {s.name} ({s.status.label})")
        print(
            f"  Theme: {s.theme or '-'}; template {s.template_key} {s.template_version}; "
            f"period {s.period_start} to {s.period_end}; due {s.due_on or '-'}"
        )
        print(f"  Auditors: {', '.join(s.auditors) or '(none)'}")
        print(f"Sample ({s.item_count} files):")
        for i in detail.items:
            why = "random" if i.reason.value == "random" else f"{i.reason.label}: {i.reason_note}"
            if i.removed:
                why += f"; REMOVED: {i.removed_reason}"
            print(
                f"  #{i.id:<5} {i.case_key:<10} {i.stratum:<48} {i.team:<22} "
                f"{i.worker:<20} -> {i.auditor_username or '(unassigned)':<12} {why}"
            )
        print("Method:")
        for line in method_lines(detail.method):
            print(f"  {line}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        item = rounds.assign_item(db, actor, args.round, args.item, args.auditor)
        print(f"{item.case_key} is now assigned to {item.auditor_username}.")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        item = rounds.add_case(db, actor, args.round, args.case, args.reason)
        print(
            f"Added {item.case_key} by hand ({item.stratum}), assigned to "
            f"{item.auditor_username or '(unassigned)'}."
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        item = rounds.remove_case(db, actor, args.round, args.case, args.reason)
        print(f"Removed {item.case_key} from the sample; the reason is recorded.")
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    from ..services.round_start import start_round

    with signed_in(args) as (db, actor):
        started = start_round(db, actor, args.round)
    print(
        f"{started.round_name}: {started.audits_created} audit(s) created and now in their "
        f"auditors' queues ({started.already_started} already existed)."
    )
    if started.unassigned_case_keys:
        print("Not started, no auditor assigned: " + ", ".join(started.unassigned_case_keys))
    return 0
