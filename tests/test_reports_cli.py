"""The report, export, verify and identity commands, end to end on a real database file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from caseaudit.cli import main
from caseaudit.db import open_database
from caseaudit.reports.sample_round import PASSWORD, build_sample_round


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> dict:
    db_path = tmp_path / "round.sqlite"
    db = open_database(db_path)
    try:
        found = build_sample_round(db, audits=4, previous=())
    finally:
        db.close()
    monkeypatch.setenv("CASEAUDIT_PASSWORD", PASSWORD)
    monkeypatch.delenv("CASEAUDIT_USER", raising=False)
    data_dir = tmp_path / "data"
    base = ["--db", str(db_path), "--data-dir", str(data_dir), "--user", found.qa_username]
    return {"base": base, "found": found, "tmp": tmp_path, "data": data_dir}


def test_report_round_signs_with_an_identity_made_on_first_use(env, capsys) -> None:
    out = env["tmp"] / "pack.pdf"
    found = env["found"]
    assert main([*env["base"], "report", "round", str(found.round_id), "--out", str(out)]) == 0
    assert "signed by Quinn Assurance" in capsys.readouterr().out
    cert = env["data"] / "identities" / f"{found.qa_username}.pem"
    assert cert.exists()
    assert main(["verify", str(out), "--trust", str(cert)]) == 0
    printed = capsys.readouterr().out
    assert "Intact:        yes" in printed and "Trusted:       yes" in printed
    if shutil.which("pdfsig"):
        done = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, check=False)
        assert "Signature Validation: Signature is Valid." in done.stdout


def test_report_audit_unsigned_and_named(env, capsys) -> None:
    found = env["found"]
    out = env["tmp"] / "audit.pdf"
    args = [*env["base"], "report", "audit", str(found.audit_ids[0]), "--out", str(out)]
    assert main([*args, "--no-sign", "--named"]) == 0
    assert "named internal version, not signed" in capsys.readouterr().out
    assert main(["verify", str(out)]) != 0
    assert "The document is not signed." in capsys.readouterr().out


def test_report_round_by_name_and_a_wrong_round(env, capsys) -> None:
    out = env["tmp"] / "pack.pdf"
    name = "Sample round 7-1 (Mar 2026)"
    assert main([*env["base"], "report", "round", name, "--out", str(out), "--no-sign"]) == 0
    assert main([*env["base"], "report", "round", "no such round", "--out", str(out)]) != 0
    assert "There is no audit round called" in capsys.readouterr().err


def test_export_commands(env, capsys) -> None:
    found = env["found"]
    folder = env["tmp"] / "csv"
    code = main(
        [*env["base"], "export", str(found.round_id), "--format", "csv", "--out", str(folder)]
    )
    assert code == 0
    assert len(list(folder.glob("*.csv"))) == 5
    book = env["tmp"] / "round.xlsx"
    assert (
        main([*env["base"], "export", str(found.round_id), "--format", "xlsx", "--out", str(book)])
        == 0
    )
    assert book.exists()


def test_identity_show_create_and_a_wrong_password(env, capsys, monkeypatch) -> None:
    assert main([*env["base"], "identity", "show"]) == 0
    assert "has no signing identity yet" in capsys.readouterr().out
    assert main([*env["base"], "identity", "create"]) == 0
    created = capsys.readouterr().out
    assert "Signer:        Quinn Assurance (QA lead)" in created and "self-signed" in created
    assert main([*env["base"], "identity", "show"]) == 0
    assert "Fingerprint:   SHA-256" in capsys.readouterr().out
    monkeypatch.setenv("CASEAUDIT_PASSWORD", "not the password")
    out = env["tmp"] / "pack.pdf"
    assert (
        main([*env["base"], "report", "round", str(env["found"].round_id), "--out", str(out)]) != 0
    )
    assert "user name or password is not right" in capsys.readouterr().err
    assert not out.exists()


def test_the_commands_need_a_user(env, capsys) -> None:
    base = env["base"][:4]
    out = env["tmp"] / "pack.pdf"
    assert main([*base, "report", "round", "1", "--out", str(out)]) != 0
    assert "needs a user" in capsys.readouterr().err


def test_identity_import_uses_the_organisations_certificate(env, capsys, monkeypatch) -> None:
    from tests.test_signing import _organisation_p12

    pfx = _organisation_p12(env["tmp"])
    monkeypatch.setenv("CASEAUDIT_P12_PASSWORD", "pfx-secret")
    assert main([*env["base"], "identity", "import", str(pfx)]) == 0
    shown = capsys.readouterr().out
    assert "Issued by:     CN=Borough Council Signing CA" in shown
    out = env["tmp"] / "pack.pdf"
    found = env["found"]
    assert main([*env["base"], "report", "round", str(found.round_id), "--out", str(out)]) == 0
    assert "signed by Jane Doe" in capsys.readouterr().out
    assert main(["verify", str(out), "--trust", str(env["tmp"] / "ca.pem")]) == 0
    assert "Trusted:       yes" in capsys.readouterr().out
    monkeypatch.setenv("CASEAUDIT_P12_PASSWORD", "wrong")
    assert main([*env["base"], "identity", "import", str(pfx)]) != 0
    assert "could not be opened" in capsys.readouterr().err


def test_an_identity_the_password_no_longer_opens_can_be_replaced(env, capsys) -> None:
    from caseaudit.reports.identity import change_identity_password

    found = env["found"]
    assert main([*env["base"], "identity", "create"]) == 0
    change_identity_password(found.qa_username, PASSWORD, "an old password", data_dir=env["data"])
    out = env["tmp"] / "pack.pdf"
    args = [*env["base"], "report", "round", str(found.round_id), "--out", str(out)]
    assert main(args) != 0
    assert "identity create --replace" in capsys.readouterr().err
    assert main([*env["base"], "identity", "create", "--replace"]) == 0
    assert main(args) == 0
