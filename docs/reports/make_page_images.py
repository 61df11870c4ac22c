"""Make the page images in this folder: ``.venv/bin/python docs/reports/make_page_images.py``.

Builds the demo borough (500 children, as of 20 March 2026) plus a synthetic 60-audit themed
round with three earlier rounds into a temporary database, writes a signed per-audit PDF (demo
data), a signed summary pack of the themed round, the named internal version of it and a signed
pack of the demo's IRO monthly round, then renders the pages with ``pdftoppm -png -r 60``. All
names are invented.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from caseaudit.db import open_database
from caseaudit.models import Audit, AuditRound, AuditTemplate, TemplateVersion
from caseaudit.reports.sample_round import PASSWORD, build_sample_round
from caseaudit.services.demo import build_demo
from caseaudit.services.reporting import build_audit_report, build_round_pack, signing_identity
from caseaudit.services.users import authenticate
from caseaudit.vocabulary import AuditStatus

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 3, 20)


def pages(pdf: Path, stem: str, wanted: dict[int | str, str]) -> None:
    """Copy the wanted pages: by number (negative from the end) or by a heading they show."""
    texts = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), f"{tmp}/p"], check=True)
        found = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        for key, name in wanted.items():
            if isinstance(key, str):
                index = next(i for i, text in enumerate(texts) if key in text.splitlines())
            else:
                index = key - 1 if key > 0 else len(found) + key
            shutil.copyfile(found[index], HERE / f"{stem}-{name}.png")


def main() -> None:
    for old in HERE.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db = open_database(folder / "demo.sqlite")
        build_demo(db, seed=2026, scale=500, as_of=AS_OF)
        sample = build_sample_round(db, audits=60, previous=(30, 25, 12), as_of=AS_OF)
        qa = authenticate(db, sample.qa_username, PASSWORD)
        identity = signing_identity(db, qa, PASSWORD, data_dir=folder / "data")
        with db.session() as s:
            audit_id = s.scalars(
                select(Audit.id)
                .where(
                    Audit.status == AuditStatus.SIGNED,
                    ~Audit.case_file_id.in_(
                        select(Audit.case_file_id).where(Audit.id.in_(sample.audit_ids))
                    ),
                )
                .order_by(Audit.id)
            ).first()
            iro_round = s.scalars(
                select(AuditRound.id)
                .join(TemplateVersion, AuditRound.template_version_id == TemplateVersion.id)
                .join(AuditTemplate, TemplateVersion.template_id == AuditTemplate.id)
                .where(AuditTemplate.key == "lac-review-minutes")
                .order_by(AuditRound.period_start.desc())
            ).first()
        audit_pdf = folder / "audit.pdf"
        build_audit_report(db, qa, audit_id, audit_pdf, sign_with=identity)
        pages(audit_pdf, "audit", {1: "page-1", 2: "page-2", -1: "last-page"})
        pack = folder / "pack.pdf"
        build_round_pack(db, qa, sample.round_id, pack, sign_with=identity, today=AS_OF)
        pages(
            pack,
            "pack",
            {
                1: "cover",
                "How the files were chosen": "method-headline",
                "Grade distribution": "grade-distribution",
                "Compliance with standards": "compliance",
                "Themes": "themes",
                "Actions": "actions",
                "Compared with earlier rounds": "comparison",
            },
        )
        named = folder / "named.pdf"
        build_round_pack(
            db, qa, sample.round_id, named, named=True, sign_with=identity, today=AS_OF
        )
        pages(
            named,
            "pack-named",
            {1: "cover", "Children in this round (named internal version)": "case-list"},
        )
        iro = folder / "iro.pdf"
        build_round_pack(db, qa, iro_round, iro, sign_with=identity, today=AS_OF)
        pages(iro, "pack-iro", {"Each IRO's results, month by month": "month-by-month"})
        db.close()


if __name__ == "__main__":
    main()
