"""The round summary pack a quality assurance group reads, rendered with reportlab platypus.

Cover (round, theme, period, author, date, OFFICIAL-SENSITIVE), method (template and version,
sampling frame per stratum, seed, exclusions, manual changes), headline findings, grade
distributions overall and per section (charts and tables), compliance, themes with short
pseudonymised quotes, actions, comparison with earlier rounds and, for IRO programmes, each
IRO's results month by month. ``render_round_pack`` only lays out what ``RoundData`` holds; the
sections themselves are built in ``round_sections``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, BinaryIO

from reportlab.platypus import CondPageBreak, PageBreak, Spacer, Table

from . import ReportCancelled
from .data import RoundData
from .figures import distributions, mean_compliance, percent
from .round_sections import (
    actions_section,
    comparison_section,
    compliance_section,
    distribution_section,
    headline_section,
    iro_section,
    named_appendix,
    themes_section,
)
from .styles import KEY_VALUE_STYLE, TABLE_STYLE, DocumentFrame, format_date, make_document, para

__all__ = ["render_round_pack"]

Progress = Callable[[float, str], None]
ROWS_PER_PAGE = 30


def _method_value(method: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if method.get(key) not in (None, "", [], {}):
            return method[key]
    return None


def cover(data: RoundData, author: str, generated: datetime) -> list[Any]:
    d = data.definition
    story: list[Any] = [
        Spacer(1, 30),
        para("OFFICIAL-SENSITIVE", "marking"),
        Spacer(1, 18),
        para("Audit round summary", "title"),
        para(data.name, "subtitle"),
    ]
    rows = [
        ["Theme", data.theme or d.theme or "not recorded"],
        ["Audit period", f"{format_date(data.period_start)} to {format_date(data.period_end)}"],
        ["Template", f"{data.template_title} (version {data.template_version})"],
        ["Case files sampled", str(data.sample_size)],
        ["Audits signed off", str(len(data.signed_audits))],
        ["Produced by", author],
        ["Produced on", generated.strftime("%d %B %Y at %H:%M")],
    ]
    table = Table(
        [[para(k, "body"), para(v, "body")] for k, v in rows], colWidths=[120, 330], hAlign="LEFT"
    )
    story += [Spacer(1, 14), table, Spacer(1, 20)]
    if data.named:
        story.append(
            para(
                "<b>NAMED INTERNAL VERSION.</b> This copy names children. It is for use inside "
                "the local authority only: do not send it to partners, boards or anyone outside "
                "children's services. Use the pseudonymised pack for quality assurance groups.",
                markup=True,
            )
        )
    else:
        story.append(
            para(
                "<b>Pseudonymised.</b> Children appear only by case key. No child's name, date "
                "of birth or address is in this document, and names found in auditors' notes "
                "have been replaced with [name]. Categories with fewer than 3 audits are not "
                "shown as numbers, so that no child can be recognised. Please do not add "
                "identifying details when sharing or quoting it.",
                markup=True,
            )
        )
    story += [
        Spacer(1, 10),
        para(
            "This document is digitally signed by the person who produced it. Any PDF reader "
            "can check the signature; 'caseaudit verify' reports whether it has been changed.",
            "muted",
        ),
        PageBreak(),
    ]
    return story


def method(data: RoundData) -> list[Any]:
    m, spec = data.method, data.sample_spec
    story: list[Any] = [para("How the files were chosen", "h1")]
    seed = data.seed if data.seed is not None else _method_value(m, "seed")
    frame_size = _method_value(m, "frame_size")
    description = _method_value(m, "description")
    facts = [
        ["Template", f"{data.template_title}, version {data.template_version}"],
        ["Sampling", description or _spec_text(spec) or "not recorded"],
        ["Random seed", str(seed) if seed is not None else "not recorded"],
        [
            "Sampling frame",
            f"{frame_size} case files" if frame_size is not None else "not recorded",
        ],
        ["Drawn", _drawn_text(m)],
        ["Files in the sample", f"{data.sample_size} (removed later: {data.removed_count})"],
    ]
    story.append(_table(facts, [110, 360], header=False, wrap=True))
    strata = m.get("strata") if isinstance(m.get("strata"), dict) else None
    story.append(para("Sampling frame by stratum", "h2"))
    if strata:
        rows = [["Stratum", "Frame", "Eligible", "Drawn"]]
        for label, s in strata.items():
            s = s if isinstance(s, dict) else {}
            rows.append(
                [label, _num(s.get("frame")), _num(s.get("eligible")), _num(s.get("drawn"))]
            )
        story.append(_table(rows, [250, 70, 70, 70]))
    elif data.strata:
        rows = [["Stratum (from the sample)", "Drawn"]]
        rows += [[k, str(v)] for k, v in sorted(data.strata.items())]
        story.append(_table(rows, [330, 70]))
    else:
        story.append(para("not recorded", "muted"))
    story.append(para("Exclusions", "h2"))
    exclusions = m.get("exclusions") if isinstance(m.get("exclusions"), dict) else {}
    if exclusions:
        story.append(
            _table(
                [["Why excluded", "Files"]] + [[k, str(v)] for k, v in exclusions.items()],
                [380, 70],
            )
        )
    else:
        story.append(para("not recorded" if "exclusions" not in m else "None.", "muted"))
    story.append(para("Changes made by hand", "h2"))
    changes = m.get("manual_changes") if isinstance(m.get("manual_changes"), list) else None
    if changes:
        rows = [["Change", "Case key", "Reason", "By", "When"]]
        for c in changes:
            c = c if isinstance(c, dict) else {}
            rows.append(
                [
                    str(c.get("action", "")),
                    str(c.get("case_key", "")),
                    data.redactor(str(c.get("reason", ""))),
                    str(c.get("by", "")),
                    str(c.get("at", ""))[:10],
                ]
            )
        story.append(_table(rows, [60, 60, 210, 70, 70], wrap=True))
    else:
        story.append(para("None." if changes == [] else "not recorded", "muted"))
    for warning in m.get("warnings") or []:
        story.append(para(f"Note: {warning}", "muted"))
    return story


def _spec_text(spec: dict[str, Any]) -> str:
    if not spec:
        return ""
    parts = []
    if spec.get("size"):
        parts.append(f"{spec['size']} files")
    if spec.get("strata"):
        parts.append("stratified by " + ", ".join(map(str, spec["strata"])))
    return ", ".join(parts)


def _drawn_text(m: dict[str, Any]) -> str:
    when, by = m.get("drawn_at"), m.get("drawn_by")
    if not when and not by:
        return "not recorded"
    return " by ".join(str(x) for x in (str(when)[:16].replace("T", " ") if when else "", by) if x)


def _num(value: Any) -> str:
    return "not recorded" if value is None else str(value)


def _table(
    rows: list[list[Any]], widths: list[float], *, header: bool = True, wrap: bool = False
) -> Table:
    body = [[para(c, "cell") for c in r] if wrap else list(r) for r in rows]
    if header and wrap:
        body[0] = list(rows[0])
    table = Table(body, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TABLE_STYLE if header else KEY_VALUE_STYLE)
    return table


def build_story(data: RoundData, *, author: str, generated: datetime, today: date) -> list[Any]:
    overall, per_section = distributions(data)
    mean, n_mean = mean_compliance(data)
    story = cover(data, author, generated)
    story += method(data)
    story += [CondPageBreak(250)]
    story += headline_section(data, overall, per_section, today)
    story += [PageBreak()]
    story += distribution_section(data, overall, per_section)
    story += [PageBreak()]
    compliance_text = (
        f"Across {n_mean} signed audits, compliance with the checked standards averaged "
        f"{mean:.0f}%."
        if mean is not None
        else "No compliance percentages were recorded."
    )
    story += compliance_section(data, compliance_text)
    story += [CondPageBreak(300)]
    story += themes_section(data)
    story += [PageBreak()]
    story += actions_section(data, today)
    story += [CondPageBreak(200)]
    story += comparison_section(data, overall, mean, n_mean)
    if data.iro_results:
        story += [PageBreak()]
        story += iro_section(data)
    if data.named:
        story += [PageBreak()]
        story += named_appendix(data)
    return story


def render_round_pack(
    data: RoundData,
    target: str | BinaryIO,
    *,
    author: str,
    generated: datetime,
    today: date,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Lay out the pack into ``target`` (a path or a binary file object)."""
    story = build_story(data, author=author, generated=generated, today=today)
    # A long table is laid out in one piece per page: count those pieces too.
    total = len(story) + sum(
        len(f._cellvalues) // ROWS_PER_PAGE for f in story if isinstance(f, Table)
    )
    done = [0]

    def after(_flowable: Any) -> None:
        done[0] += 1
        if cancel is not None and cancel.is_set():
            raise ReportCancelled
        if progress is not None and done[0] % 5 == 0:
            progress(min(done[0] / max(total, 1), 0.99), f"Laying out page {doc.page}")

    frame = DocumentFrame(f"Audit round summary: {data.name}", data.named, generated)
    doc = make_document(
        target,
        frame,
        author=author,
        subject=f"{data.template_title}; {percent(len(data.signed_audits), data.sample_size)} "
        "of the sample signed off",
        after_flowable=after,
    )
    doc.build(story)
