"""The per-audit PDF: one case file's audit, section by section, ending with the sign-off block.

The case is named only by its case key, pathway stage and team (the named internal version adds
the child's name and date of birth). Every section the template showed for this case file lists
its questions with answers and (redacted) evidence, timescale checks in words, the auditor's and
the suggested section grade and any limiting rule that capped it, explained in a sentence. Then
the overall grade with its rationale, findings, actions, and who signed the audit off, when, and
the SHA-256 of the content they signed. Grades are in words and letters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from ..templating import AnswerValue, CaseContext, GradingResult, grade
from ..vocabulary import ActionStatus, FindingKind, TimescaleBand
from . import ReportCancelled
from .data import AuditData
from .styles import (
    CONTENT_WIDTH,
    KEY_VALUE_STYLE,
    STYLES,
    TABLE_STYLE,
    DocumentFrame,
    answer_text,
    clean,
    format_date,
    grade_text,
    make_document,
    para,
)

__all__ = ["grading_for", "render_audit_pdf"]

Progress = Callable[[float, str], None]


def _cell(text: Any, style: str = "cell") -> Paragraph:
    return Paragraph(escape(clean(text)).replace("\n", "<br/>"), STYLES[style])


def _table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TABLE_STYLE if header else KEY_VALUE_STYLE)
    return table


def grading_for(data: AuditData) -> GradingResult | None:
    """What the grading engine says about this audit (None if it cannot say)."""
    answers = {
        qid: AnswerValue(row.value, row.evidence, row.na_reason)
        for qid, row in data.answers.items()
    }
    stages = frozenset(data.events) | {data.audit.pathway.value}
    try:
        return grade(
            data.definition,
            answers,
            data.section_grades,
            data.audit.overall_grade,
            CaseContext(stages, data.events),
            overall_rationale=data.audit.rationale,
        )
    except Exception:  # a report must still be produced for an audit the engine cannot read
        return None


def _header(data: AuditData, result: GradingResult | None) -> list[Any]:
    a, scale = data.audit, data.definition.scale
    story: list[Any] = [
        para("Case file audit", "title"),
        para(f"Case {a.case_key}", "subtitle"),
    ]
    rows = [
        ["Case key", a.case_key],
        ["Pathway stage", a.pathway.label],
        ["Team", a.team or "not recorded"],
        ["Audit round", data.round_name or "not part of a round"],
        ["Template", f"{data.template_title} (version {data.template_version})"],
        ["Auditor", a.auditor],
        ["Status", a.status.label],
    ]
    if data.named and a.named is not None:
        rows[1:1] = [
            ["Child's name", a.named.full_name],
            ["Date of birth", format_date(a.named.date_of_birth)],
        ]
    table = Table(
        [[_cell(k, "body"), _cell(v, "body")] for k, v in rows], colWidths=[110, 370], hAlign="LEFT"
    )
    story += [table, Spacer(1, 8), para("Overall judgement", "h1")]
    verdict = [["Overall grade", grade_text(scale, a.overall_grade)]]
    suggested = result.suggested_overall if result else a.suggested_grade
    verdict.append(["Suggested by the template", grade_text(scale, suggested)])
    if a.compliance_percent is not None:
        verdict.append(["Compliance", f"{a.compliance_percent:.0f}% of the checked standards met"])
    story.append(
        _table([[_cell(k, "body"), _cell(v, "body")] for k, v in verdict], [160, 320], header=False)
    )
    if result is not None:
        for cap in result.overall_caps:
            story.append(para(f"Limiting rule: {cap.sentence}", "body"))
    elif data.definition.rules:
        story.append(
            para("The template's limiting rules could not be checked for this audit.", "muted")
        )
    story.append(para("Rationale", "h2"))
    story.append(para(data.redactor(a.rationale) or "No rationale was recorded.", "body"))
    return story


def _section(data: AuditData, section: Any, result: GradingResult | None) -> list[Any]:
    scale = data.definition.scale
    visible_questions = set(result.visible_questions) if result else None
    story: list[Any] = [para(section.title, "h1")]
    if section.graded:
        given = data.section_grades.get(section.id)
        line = f"Section grade: {grade_text(scale, given)}"
        outcome = result.sections.get(section.id) if result else None
        if outcome is not None and outcome.suggested is not None:
            line += f"  (suggested from the answers: {grade_text(scale, outcome.suggested)})"
        story.append(para(line, "h2"))
        if outcome is not None:
            for cap in outcome.caps:
                story.append(para(f"Limiting rule: {cap.sentence}", "body"))
    else:
        story.append(
            para("This section is not graded; its answers count towards compliance.", "muted")
        )
    rows: list[list[Any]] = [["Question", "Answer", "Evidence"]]
    for q in section.questions:
        if visible_questions is not None and q.id not in visible_questions:
            continue
        answer = data.answers.get(q.id)
        value = answer_text(q, answer.value if answer else None, scale)
        evidence = data.redactor(answer.evidence) if answer else ""
        if answer and answer.na_reason:
            evidence = (evidence + "\n" if evidence else "") + (
                "Not applicable because: " + data.redactor(answer.na_reason)
            )
        timing = result.timescales.get(q.id) if result else None
        if timing is not None:
            value += f"\n{timing.sentence}"
        rows.append([_cell(q.text), _cell(value), _cell(evidence)])
    if len(rows) > 1:
        story.append(_table(rows, [170, 110, CONTENT_WIDTH - 280]))
        story.append(Spacer(1, 4))
    comment = data.section_commentary.get(section.id, "")
    if comment:
        story.append(para(f"Auditor's commentary: {data.redactor(comment)}", "body"))
    return story


def _findings_and_actions(data: AuditData) -> list[Any]:
    titles = {s.id: s.title for s in data.definition.sections}
    story: list[Any] = [para("Findings", "h1")]
    if not data.findings:
        story.append(para("None recorded.", "muted"))
    for kind in FindingKind:
        mine = [f for f in data.findings if f.kind == kind.value]
        if mine:
            story.append(para(f"{kind.label}s", "h2"))
            for f in mine:
                where = titles.get(f.section_id, "")
                prefix = f"{where}: " if where else ""
                story.append(para(f"\u2022 {prefix}{data.redactor(f.text)}", "bullet"))
    story.append(para("Actions", "h1"))
    if not data.actions:
        story.append(para("No actions were raised.", "muted"))
        return story
    rows: list[list[Any]] = [["Action", "Owner", "Timescale", "Due", "Status"]]
    for x in data.actions:
        rows.append(
            [
                _cell(data.redactor(x.description)),
                _cell(x.owner or "not set"),
                _cell(TimescaleBand(x.timescale_band).label if x.timescale_band else ""),
                x.due_on.strftime("%d %b %Y"),
                _cell(ActionStatus(x.status).label),
            ]
        )
    story.append(_table(rows, [210, 90, 70, 55, 55]))
    return story


def _sign_off_block(data: AuditData) -> list[Any]:
    block: list[Any] = [para("Sign-off", "h1")]
    if not data.sign_offs:
        block.append(para("This audit has not been signed off.", "body"))
        return [KeepTogether(block)]
    rows: list[list[Any]] = [["What", "Who", "When", "Content signed (SHA-256)"]]
    for s in data.sign_offs:
        what = "Signed off" if s.kind == "sign_off" else "Reopened"
        if s.reason:
            what += f": {data.redactor(s.reason)}"
        rows.append(
            [
                _cell(what),
                _cell(s.by),
                _cell(s.at.strftime("%d %b %Y %H:%M")),
                _cell(s.content_hash or "not recorded", "small"),
            ]
        )
    block.append(_table(rows, [110, 100, 75, CONTENT_WIDTH - 285]))
    block.append(
        para(
            "The SHA-256 is a fingerprint of the answers, grades and findings as they were "
            "signed; caseaudit keeps the original whenever a signed audit is amended.",
            "muted",
        )
    )
    return [KeepTogether(block)]


def render_audit_pdf(
    data: AuditData,
    target: str | BinaryIO,
    *,
    author: str,
    generated: datetime,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Lay out one audit into ``target`` (a path or a binary file object)."""
    result = grading_for(data)
    visible = set(result.visible_sections) if result else None
    story = _header(data, result)
    for section in data.definition.sections:
        if visible is None or section.id in visible:
            story += _section(data, section, result)
    story += _findings_and_actions(data)
    story += _sign_off_block(data)

    def after(_flowable: Any) -> None:
        if cancel is not None and cancel.is_set():
            raise ReportCancelled

    if progress is not None:
        progress(0.5, "Laying out the pages")
    frame = DocumentFrame(f"Case file audit: {data.audit.case_key}", data.named, generated)
    doc = make_document(
        target, frame, author=author, subject=data.template_title, after_flowable=after
    )
    doc.build(story)
