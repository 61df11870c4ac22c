"""The sections of a round summary pack after the cover and method, as platypus flowables.

Each function takes the gathered ``RoundData`` (and the figures worked out from it) and returns
a list of flowables: headline findings in sentences, grade distributions (chart plus table),
compliance per standard, themes with pseudonymised quotes, the actions table, the comparison
with earlier rounds and the month-by-month view per IRO. Free text always passes through the
round's redactor; numbers always come with their n.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from ..vocabulary import ActionStatus, FindingKind, TimescaleBand
from .charts import overall_chart, section_chart
from .data import RoundData
from .figures import (
    FEWER,
    GRADES,
    MIN_COMPARABLE,
    WITHHELD,
    Distribution,
    action_summary,
    compliance_lines,
    iro_months,
    is_overdue,
    percent,
    shorten,
    themes,
)
from .styles import CONTENT_WIDTH, STYLES, TABLE_STYLE, clean, format_date, grade_text, para

__all__ = [
    "actions_section",
    "comparison_section",
    "compliance_section",
    "distribution_section",
    "headline_section",
    "iro_section",
    "named_appendix",
    "themes_section",
]

_CELL = STYLES["cell"]


def _cell(text: Any, width: float | None = None) -> Paragraph | str:
    """A wrapping paragraph, or the plain text when it fits in ``width`` (much faster)."""
    value = clean(text)
    if width is not None and stringWidth(value, "Helvetica", 8) <= width - 7:
        return value
    return Paragraph(escape(value), _CELL)


def _table(rows: list[list[Any]], widths: list[float], repeat: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=repeat, hAlign="LEFT")
    table.setStyle(TABLE_STYLE)
    return table


def _count_text(count: int, noun: str, *, start: bool = False) -> str:
    if 0 < count < 3:
        text = f"{FEWER} {noun}s"
        return text[0].upper() + text[1:] if start else text
    return f"{count} {noun}{'' if count == 1 else 's'}"


def headline_section(
    data: RoundData, overall: Distribution, per_section: list[Distribution], today: date
) -> list[Any]:
    story: list[Any] = [para("Headline findings", "h1")]
    signed, n = len(data.signed_audits), overall.n
    lines = [
        f"{signed} of the {data.sample_size} case files in the sample were audited and signed "
        f"off ({percent(signed, data.sample_size)}).",
    ]
    if n:
        lines.append(
            f"Overall, {overall.good_or_better} of {n} audits ({percent(overall.good_or_better, n)}) "
            f"were judged {grade_text(data.definition.scale, 2)} or better."
        )
        worst = overall.shares[4]
        lines.append(
            f"Judged {grade_text(data.definition.scale, 4)}: "
            + (worst.text(n) if worst.shown else worst.note.rstrip("*"))
            + f" of {n} audits."
        )
    ranked = sorted(
        (d for d in per_section if d.n >= MIN_COMPARABLE),
        key=lambda d: d.good_or_better / d.n,
    )
    if len(ranked) >= 2:
        best, weakest = ranked[-1], ranked[0]
        lines.append(
            f"Strongest section: {best.label} ({percent(best.good_or_better, best.n)} good or "
            f"better, n={best.n}). Weakest: {weakest.label} "
            f"({percent(weakest.good_or_better, weakest.n)} good or better, n={weakest.n})."
        )
    found = themes(data, quotes_per_section=0)
    if found[FindingKind.AREA_FOR_IMPROVEMENT]:
        top = found[FindingKind.AREA_FOR_IMPROVEMENT][0]
        lines.append(
            f"The most frequent area for improvement was in '{top.section}' "
            f"({_count_text(top.count, 'finding')})."
        )
    concerns = sum(t.count for t in found[FindingKind.SAFEGUARDING_CONCERN])
    if concerns:
        lines.append(
            f"{_count_text(concerns, 'safeguarding concern', start=True)} raised during the audits "
            "(each escalated at the time)."
        )
    summary = action_summary(data, today)
    lines.append(
        f"{summary['raised']} actions were raised: {summary['completed']} completed, "
        f"{summary['open']} still open, of which {summary['overdue']} overdue."
    )
    story += [para(f"\u2022 {line}", "bullet") for line in lines]
    return story


def _distribution_rows(dists: list[Distribution], scale: Any) -> list[list[Any]]:
    head = ["Section", "n"] + [_cell(grade_text(scale, g)) for g in GRADES]
    rows: list[list[Any]] = [head]
    for d in dists:
        rows.append([_cell(d.label), str(d.n)] + [d.shares[g].text(d.n) for g in GRADES])
    return rows


def distribution_section(
    data: RoundData, overall: Distribution, per_section: list[Distribution]
) -> list[Any]:
    scale = data.definition.scale
    story: list[Any] = [para("Grade distribution", "h1")]
    story.append(para(f"Overall grade of the {overall.n} signed audits.", "muted"))
    chart = overall_chart(overall, scale, CONTENT_WIDTH * 0.55, 170)
    table = _table(
        [["Overall grade", "Audits"]]
        + [[_cell(grade_text(scale, g)), overall.shares[g].text(overall.n)] for g in GRADES]
        + [["Total graded", str(overall.n)]],
        [120, 70],
    )
    story.append(Table([[chart, table]], colWidths=[CONTENT_WIDTH * 0.57, CONTENT_WIDTH * 0.43]))
    if per_section:
        story.append(para("By section", "h2"))
        story.append(section_chart(per_section, scale, CONTENT_WIDTH))
        story.append(Spacer(1, 6))
        story.append(_table(_distribution_rows(per_section, scale), [150, 30, 72, 72, 72, 72]))
    story.append(
        para(
            f"'{FEWER}' marks a category with one or two audits; '{WITHHELD}' a category held "
            "back so that such a small number cannot be worked out from the total. Percentages "
            "are of the audits graded in that section (n).",
            "muted",
        )
    )
    return story


def compliance_section(data: RoundData, summary: str) -> list[Any]:
    story: list[Any] = [para("Compliance with standards", "h1"), para(summary)]
    lines = compliance_lines(data)
    if not lines:
        return story + [para("This template has no yes/no standards to count.", "muted")]
    rows: list[list[Any]] = [["Section", "Standard", "Met", "n", "Yes", "Partly", "No", "N/A"]]
    for ln in lines:
        rows.append(
            [
                _cell(ln.section),
                _cell(ln.question),
                ln.text,
                str(ln.n),
                str(ln.yes),
                str(ln.partly),
                str(ln.no),
                str(ln.not_applicable),
            ]
        )
    story.append(_table(rows, [95, 205, 40, 28, 28, 32, 28, 28]))
    story.append(
        para("Met = (yes + half of partly) / n, where n leaves out 'not applicable'.", "muted")
    )
    return story


def themes_section(data: RoundData) -> list[Any]:
    found = themes(data)
    story: list[Any] = [para("Themes", "h1")]
    for kind, heading in (
        (FindingKind.STRENGTH, "Strengths"),
        (FindingKind.AREA_FOR_IMPROVEMENT, "Areas for improvement"),
    ):
        story.append(para(heading, "h2"))
        if not found[kind]:
            story.append(para("None recorded.", "muted"))
        for theme in found[kind][:8]:
            block = [
                para(
                    f"<b>{clean(theme.section)}</b> - {_count_text(theme.count, 'finding')}",
                    markup=True,
                )
            ]
            block += [para(f'"{q}"', "quote") for q in theme.quotes]
            story.append(KeepTogether(block))
    concerns = sum(t.count for t in found[FindingKind.SAFEGUARDING_CONCERN])
    story.append(para("Safeguarding concerns", "h2"))
    story.append(
        para(
            f"{_count_text(concerns, 'concern', start=True)} recorded. Details stay in the case files."
            if concerns
            else "None recorded.",
        )
    )
    story.append(
        para("Quotes are short extracts from auditors' findings, with names removed.", "muted")
    )
    return story


def actions_section(data: RoundData, today: date) -> list[Any]:
    story: list[Any] = [para("Actions", "h1")]
    bands = list(TimescaleBand)
    statuses = list(ActionStatus)
    rows: list[list[Any]] = [["Timescale"] + [s.label for s in statuses] + ["Overdue"]]
    for band in bands:
        mine = [a for a in data.actions if a.timescale_band == band.value]
        rows.append(
            [band.label]
            + [str(sum(1 for a in mine if a.status == s.value)) for s in statuses]
            + [str(sum(1 for a in mine if is_overdue(a, today)))]
        )
    story.append(_table(rows, [110, 70, 70, 70, 70, 60]))
    story.append(Spacer(1, 8))
    if not data.actions:
        return story + [para("No actions were raised.", "muted")]
    titles = {s.id: s.title for s in data.definition.sections}
    listed = sorted(
        data.actions,
        key=lambda a: (
            not is_overdue(a, today),
            a.status == ActionStatus.COMPLETED.value,
            a.due_on,
            a.case_key,
        ),
    )
    widths = [56, 66, 136, 62, 58, 52, 56]
    head = ["Case", "Section", "Action", "Owner", "Timescale", "Due", "Status"]
    body: list[list[Any]] = [head]
    for a in listed:
        status = ActionStatus(a.status).label if a.status else ""
        if is_overdue(a, today):
            status = f"Overdue ({status.lower()})"
        body.append(
            [
                _cell(a.case_key, widths[0]),
                _cell(titles.get(a.section_id, a.section_id), widths[1]),
                _cell(shorten(data.redactor(a.description), 160), widths[2]),
                _cell(a.owner or "not set", widths[3]),
                _cell(TimescaleBand(a.timescale_band).label if a.timescale_band else "", widths[4]),
                a.due_on.strftime("%d %b %Y"),
                _cell(status, widths[6]),
            ]
        )
    story.append(_table(body, widths))
    return story


def comparison_section(
    data: RoundData, overall: Distribution, mean: float | None, n_mean: int
) -> list[Any]:
    story: list[Any] = [para("Compared with earlier rounds", "h1")]
    if not data.previous:
        return story + [para("This is the first round of this programme in the database.", "muted")]
    rows: list[list[Any]] = [["Round", "Period", "n", "Good or better", "Inadequate", "Compliance"]]
    entries = [
        (p.name, p.period_start, p.period_end, p.grade_counts, p.compliance_mean)
        for p in data.previous
    ]
    entries.append(
        (f"{data.name} (this round)", data.period_start, data.period_end, overall.counts, mean)
    )
    for name, start, end, counts, compliance in entries:
        n = sum(counts.values())
        period = (
            f"{start:%b %Y}"
            if (start.year, start.month) == (end.year, end.month)
            else (f"{start:%b %Y} - {end:%b %Y}")
        )
        if n < MIN_COMPARABLE:
            rows.append([_cell(name), period, str(n), _cell("too few audits to compare"), "", ""])
            continue
        good = counts.get(1, 0) + counts.get(2, 0)
        bad = counts.get(4, 0)
        bad_text = f"{FEWER} (n={n})" if 0 < bad < 3 else f"{percent(bad, n)} (n={n})"
        comp = f"{compliance:.0f}% (n={n})" if compliance is not None else "not recorded"
        rows.append([_cell(name), period, str(n), f"{percent(good, n)} (n={n})", bad_text, comp])
    story.append(_table(rows, [150, 80, 30, 80, 80, 75]))
    story.append(
        para(
            f"Rounds with fewer than {MIN_COMPARABLE} signed audits are not compared: a "
            "percentage of so few files would mislead.",
            "muted",
        )
    )
    return story


def iro_section(data: RoundData) -> list[Any]:
    months, table = iro_months(data)
    scale = data.definition.scale
    story: list[Any] = [para("Each IRO's results, month by month", "h1")]
    story.append(
        para(
            "Signed audits of review minutes for each Independent Reviewing Officer, by the month "
            "the audit was signed off: the number audited and the grades given.",
            "muted",
        )
    )
    if not months:
        return story + [para("No signed audits yet.", "muted")]
    head = ["IRO"] + [m.strftime("%b %Y") for m in months]
    rows: list[list[Any]] = [head]
    for name, cells in table.items():
        row: list[Any] = [_cell(name)]
        for m in months:
            results = cells.get(m, [])
            if not results:
                row.append("-")
                continue
            grades = ", ".join(scale.short(r.grade) if r.grade else "?" for r in results)
            row.append(_cell(f"{len(results)} audited: {grades}"))
        rows.append(row)
    width = (CONTENT_WIDTH - 110) / len(months)
    story.append(_table(rows, [110] + [width] * len(months)))
    key = "; ".join(f"{scale.short(g)} = {clean(scale.label(g))}" for g in GRADES)
    story.append(para(f"Grades: {key}.", "muted"))
    return story


def named_appendix(data: RoundData) -> list[Any]:
    scale = data.definition.scale
    story: list[Any] = [para("Children in this round (named internal version)", "h1")]
    rows: list[list[Any]] = [["Case key", "Child", "Date of birth", "Team", "Status", "Grade"]]
    for a in data.audits:
        person = a.named
        rows.append(
            [
                a.case_key,
                _cell(person.full_name if person else "not recorded"),
                format_date(person.date_of_birth if person else None),
                _cell(a.team),
                a.status.label,
                _cell(grade_text(scale, a.overall_grade)),
            ]
        )
    story.append(_table(rows, [55, 120, 75, 110, 70, 80]))
    return story
