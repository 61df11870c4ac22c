"""Reporting use cases: per-audit PDFs, round summary packs, exports, signing identities, verify.

Every use case checks the actor may produce reports (and, for the named internal version, see
children's names), gathers the data in a few queries, lays it out, signs it with the user's
identity when given one, writes the file atomically (a cancelled or failed report leaves no
half-written file) and records on the trail that the report was produced, with the SHA-256 of
the file but never its name. Long work reports ``progress(fraction, message)`` and stops when
``cancel`` is set.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from ..db import Database
from ..errors import NotFound, ValidationError
from ..models import Organisation
from ..reports import ReportCancelled
from ..reports.audit_pdf import render_audit_pdf
from ..reports.exports import TABLES, write_csv, write_xlsx
from ..reports.gather import gather_audit, gather_round
from ..reports.identity import (
    IdentityInfo,
    SigningIdentity,
    create_identity,
    ensure_identity,
    identity_info,
    import_identity,
)
from ..reports.round_pack import render_round_pack
from ..reports.signing import sign_pdf
from ..reports.verify import VerificationResult, load_trust_roots, verify_pdf_bytes
from . import trail
from .permissions import Permission, require
from .users import UserInfo, authenticate

__all__ = [
    "ExportResult",
    "ReportResult",
    "build_audit_report",
    "build_round_pack",
    "export_round",
    "import_signing_identity",
    "signing_identity",
    "signing_identity_info",
    "verify_pdf",
]

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    signed: bool
    signer: str
    named: bool
    audits: int
    sha256: str
    seconds: float


@dataclass(frozen=True)
class ExportResult:
    paths: tuple[Path, ...]
    named: bool
    rows: dict[str, int]


def _quiet(_fraction: float, _message: str) -> None:
    return None


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ReportCancelled


def _allowed(actor: UserInfo | None, named: bool) -> None:
    require(actor, Permission.PRODUCE_REPORTS)
    if named:
        require(actor, Permission.VIEW_IDENTIFYING_DATA)


def _author(actor: UserInfo) -> str:
    return f"{actor.display_name} ({actor.role.label})"


def _target(out: str | os.PathLike[str]) -> Path:
    path = Path(out).expanduser()
    if not path.parent.exists():
        raise ValidationError(
            f"The folder {path.parent} does not exist. Choose an existing folder for the report."
        )
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name ending in .pdf.")
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _record(
    db: Database, actor: UserInfo, entity_id: int, kind: str, named: bool, extra: dict
) -> None:
    with db.session() as s:
        trail.append(
            s,
            actor.id,
            "report",
            entity_id,
            "produce",
            None,
            {"kind": kind, "named": named, **extra},
        )


def _finish(
    db: Database,
    actor: UserInfo,
    path: Path,
    pdf: bytes,
    *,
    kind: str,
    entity_id: int,
    named: bool,
    audits: int,
    sign_with: SigningIdentity | None,
    reason: str,
    report: Progress,
    cancel: threading.Event | None,
    started: float,
) -> ReportResult:
    _check_cancel(cancel)
    if sign_with is not None:
        report(0.9, "Signing")
        pdf = sign_pdf(pdf, sign_with, reason=reason, location=_organisation(db))
    _check_cancel(cancel)
    _write_atomically(path, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    _record(db, actor, entity_id, kind, named, {"signed": sign_with is not None, "sha256": digest})
    report(1.0, "Report saved")
    return ReportResult(
        path=path,
        signed=sign_with is not None,
        signer=sign_with.signer_name if sign_with else "",
        named=named,
        audits=audits,
        sha256=digest,
        seconds=time.perf_counter() - started,
    )


def _organisation(db: Database) -> str:
    with db.session() as s:
        return s.scalar(select(Organisation.name).order_by(Organisation.id).limit(1)) or ""


def build_audit_report(
    db: Database,
    actor: UserInfo,
    audit_id: int,
    out: str | os.PathLike[str],
    *,
    named: bool = False,
    sign_with: SigningIdentity | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ReportResult:
    """Write the PDF of one audit to ``out`` (pseudonymised unless ``named``)."""
    started = time.perf_counter()
    _allowed(actor, named)
    path = _target(out)
    report = progress or _quiet
    report(0.05, "Reading the audit")
    with db.session() as s:
        data = gather_audit(s, audit_id, named=named)
    _check_cancel(cancel)
    buffer = io.BytesIO()
    render_audit_pdf(
        data,
        buffer,
        author=_author(actor),
        generated=datetime.now(UTC).astimezone(),
        progress=report,
        cancel=cancel,
    )
    version = "named internal version" if named else "pseudonymised"
    return _finish(
        db,
        actor,
        path,
        buffer.getvalue(),
        kind="audit",
        entity_id=audit_id,
        named=named,
        audits=1,
        sign_with=sign_with,
        reason=f"Case file audit {data.audit.case_key} ({version})",
        report=report,
        cancel=cancel,
        started=started,
    )


def build_round_pack(
    db: Database,
    actor: UserInfo,
    round_id: int,
    out: str | os.PathLike[str],
    *,
    named: bool = False,
    sign_with: SigningIdentity | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    today: date | None = None,
) -> ReportResult:
    """Write the summary pack of ``round_id`` to ``out`` (pseudonymised unless ``named``)."""
    started = time.perf_counter()
    _allowed(actor, named)
    path = _target(out)
    report = progress or _quiet
    report(0.02, "Reading the round")
    with db.session() as s:
        data = gather_round(s, round_id, named=named)
    _check_cancel(cancel)
    report(0.15, "Laying out the pages")

    def layout_progress(fraction: float, message: str) -> None:
        report(0.15 + 0.7 * fraction, message)

    now = datetime.now(UTC).astimezone()
    buffer = io.BytesIO()
    render_round_pack(
        data,
        buffer,
        author=_author(actor),
        generated=now,
        today=today or now.date(),
        progress=layout_progress,
        cancel=cancel,
    )
    version = "named internal version" if named else "pseudonymised"
    return _finish(
        db,
        actor,
        path,
        buffer.getvalue(),
        kind="round_pack",
        entity_id=round_id,
        named=named,
        audits=len(data.signed_audits),
        sign_with=sign_with,
        reason=f"Summary of audit round '{data.name}' ({version})",
        report=report,
        cancel=cancel,
        started=started,
    )


def export_round(
    db: Database,
    actor: UserInfo,
    round_id: int,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    named: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Export a round's audits, answers, grades, findings and actions as CSV files or XLSX.

    For ``csv`` ``out`` is a folder (created if needed) that receives one file per table; for
    ``xlsx`` it is the workbook's file name.
    """
    _allowed(actor, named)
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(f"Exports can be 'csv' or 'xlsx', not {fmt!r}.")
    report = progress or _quiet
    report(0.05, "Reading the round")
    with db.session() as s:
        data = gather_round(s, round_id, named=named, all_answers=True)
    _check_cancel(cancel)
    report(0.4, "Writing the spreadsheet")
    target = Path(out).expanduser()
    if fmt == "csv":
        if target.exists() and not target.is_dir():
            raise ValidationError(f"{target} is a file; give a folder for the CSV files.")
        paths = tuple(write_csv(data, target, f"round-{round_id}"))
    else:
        paths = (write_xlsx(data, _target(target)),)
    rows = {
        "audits": len(data.audits),
        "answers": len(data.answers),
        "findings": len(data.findings),
        "actions": len(data.actions),
    }
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
    _record(db, actor, round_id, f"export_{fmt}", named, {"sha256": digest, "tables": list(TABLES)})
    report(1.0, "Export saved")
    return ExportResult(paths, named, rows)


def verify_pdf(
    path: str | os.PathLike[str],
    trust: str | os.PathLike[str] | list[str | os.PathLike[str]] | None = None,
) -> VerificationResult:
    """Check the signatures of a PDF; never raises for a damaged file (see the result)."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise NotFound(f"Could not read {source}: {exc.strerror}.") from None
    roots = []
    if trust:
        files = trust if isinstance(trust, list) else [trust]
        try:
            roots = load_trust_roots(files)
        except (OSError, ValueError):
            raise ValidationError(
                "The trusted certificate could not be read. Give a certificate file in PEM or "
                "DER form (for example the signer's .pem file)."
            ) from None
    return verify_pdf_bytes(data, trust_roots=roots, path=str(source))


def signing_identity(
    db: Database,
    actor: UserInfo,
    password: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    replace: bool = False,
) -> SigningIdentity:
    """Unlock the actor's signing identity, creating a self-signed one on first use (or a new
    one in place of the old when ``replace``, e.g. after an administrator reset the password)."""
    authenticate(db, actor.username, password)
    if replace:
        create_identity(
            actor.username,
            actor.display_name,
            actor.role.label,
            password,
            organisation=_organisation(db),
            data_dir=data_dir,
            replace=True,
        )
    return ensure_identity(
        actor.username,
        actor.display_name,
        actor.role.label,
        password,
        organisation=_organisation(db),
        data_dir=data_dir,
    )


def import_signing_identity(
    db: Database,
    actor: UserInfo,
    pfx_path: str | os.PathLike[str],
    pfx_password: str | None,
    password: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> IdentityInfo:
    """Keep the organisation's .p12/.pfx as the actor's identity, under their own password."""
    authenticate(db, actor.username, password)
    return import_identity(actor.username, pfx_path, pfx_password, password, data_dir=data_dir)


def signing_identity_info(
    actor: UserInfo, *, data_dir: str | os.PathLike[str] | None = None
) -> IdentityInfo | None:
    return identity_info(actor.username, data_dir)
