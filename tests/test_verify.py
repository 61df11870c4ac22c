"""``caseaudit verify``: intact signed reports pass; any single changed byte makes it fail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from caseaudit.cli import main
from caseaudit.db import open_database
from caseaudit.reports.sample_round import PASSWORD, build_sample_round
from caseaudit.reports.verify import verify_pdf_bytes
from caseaudit.services import reporting
from caseaudit.services.users import authenticate


@pytest.fixture(scope="module")
def signed_pack(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("verify")
    db = open_database(folder / "round.sqlite")
    try:
        sample = build_sample_round(db, audits=6, previous=())
        actor = authenticate(db, sample.qa_username, PASSWORD)
        identity = reporting.signing_identity(db, actor, PASSWORD, data_dir=folder / "data")
        out = folder / "pack.pdf"
        reporting.build_round_pack(db, actor, sample.round_id, out, sign_with=identity)
    finally:
        db.close()
    return {"path": out, "data": out.read_bytes(), "cert": identity.info.certificate_path}


def _byte_range(data: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert found, "the signed file has a /ByteRange"
    a, b, c, d = (int(x) for x in found.groups())
    return a, b, c, d


def _digit_at_or_after(data: bytes, start: int) -> int:
    return next(i for i in range(start, len(data)) if data[i : i + 1].isdigit())


def _positions(data: bytes) -> dict[str, int]:
    _a, b, c, _d = _byte_range(data)
    first_stream = data.index(b"stream", data.index(b"/Type /Page")) + 12
    return {
        "PDF header": 3,
        "first page's content stream": first_stream,
        "document information": data.index(b"/Producer") + 3,
        "start of the signature's DER": b + 3,
        # a decimal digit: flipping 0x20 in a hex letter only changes its case, not its value
        "middle of the signature value": _digit_at_or_after(data, (b + c) // 2 - 400),
        "padding after the signature": c - 8,
        "the /ByteRange numbers": data.index(b"/ByteRange") + 14,
        "the last cross-reference table": data.rindex(b"xref") + 12,
        "the trailer": data.rindex(b"trailer") + 10,
        "startxref offset": data.rindex(b"startxref") + 11,
        "end-of-file marker": data.rindex(b"%%EOF") + 2,
    }


def test_an_untouched_pack_is_intact_and_trusted_only_with_its_certificate(
    signed_pack, capsys
) -> None:
    assert main(["verify", str(signed_pack["path"])]) == 0
    out = capsys.readouterr().out
    assert "Intact:        yes" in out
    assert "Trusted:       no (no --trust certificate given)" in out
    assert "Signer:        Quinn Assurance (QA lead)" in out
    assert re.search(r"Signing time:  \d{1,2} \w+ \d{4} \d\d:\d\d", out)
    assert main(["verify", str(signed_pack["path"]), "--trust", str(signed_pack["cert"])]) == 0
    assert "Trusted:       yes" in capsys.readouterr().out


@pytest.mark.parametrize(
    "where",
    [
        "PDF header",
        "first page's content stream",
        "document information",
        "start of the signature's DER",
        "middle of the signature value",
        "padding after the signature",
        "the /ByteRange numbers",
        "the last cross-reference table",
        "the trailer",
        "startxref offset",
        "end-of-file marker",
    ],
)
@pytest.mark.parametrize("change", [0x01, 0x20])
def test_one_flipped_byte_makes_verify_fail(
    signed_pack, tmp_path: Path, capsys, where: str, change: int
) -> None:
    data = bytearray(signed_pack["data"])
    position = _positions(bytes(data))[where]
    data[position] ^= change
    target = tmp_path / "changed.pdf"
    target.write_bytes(bytes(data))
    code = main(["verify", str(target), "--trust", str(signed_pack["cert"])])
    captured = capsys.readouterr()
    assert code != 0, f"a change in {where} was not noticed"
    assert "Intact:        no" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_no_single_flipped_byte_anywhere_goes_unnoticed(signed_pack) -> None:
    data = signed_pack["data"]
    _a, b, c, _d = _byte_range(data)
    der_end = b + 1 + 2 * 1200  # the signature's DER lies at the start of /Contents
    positions = list(range(0, len(data), max(1, len(data) // 50)))
    positions += list(range(b, min(der_end, c), 61))
    missed = []
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 0x01
        if verify_pdf_bytes(bytes(changed)).intact:
            missed.append(position)
    assert not missed, f"changes at {missed} were not noticed"


def test_a_replaced_signature_is_invalid_not_a_crash(signed_pack, tmp_path, capsys) -> None:
    data = signed_pack["data"]
    _a, b, c, _d = _byte_range(data)
    garbage = b"<" + b"3082" + b"AB" * ((c - b - 6) // 2) + b">"
    changed = data[:b] + garbage[: c - b].ljust(c - b, b"0") + data[c:]
    target = tmp_path / "forged.pdf"
    target.write_bytes(changed)
    assert main(["verify", str(target)]) != 0
    assert "Traceback" not in "".join(capsys.readouterr())


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("appended update", lambda d: d + b"\n% a line added after signing\n"),
        ("truncated", lambda d: d[: len(d) // 2]),
        ("not a pdf", lambda d: b"hello, this is not a PDF"),
        ("empty", lambda d: b""),
    ],
)
def test_damaged_files_are_reported_not_intact(signed_pack, tmp_path, capsys, name, make) -> None:
    target = tmp_path / f"{name}.pdf"
    target.write_bytes(make(signed_pack["data"]))
    assert main(["verify", str(target)]) != 0, name
    captured = capsys.readouterr()
    assert "Intact:        no" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_an_unsigned_pdf_is_not_intact(tmp_path, capsys) -> None:
    from tests.test_signing import simple_pdf

    target = tmp_path / "plain.pdf"
    target.write_bytes(simple_pdf())
    assert main(["verify", str(target)]) != 0
    out = capsys.readouterr().out
    assert "Signed:        no" in out and "The document is not signed." in out


def test_a_missing_file_or_bad_trust_certificate_is_a_plain_error(signed_pack, tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nowhere.pdf")]) != 0
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    assert main(["verify", str(signed_pack["path"]), "--trust", str(bogus)]) != 0
    err = capsys.readouterr().err
    assert "Could not read" in err and "trusted certificate could not be read" in err


def test_the_installed_command_never_prints_a_traceback(signed_pack, tmp_path) -> None:
    data = bytearray(signed_pack["data"])
    _a, b, _c, _d = _byte_range(bytes(data))
    data[b + 5] ^= 0x01
    target = tmp_path / "changed.pdf"
    target.write_bytes(bytes(data))
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    for path, expected in ((signed_pack["path"], 0), (target, 4)):
        done = subprocess.run(
            [sys.executable, "-m", "caseaudit", "verify", str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == expected, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
