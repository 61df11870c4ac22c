"""``caseaudit report|export|verify|identity``: signed PDFs, spreadsheets and signing identities.

``report audit AUDIT`` and ``report round ROUND`` write a PDF, pseudonymised unless ``--named``,
signed with the user's identity unless ``--no-sign`` (the identity is created on first use and
unlocked with the user's password). ``export ROUND`` writes CSV files or an XLSX workbook.
``verify FILE.pdf`` prints who signed it, when, whether it is intact and whether the signer is
trusted, and exits 0 only when it is intact. ``identity`` creates, imports or shows the signing
identity.
"""

from __future__ import annotations

import argparse
import getpass
import os

from ..cli import actor_from_args, opened, signed_in
from ..db import Database
from ..errors import AuthenticationFailed
from ..reports.identity import IdentityInfo
from ..services import reporting
from ..services.accounts import sign_in
from ..services.users import UserInfo

EXIT_NOT_INTACT = 4


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="write a signed PDF of an audit or a round")
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    audit = kinds.add_parser("audit", help="the PDF of one audit")
    audit.add_argument("audit", type=int, help="the audit's number")
    round_ = kinds.add_parser("round", help="the summary pack of a round for a QA group")
    round_.add_argument("round", help="the round's number or name")
    for p in (audit, round_):
        p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write it")
        p.add_argument(
            "--named",
            action="store_true",
            help="the named internal version (shows children's names; never share it outside)",
        )
        p.add_argument("--no-sign", action="store_true", help="do not sign the PDF")
    audit.set_defaults(handler=cmd_report_audit)
    round_.set_defaults(handler=cmd_report_round)

    export = sub.add_parser("export", help="export a round's audits as CSV files or XLSX")
    export.add_argument("round", help="the round's number or name")
    export.add_argument("--format", required=True, choices=["csv", "xlsx"], dest="fmt")
    export.add_argument(
        "--out", required=True, metavar="PATH", help="a folder for CSV, a .xlsx file for XLSX"
    )
    export.add_argument("--named", action="store_true", help="add children's names")
    export.set_defaults(handler=cmd_export)

    verify = sub.add_parser("verify", help="check the signature of a caseaudit PDF")
    verify.add_argument("file", metavar="FILE.pdf")
    verify.add_argument(
        "--trust", action="append", metavar="CERT.pem", help="a certificate to trust as signer"
    )
    verify.set_defaults(handler=cmd_verify)

    identity = sub.add_parser("identity", help="your signing identity")
    steps = identity.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    create = steps.add_parser("create", help="make a self-signed identity")
    create.add_argument(
        "--replace", action="store_true", help="replace an identity your password no longer opens"
    )
    create.set_defaults(handler=cmd_identity_create)
    imp = steps.add_parser("import", help="use the organisation's .p12/.pfx file")
    imp.add_argument("file", metavar="FILE.p12")
    imp.set_defaults(handler=cmd_identity_import)
    steps.add_parser("show", help="show the certificate").set_defaults(handler=cmd_identity_show)


def _sign_in(
    args: argparse.Namespace, db: Database, *, with_password: bool
) -> tuple[UserInfo, str]:
    """The acting user, and their password when it is needed to unlock the identity."""
    if not with_password:
        return actor_from_args(args, db), ""
    username = args.user or os.environ.get("CASEAUDIT_USER")
    if not username:
        raise AuthenticationFailed(
            "Signing a report needs a user: add --user NAME (the password is read from "
            "CASEAUDIT_PASSWORD or asked for), or add --no-sign."
        )
    password = os.environ.get("CASEAUDIT_PASSWORD")
    if password is None:
        password = getpass.getpass(f"Password for {username}: ")
    return sign_in(db, username, password), password  # the lockout policy applies here too


def _progress(args: argparse.Namespace):  # noqa: ANN202
    if not getattr(args, "verbose", False):
        return None

    def show(fraction: float, message: str) -> None:
        print(f"{fraction:4.0%} {message}", flush=True)

    return show


def _report(args: argparse.Namespace, kind: str) -> int:
    with opened(args) as db:
        actor, password = _sign_in(args, db, with_password=not args.no_sign)
        identity = None
        if not args.no_sign:
            identity = reporting.signing_identity(db, actor, password, data_dir=args.data_dir)
        if kind == "audit":
            result = reporting.build_audit_report(
                db,
                actor,
                args.audit,
                args.out,
                named=args.named,
                sign_with=identity,
                progress=_progress(args),
            )
        else:
            from ..services.rounds import find_round

            with db.session() as s:
                round_id = find_round(s, args.round).id
            result = reporting.build_round_pack(
                db,
                actor,
                round_id,
                args.out,
                named=args.named,
                sign_with=identity,
                progress=_progress(args),
            )
    version = "named internal version" if result.named else "pseudonymised"
    signed = f"signed by {result.signer}" if result.signed else "not signed"
    print(f"Wrote {result.path} ({version}, {signed}).")
    return 0


def cmd_report_audit(args: argparse.Namespace) -> int:
    return _report(args, "audit")


def cmd_report_round(args: argparse.Namespace) -> int:
    return _report(args, "round")


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.rounds import find_round

    with signed_in(args) as (db, actor):
        with db.session() as s:
            round_id = find_round(s, args.round).id
        result = reporting.export_round(db, actor, round_id, args.fmt, args.out, named=args.named)
    for path in result.paths:
        print(f"Wrote {path}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    result = reporting.verify_pdf(args.file, args.trust)
    when = result.signing_time
    print(f"File:          {args.file}")
    print(f"Signed:        {'yes' if result.signed else 'no'}")
    if result.signed:
        print(f"Signer:        {result.signer}")
        stated = f"{when:%d %B %Y %H:%M %Z} (as the signer's computer gave it)" if when else ""
        print(f"Signing time:  {stated or 'not stated'}")
    print(f"Intact:        {'yes' if result.intact else 'no'}")
    trust_note = "" if args.trust else " (no --trust certificate given)"
    print(f"Trusted:       {'yes' if result.trusted else 'no'}{trust_note}")
    for problem in result.all_problems:
        print(f"  - {problem}")
    if not result.intact:
        print("The document is NOT intact: do not rely on it.")
        return EXIT_NOT_INTACT
    return 0


def cmd_identity_create(args: argparse.Namespace) -> int:
    with opened(args) as db:
        actor, password = _sign_in(args, db, with_password=True)
        identity = reporting.signing_identity(
            db, actor, password, data_dir=args.data_dir, replace=args.replace
        )
    _print_identity(identity.info)
    return 0


def cmd_identity_import(args: argparse.Namespace) -> int:
    with opened(args) as db:
        actor, password = _sign_in(args, db, with_password=True)
        pfx_password = os.environ.get("CASEAUDIT_P12_PASSWORD")
        if pfx_password is None:
            pfx_password = getpass.getpass(f"Password of {os.path.basename(args.file)}: ")
        info = reporting.import_signing_identity(
            db, actor, args.file, pfx_password, password, data_dir=args.data_dir
        )
    _print_identity(info)
    return 0


def cmd_identity_show(args: argparse.Namespace) -> int:
    with opened(args) as db:
        actor = actor_from_args(args, db)
    info = reporting.signing_identity_info(actor, data_dir=args.data_dir)
    if info is None:
        print(f"{actor.username} has no signing identity yet; one is made on first signing.")
        return 0
    _print_identity(info)
    return 0


def _print_identity(info: IdentityInfo) -> None:
    print(f"Signer:        {info.signer_name}" + (f" ({info.role})" if info.role else ""))
    print(f"Organisation:  {info.organisation or 'not stated'}")
    print(f"Issued by:     {'self-signed' if info.self_signed else info.issuer}")
    print(f"Valid:         {info.valid_from:%d %B %Y} to {info.valid_until:%d %B %Y}")
    print(f"Fingerprint:   SHA-256 {info.fingerprint_sha256}")
    print(f"Certificate:   {info.certificate_path} (give this to recipients for --trust)")
