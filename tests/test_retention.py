"""Retention: a previewed, logged purge of the identities of long-closed cases, and nothing else."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from sqlalchemy import select

from caseaudit.cli import main
from caseaudit.errors import PermissionDenied, ValidationError
from caseaudit.models import (
    CaseFile,
    ChangeLogEntry,
    Child,
    ChildIdentity,
    Organisation,
    RelatedPerson,
)
from caseaudit.services import accounts, retention, trail
from caseaudit.vocabulary import CaseStatus, PathwayStage, UserRole

pytest_plugins = ("tests.workbench_fixtures",)

TODAY = date(2026, 11, 22)
LONG_AGO = date(2018, 3, 1)
RECENT = date(2024, 6, 1)


def _child(s, key: str, closed: list[date | None], names: tuple[str, str], people=()) -> None:
    child = Child(external_id=f"E-{key}", case_key=key)
    child.identity = ChildIdentity(
        given_name=names[0], family_name=names[1], date_of_birth=date(2005, 1, 2),
        address="14 Quarry Lane", postcode="ZZ1 9QQ",
    )  # fmt: skip
    child.related_people = [RelatedPerson(name=n, relationship_to_child="parent") for n in people]
    for closed_on in closed:
        s.add(
            CaseFile(
                child=child,
                current_stage=PathwayStage.CIN_PLAN,
                status=CaseStatus.CLOSED if closed_on else CaseStatus.OPEN,
                opened_on=date(2015, 1, 1),
                closed_on=closed_on,
            )
        )
    s.add(child)


@pytest.fixture
def council(database):
    admin = accounts.create_first_administrator(database, "admin", "", "admin password")
    auditor = accounts.add_user(database, admin, "aud", "", UserRole.AUDITOR, "auditor password")
    with database.session() as s:
        s.add(Organisation(name="Test council", settings={}))
        _child(s, "C-1", [LONG_AGO, LONG_AGO], ("Peregrine", "Quillfeather"), ["Ottoline Quill"])
        _child(s, "C-2", [LONG_AGO, None], ("Marisol", "Ambergate"), ["Casimir Ambergate"])
        _child(s, "C-3", [RECENT], ("Tobiah", "Wrenfield"))
        _child(s, "C-4", [], ("Imelda", "Crowhurst"))
    return database, admin, auditor


def _identity(db, key: str) -> ChildIdentity:
    with db.session() as s:
        return s.scalars(select(ChildIdentity).join(Child).where(Child.case_key == key)).one()


def test_preview_then_purge_blanks_only_long_closed_identities(council):
    db, admin, auditor = council
    with pytest.raises(PermissionDenied):
        retention.preview_purge(db, auditor, 6, today=TODAY)
    preview = retention.preview_purge(db, admin, 6, today=TODAY)
    assert (preview.children, preview.related_people, preview.case_files) == (1, 1, 2)
    assert preview.cutoff == date(2020, 11, 22)
    with pytest.raises(PermissionDenied):
        retention.purge(db, auditor, 6, today=TODAY)
    done = retention.purge(db, admin, 6, expected=preview, today=TODAY)
    purged = _identity(db, "C-1")
    assert (purged.given_name, purged.family_name, purged.address, purged.postcode) == ("",) * 4
    assert purged.date_of_birth is None and purged.purged_at is not None
    with db.session() as s:
        names = set(s.scalars(select(RelatedPerson.name)))
        case_keys = set(s.scalars(select(Child.case_key)))
        entry = s.get(ChangeLogEntry, done.trail_entry_id)
    assert names == {"", "Casimir Ambergate"} and case_keys == {"C-1", "C-2", "C-3", "C-4"}
    for key, given in (("C-2", "Marisol"), ("C-3", "Tobiah"), ("C-4", "Imelda")):
        assert _identity(db, key).given_name == given
    assert (entry.entity, entry.operation, entry.user_id) == ("retention", "purge", admin.id)
    assert entry.after == {
        "years": 6, "cutoff": "2020-11-22", "children": 1, "related_people": 1, "case_files": 2,
        "audits": 0, "free_text_fields_redacted": 0,
    }  # fmt: skip
    assert "Peregrine" not in json.dumps([entry.before, entry.after])
    assert retention.preview_purge(db, admin, 6, today=TODAY).children == 0
    assert trail.verify(db).ok


def test_purge_refuses_when_things_changed_since_the_preview(council):
    db, admin, _ = council
    preview = retention.preview_purge(db, admin, 6, today=TODAY)
    with db.session() as s:
        _child(s, "C-5", [LONG_AGO], ("Lysander", "Thornbury"))
    with pytest.raises(ValidationError, match="changed since the preview"):
        retention.purge(db, admin, 6, expected=preview, today=TODAY)
    assert _identity(db, "C-1").given_name == "Peregrine"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(retention.PurgeCancelled):
        retention.purge(db, admin, 6, today=TODAY, cancel=cancel)
    assert _identity(db, "C-5").given_name == "Lysander"


def test_retention_period_setting(council):
    db, admin, auditor = council
    with pytest.raises(ValidationError, match="No retention period is set"):
        retention.preview_purge(db, admin, today=TODAY)
    with pytest.raises(PermissionDenied):
        retention.set_retention_years(db, auditor, 6)
    with pytest.raises(ValidationError):
        retention.set_retention_years(db, admin, 0)
    retention.set_retention_years(db, admin, 10)
    assert retention.retention_years(db) == 10
    assert retention.preview_purge(db, admin, today=TODAY).children == 0  # 2018 is within 10
    retention.set_retention_years(db, admin, 6)
    assert retention.preview_purge(db, admin, today=TODAY).children == 1
    assert trail.verify(db).ok


def test_leap_day_cutoff():
    assert retention.cutoff_for(6, date(2024, 2, 29)) == date(2018, 2, 28)


def _on_disk(path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


def test_purged_names_do_not_linger_in_the_file(sqlite_database):
    db = sqlite_database
    admin = accounts.create_first_administrator(db, "admin", "", "admin password")
    with db.session() as s:
        for n in range(30):
            _child(s, f"C-{n}", [LONG_AGO], (f"Peregrine{n:02d}", "Quillfeather"), ["Ottoline Q"])
    assert b"Quillfeather" in _on_disk(db.path)
    retention.purge(db, admin, 6, today=TODAY)
    blob = _on_disk(db.path)
    assert b"Quillfeather" not in blob and b"Peregrine" not in blob and b"Ottoline" not in blob


def test_cli_preview_and_purge(sqlite_database, capsys, monkeypatch):
    db = sqlite_database
    accounts.create_first_administrator(db, "admin", "", "admin password")
    with db.session() as s:
        _child(s, "C-1", [LONG_AGO], ("Peregrine", "Quillfeather"))
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "admin password")
    base = ["--db", str(db.path), "--user", "admin", "retention"]
    assert main([*base, "preview", "--years", "6"]) == 0
    assert "1 identities" in capsys.readouterr().out
    assert main([*base, "purge", "--years", "6"]) == 1  # no terminal to confirm on
    assert _identity(db, "C-1").given_name == "Peregrine"
    assert main([*base, "purge", "--years", "6", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Purged 1 identities" in out and "Peregrine" not in out
    assert _identity(db, "C-1").given_name == ""
    assert main([*base, "preview", "--years", "6"]) == 0
    assert "No child's identifying details are due" in capsys.readouterr().out


def test_purge_takes_the_childs_names_out_of_audit_free_text(workbench_db):
    """Evidence, rationale and the signed copy lose the child's and family's names; the trail
    records each redaction and still verifies; the audit's grades stay."""
    from faker import Faker

    from caseaudit.models import Answer, Audit, SignOff
    from caseaudit.services import audits, signoff
    from caseaudit.vocabulary import AuditStatus

    from .workbench_helpers import PASSWORDS, audit_with_status, complete_with_services, sign_in_as

    db = workbench_db
    fake = Faker("en_GB")
    fake.seed_instance(7)
    given, family, sibling = "Zephyrine", fake.last_name() + "-Tollemache", "Barnaby Quenby"
    user = sign_in_as(db, "auditor")
    admin = sign_in_as(db, "admin")
    audit_id = audit_with_status(db, user, AuditStatus.NOT_STARTED, AuditStatus.IN_PROGRESS)
    with db.session() as s:
        child_id = s.scalar(
            select(CaseFile.child_id).join(Audit, Audit.case_file_id == CaseFile.id)
            .where(Audit.id == audit_id)
        )  # fmt: skip
        identity = s.get(ChildIdentity, child_id)
        identity.given_name, identity.family_name = given, family
        s.add(RelatedPerson(child_id=child_id, name=sibling, relationship_to_child="sibling"))
        for case in s.scalars(select(CaseFile).where(CaseFile.child_id == child_id)):
            case.status, case.closed_on = CaseStatus.CLOSED, LONG_AGO
    complete_with_services(db, user, audit_id)
    note = f"Visited {given}; {given}'s brother {sibling} was present. {family} family agreed."
    form = audits.open_audit(db, user, audit_id)
    question_id, answer = next(iter(form.answers.items()))
    audits.save_answer(db, user, audit_id, question_id, answer.value, evidence=note)
    signoff.sign_off(db, user, audit_id, PASSWORDS["auditor"])
    grades_before = audits.open_audit(db, user, audit_id).grading.suggested_overall

    preview = retention.preview_purge(db, admin, 5, today=TODAY)
    assert preview.audits >= 1
    done = retention.purge(db, admin, 5, expected=preview, today=TODAY)
    assert done.redacted_fields >= 2  # the evidence and its copy in the signed content

    with db.session() as s:
        evidence = s.scalar(
            select(Answer.evidence).where(
                Answer.audit_id == audit_id, Answer.question_id == question_id
            )
        )
        signed = s.scalars(select(SignOff).where(SignOff.audit_id == audit_id)).all()
        operations = s.scalars(
            select(ChangeLogEntry.operation).where(ChangeLogEntry.operation == "retention_redact")
        ).all()
    assert evidence.startswith("Visited [name]; [name] brother [name] was present.")
    for word in (given, family, "Quenby", "Barnaby"):
        assert word not in evidence
        assert word not in json.dumps([r.content for r in signed])
    assert operations  # every redacted logged record is on the trail
    report = trail.verify(db)
    assert report.ok, report.reason
    (sign,) = [r for r in signed if r.kind == "sign_off"]
    assert signoff.signed_content(db, audit_id, sign.id)  # the recomputed hash checks out
    assert audits.open_audit(db, user, audit_id).grading.suggested_overall == grades_before
