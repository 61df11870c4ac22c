"""Building and signing a round summary pack for a 500-audit round, next to plain reportlab.

``round_pack_500_s`` is the wall time of ``build_round_pack`` for a round of 500 audits (490
signed, with answers, section grades, findings and actions) in a SQLite file that also holds the
5,000-child demo borough, so the redactor knows every name a real authority's database would:
gathering the data in its few queries, redacting, drawing the charts, laying out every page,
signing with the user's (already unlocked) identity, writing the file and recording it on the
trail. ``round_pack_plain_reportlab_500_s`` is a plain reportlab ``SimpleDocTemplate`` build of
the same tables (the same rows and cell text, prepared beforehand; a cell is a wrapping
``Paragraph`` only when its text does not fit its column, as in the pack; default styles, no
charts, page furniture, redaction, database or signature). ``round_pack_vs_reportlab`` is their ratio (goal: at
most 1.5x; the pack's goal is at most 3 s). ``identity_unlock_s`` is the once-per-session cost of
unlocking the PKCS#12 identity, not part of either. Each figure is the best of three runs.
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

AUDITS = 500
RUNS = 3
AS_OF = date(2026, 3, 31)


def _prepare(folder: Path) -> tuple[Any, Any, int]:
    from caseaudit.db import open_database
    from caseaudit.reports.sample_round import PASSWORD, build_sample_round
    from caseaudit.services.demo import build_demo
    from caseaudit.services.users import authenticate

    db = open_database(folder / "reports.sqlite")
    build_demo(db, scale=5000, as_of=AS_OF, with_audits=True)
    found = build_sample_round(db, audits=AUDITS, previous=(40, 30, 20), as_of=AS_OF)
    actor = authenticate(db, found.qa_username, PASSWORD)
    return db, actor, found.round_id


def _plain_tables(data: Any) -> list[list[list[str]]]:
    """The rows of every table the pack prints, as plain strings (worked out untimed)."""
    from caseaudit.reports.figures import (
        GRADES,
        compliance_lines,
        distributions,
        is_overdue,
        shorten,
    )
    from caseaudit.reports.styles import grade_text

    scale = data.definition.scale
    overall, per_section = distributions(data)
    tables: list[list[list[str]]] = []
    method = data.method
    tables.append(
        [["Stratum", "Frame", "Eligible", "Drawn"]]
        + [
            [k, str(v.get("frame")), str(v.get("eligible")), str(v.get("drawn"))]
            for k, v in method.get("strata", {}).items()
        ]
    )
    tables.append(
        [["Overall grade", "Audits"]]
        + [[grade_text(scale, g), overall.shares[g].text(overall.n)] for g in GRADES]
    )
    tables.append(
        [["Section", "n"] + [grade_text(scale, g) for g in GRADES]]
        + [[d.label, str(d.n)] + [d.shares[g].text(d.n) for g in GRADES] for d in per_section]
    )
    tables.append(
        [["Section", "Standard", "Met", "n", "Yes", "Partly", "No", "N/A"]]
        + [
            [
                c.section,
                c.question,
                c.text,
                str(c.n),
                str(c.yes),
                str(c.partly),
                str(c.no),
                str(c.not_applicable),
            ]
            for c in compliance_lines(data)
        ]
    )
    titles = {s.id: s.title for s in data.definition.sections}
    tables.append(
        [["Case", "Section", "Action", "Owner", "Timescale", "Due", "Status"]]
        + [
            [
                a.case_key,
                titles.get(a.section_id, ""),
                shorten(data.redactor(a.description), 160),
                a.owner,
                a.timescale_band,
                a.due_on.isoformat(),
                "Overdue" if is_overdue(a, AS_OF) else a.status,
            ]
            for a in data.actions
        ]
    )
    tables.append(
        [["Round", "n", "Good or better"]]
        + [
            [p.name, str(p.n), str(p.grade_counts.get(1, 0) + p.grade_counts.get(2, 0))]
            for p in data.previous
        ]
    )
    return tables


def _plain_build(tables: list[list[list[str]]]) -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    style = getSampleStyleSheet()["BodyText"]
    started = time.perf_counter()
    story: list[Any] = []
    for rows in tables:
        width = 480 / max(len(rows[0]), 1)
        body = [
            [
                cell if stringWidth(cell, "Helvetica", 10) <= width - 12 else Paragraph(cell, style)
                for cell in row
            ]
            for row in rows
        ]
        story += [Table(body, colWidths=[width] * len(rows[0]), repeatRows=1), Spacer(1, 12)]
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)
    return time.perf_counter() - started


def run() -> Iterable[tuple[str, float, str]]:
    from caseaudit.reports.gather import gather_round
    from caseaudit.reports.identity import load_identity
    from caseaudit.reports.sample_round import PASSWORD
    from caseaudit.services.reporting import build_round_pack, signing_identity

    with tempfile.TemporaryDirectory(prefix="caseaudit-bench-") as name:
        folder = Path(name)
        db, actor, round_id = _prepare(folder)
        try:
            identity = signing_identity(db, actor, PASSWORD, data_dir=folder / "data")
            started = time.perf_counter()
            load_identity(actor.username, PASSWORD, data_dir=folder / "data")
            unlock = time.perf_counter() - started
            pack = []
            for run_no in range(RUNS):
                out = folder / f"pack-{run_no}.pdf"
                started = time.perf_counter()
                result = build_round_pack(db, actor, round_id, out, sign_with=identity, today=AS_OF)
                pack.append(time.perf_counter() - started)
                assert result.signed and result.audits == AUDITS - 2
            with db.session() as s:
                data = gather_round(s, round_id)
            tables = _plain_tables(data)
            plain = [_plain_build(tables) for _ in range(RUNS)]
        finally:
            db.close()
    yield ("round_pack_500_s", round(min(pack), 3), "s")
    yield ("round_pack_plain_reportlab_500_s", round(min(plain), 3), "s")
    yield ("round_pack_vs_reportlab", round(min(pack) / min(plain), 2), "x")
    yield ("identity_unlock_s", round(unlock, 3), "s")


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value} {unit}")
