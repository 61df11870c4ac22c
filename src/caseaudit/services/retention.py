"""Retention of identifiable data: preview, then purge, the identities of long-closed cases.

A child's identifying details (name, date of birth, address, postcode, and the names of related
people) are kept only while needed. When every case file of a child has been closed for more
than N years (``organisation.settings["retention"]["years"]``, or N given for one run), a purge
blanks those fields and stamps ``purged_at``; the pseudonymous case key, the audits and their
findings stay, so reports and trends still work. The children's names, dates of birth and addresses are
also taken out of their audits' free text first (``retention_redact``), with a trail entry for
every record changed. ``preview_purge`` counts what would be purged
and ``purge`` does it in one transaction, refusing if the count changed since the preview. The
trail records the counts, never a name. On SQLite the purge overwrites freed space
(``secure_delete``) and folds the write-ahead log back so the old text does not linger on disk;
backups made earlier still hold it until they rotate out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select, text, update
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import Cancelled, NotFound, ValidationError
from ..models import CaseFile, ChildIdentity, Organisation, RelatedPerson
from ..models.base import utcnow
from ..vocabulary import CaseStatus
from . import trail
from .permissions import Permission, require
from .retention_redact import audits_of, redact_free_text
from .users import UserInfo

SETTINGS_KEY = "retention"
MIN_YEARS = 1
CHUNK = 500


class PurgeCancelled(Cancelled):
    """The purge was cancelled; nothing was purged."""


@dataclass(frozen=True)
class PurgePreview:
    years: int
    cutoff: date
    children: int
    related_people: int
    case_files: int
    audits: int = 0


@dataclass(frozen=True)
class PurgeResult:
    preview: PurgePreview
    purged_at: datetime
    trail_entry_id: int
    redacted_fields: int = 0


def _organisation(session: Session) -> Organisation | None:
    return session.scalars(select(Organisation).order_by(Organisation.id).limit(1)).first()


def retention_years(db: Database) -> int | None:
    """The organisation's retention period in years, if one is set."""
    with db.session() as s:
        org = _organisation(s)
        years = ((org.settings or {}).get(SETTINGS_KEY) or {}).get("years") if org else None
    return int(years) if years is not None else None


def set_retention_years(db: Database, actor: UserInfo | None, years: int | None) -> None:
    """Set (or clear, with None) the retention period; administrators only, on the trail."""
    require(actor, Permission.ADMINISTER)
    if years is not None:
        _check_years(years)
    with trail.writing(db) as s:
        org = _organisation(s)
        if org is None:
            raise NotFound("Set up the organisation before setting its retention period.")
        before = (org.settings or {}).get(SETTINGS_KEY)
        after = {"years": years} if years is not None else None
        org.settings = {**(org.settings or {}), SETTINGS_KEY: after}
        trail.append(s, actor.id, "settings", SETTINGS_KEY, "update", before, after)


def _check_years(years: int) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or years < MIN_YEARS:
        raise ValidationError(
            f"The retention period must be a whole number of years, at least {MIN_YEARS}."
        )


def cutoff_for(years: int, today: date) -> date:
    """The date ``years`` years before ``today`` (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _eligible(cutoff: date):  # noqa: ANN202 - a SQL select of child ids
    """Children with identities not yet purged, at least one case file, and every case file
    closed on or before ``cutoff``."""
    still_needed = exists().where(
        and_(
            CaseFile.child_id == ChildIdentity.child_id,
            (CaseFile.status != CaseStatus.CLOSED)
            | CaseFile.closed_on.is_(None)
            | (CaseFile.closed_on > cutoff),
        )
    )
    has_case = exists().where(CaseFile.child_id == ChildIdentity.child_id)
    return select(ChildIdentity.child_id).where(
        ChildIdentity.purged_at.is_(None), has_case, ~still_needed
    )


def _years(db: Database, years: int | None) -> int:
    chosen = years if years is not None else retention_years(db)
    if chosen is None:
        raise ValidationError(
            "No retention period is set. Give the number of years, or set the organisation's "
            "retention period first."
        )
    _check_years(chosen)
    return chosen


def _preview(session: Session, years: int, cutoff: date) -> PurgePreview:
    ids = list(session.scalars(_eligible(cutoff).order_by(ChildIdentity.child_id)))
    people = cases = audits = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        people += session.scalar(
            select(func.count(RelatedPerson.id)).where(RelatedPerson.child_id.in_(chunk))
        )
        cases += session.scalar(select(func.count(CaseFile.id)).where(CaseFile.child_id.in_(chunk)))
        audits += audits_of(session, chunk)
    return PurgePreview(years, cutoff, len(ids), people, cases, audits)


def preview_purge(
    db: Database, actor: UserInfo | None, years: int | None = None, *, today: date | None = None
) -> PurgePreview:
    """How many children's identities a purge would blank now (counts only, no names)."""
    require(actor, Permission.ADMINISTER)
    chosen = _years(db, years)
    with db.session() as s:
        return _preview(s, chosen, cutoff_for(chosen, today or date.today()))


def purge(
    db: Database,
    actor: UserInfo | None,
    years: int | None = None,
    *,
    expected: PurgePreview | None = None,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> PurgeResult:
    """Blank the identifying fields of children whose cases all closed over ``years`` ago.

    Pass the ``expected`` preview the user confirmed: if the numbers differ now, nothing is
    purged. Everything happens in one transaction, with one trail entry holding the counts.
    """
    require(actor, Permission.ADMINISTER)
    chosen = _years(db, years)
    cutoff = cutoff_for(chosen, today or date.today())
    sqlite = db.kind != "postgresql"
    purged_at = utcnow()
    with db.session() as s:
        if sqlite:
            s.execute(text("PRAGMA secure_delete = ON"))
        trail.take_write_lock(s)
        found = _preview(s, chosen, cutoff)
        if expected is not None and (found.children, found.related_people) != (
            expected.children,
            expected.related_people,
        ):
            raise ValidationError(
                "Nothing was purged: the records due for purging changed since the preview "
                f"({expected.children} children then, {found.children} now). Preview again."
            )
        ids = list(s.scalars(_eligible(cutoff).order_by(ChildIdentity.child_id)))
        redacted = 0
        for start in range(0, len(ids), CHUNK):
            if cancel is not None and cancel.is_set():
                raise PurgeCancelled("The purge was cancelled; nothing was purged.")
            chunk = ids[start : start + CHUNK]
            redacted += redact_free_text(s, actor.id, chunk)
            s.execute(
                update(ChildIdentity)
                .where(ChildIdentity.child_id.in_(chunk))
                .values(
                    given_name="",
                    family_name="",
                    date_of_birth=None,
                    address="",
                    postcode="",
                    purged_at=purged_at,
                )
            )
            s.execute(
                update(RelatedPerson).where(RelatedPerson.child_id.in_(chunk)).values(name="")
            )
            if progress is not None:
                progress(min(1.0, (start + len(chunk)) / len(ids)), "Purging identifying details")
        counts = {
            "years": chosen,
            "cutoff": cutoff.isoformat(),
            "children": found.children,
            "related_people": found.related_people,
            "case_files": found.case_files,
            "audits": found.audits,
            "free_text_fields_redacted": redacted,
        }
        entry = trail.append(s, actor.id, "retention", cutoff.isoformat(), "purge", None, counts)
        entry_id = entry.id
    if sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return PurgeResult(found, purged_at, entry_id, redacted)
