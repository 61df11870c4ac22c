"""``caseaudit programme create|list|propose|calendar``: recurring audit programmes.

``create`` sets up a programme (the IRO manager's monthly LAC review minutes audit, monthly
supervision audits, quarterly themed audits or a custom one); ``propose`` creates the next
period's round and previews its sample (``--commit`` saves the sample too); ``calendar`` shows
each period as due, in progress, completed or overdue.
"""

from __future__ import annotations

import argparse
from datetime import date

from ..cli import signed_in
from ..models.programme import Cadence, ProgrammeKind
from ..services import programmes
from .rounds import date_arg, print_preview


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("programme", help="recurring audit programmes and their calendar")
    actions = parser.add_subparsers(dest="programme_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="set up a recurring programme")
    create.add_argument("name")
    create.add_argument("--kind", required=True, choices=[k.value for k in ProgrammeKind])
    create.add_argument(
        "--template", metavar="KEY", help="template key (kind's default if left out)"
    )
    create.add_argument("--version", default="", metavar="V", help="template version (newest)")
    create.add_argument("--cadence", choices=[c.value for c in Cadence])
    create.add_argument("--files", type=int, metavar="N", help="files each period")
    create.add_argument(
        "--exclude-months", type=int, metavar="N", help="never the same child twice within N months"
    )
    create.add_argument("--auditor", action="append", default=[], metavar="USER")
    create.add_argument("--theme", help="theme of the rounds")
    create.add_argument("--starts", type=date_arg, default=date.today(), metavar="DATE")
    create.add_argument(
        "--due-days",
        type=int,
        default=0,
        metavar="N",
        help="days after a period ends before its audits are overdue",
    )
    create.add_argument(
        "--quarter-start-month",
        type=int,
        default=4,
        metavar="M",
        help="first month of quarter 1 (4 = April, the financial year)",
    )
    create.set_defaults(handler=cmd_create)

    actions.add_parser("list", help="list programmes").set_defaults(handler=cmd_list)

    propose = actions.add_parser("propose", help="create the next period's round and preview it")
    propose.add_argument("programme", metavar="PROGRAMME")
    propose.add_argument("--period", help="period label or a date in it (default: next due)")
    propose.add_argument("--seed", type=int, metavar="N")
    propose.add_argument("--commit", action="store_true", help="save the sample as well")
    propose.add_argument("--as-of", type=date_arg, metavar="DATE", help="today, for testing plans")
    propose.set_defaults(handler=cmd_propose)

    cal = actions.add_parser("calendar", help="periods: due, in progress, completed, overdue")
    cal.add_argument("programme", metavar="PROGRAMME")
    cal.add_argument("--as-of", type=date_arg, metavar="DATE")
    cal.set_defaults(handler=cmd_calendar)


def cmd_create(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        info = programmes.create_programme(
            db,
            actor,
            args.name,
            args.kind,
            starts_on=args.starts,
            template_key=args.template,
            template_version=args.version,
            cadence=args.cadence,
            files_per_period=args.files,
            exclusion_months=args.exclude_months,
            auditors=args.auditor,
            theme=args.theme,
            due_days=args.due_days,
            quarter_start_month=args.quarter_start_month,
        )
        print(
            f"Created programme {info.id} {info.name!r}: {info.kind.label}, "
            f"{info.files_per_period} files {info.cadence.value}, template {info.template_key}, "
            f"no child twice within {info.exclusion_months} months, from {info.starts_on}."
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        for p in programmes.list_programmes(db, actor):
            print(
                f"{p.id:>4}  {p.name:<36} {p.kind.value:<20} {p.cadence.value:<10} "
                f"{p.files_per_period:>3} files  {p.template_key}  since {p.starts_on}"
            )
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        proposal = programmes.propose_round(
            db,
            actor,
            args.programme,
            args.period,
            seed=args.seed,
            commit=args.commit,
            as_of=args.as_of,
        )
        verb = "Created" if proposal.created else "Found"
        print(
            f"{verb} round {proposal.round.id} {proposal.round.name!r} for "
            f"{proposal.period.label} ({proposal.period.start} to {proposal.period.end}, "
            f"due {proposal.period.due_on})."
        )
        print_preview(proposal.preview, saved=proposal.committed)
        if not proposal.committed:
            print(
                f"Save it with: caseaudit sample {proposal.round.id} --seed {proposal.preview.seed}"
            )
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, _actor):
        for entry in programmes.calendar(db, args.programme, args.as_of or date.today()):
            p = entry.period
            round_text = (
                f"round {entry.round_id} ({entry.signed}/{entry.files} signed)"
                if entry.round_id
                else "no round yet"
            )
            print(
                f"{p.label:<12} {p.start} to {p.end}  due {p.due_on}  "
                f"{entry.status.value:<12} {round_text}"
            )
    return 0
