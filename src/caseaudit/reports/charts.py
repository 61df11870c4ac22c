"""Grade distribution charts drawn with reportlab.graphics: bars overall, stacked per section.

Each bar carries its number and grade in text, so the chart never relies on colour alone, and a
category hidden for small numbers is drawn as an empty outlined bar labelled "fewer than 3" (or
"withheld"). The per-section chart stacks percentages of each section's graded audits, with the
hidden categories merged into one hatched grey segment. The numbers are always printed in a table
beside the chart as well.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from ..templating import GradeScale
from .figures import GRADES, Distribution
from .styles import GRADE_COLOURS, INK, MUTED, RULE, clean

__all__ = ["overall_chart", "section_chart"]

HIDDEN_FILL = colors.HexColor("#d9d9d9")


def _text_colour(grade: int) -> colors.Color:
    return colors.white if grade in (1, 4) else INK


def overall_chart(dist: Distribution, scale: GradeScale, width: float, height: float) -> Drawing:
    """A vertical bar per grade: height is the count, label the count and percentage."""
    drawing = Drawing(width, height)
    left, bottom, top_pad = 30.0, 34.0, 18.0
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    n = dist.n
    biggest = max([s.count for s in dist.shares.values() if s.shown] + [1])
    slot = plot_w / len(GRADES)
    bar_w = slot * 0.62
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=MUTED, strokeWidth=0.6))
    for i, grade in enumerate(GRADES):
        share = dist.shares[grade]
        x = left + i * slot + (slot - bar_w) / 2
        centre = x + bar_w / 2
        if share.shown:
            h = plot_h * share.count / biggest
            if h > 0:
                drawing.add(
                    Rect(x, bottom, bar_w, h, fillColor=GRADE_COLOURS[grade], strokeColor=None)
                )
            label = share.text(n)
        else:
            h = plot_h * 0.12
            drawing.add(
                Rect(x, bottom, bar_w, h, fillColor=None, strokeColor=MUTED, strokeDashArray=[2, 2])
            )
            label = share.note
        drawing.add(
            String(
                centre,
                bottom + h + 4,
                label,
                fontName="Helvetica",
                fontSize=8,
                textAnchor="middle",
                fillColor=INK,
            )
        )
        words = clean(scale.label(grade))
        short = scale.short(grade)
        caption = words if short.isdigit() else f"{words} ({short})"
        for j, line in enumerate(_wrap(caption, 18)):
            drawing.add(
                String(
                    centre,
                    bottom - 11 - j * 9,
                    line,
                    fontName="Helvetica",
                    fontSize=7.5,
                    textAnchor="middle",
                    fillColor=INK,
                )
            )
    drawing.add(
        String(
            left - 4,
            bottom + plot_h,
            f"n = {n}",
            fontName="Helvetica",
            fontSize=7.5,
            textAnchor="start",
            fillColor=MUTED,
        )
    )
    return drawing


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:2]


def section_chart(
    dists: list[Distribution], scale: GradeScale, width: float, row_height: float = 22.0
) -> Drawing:
    """One horizontal 100% bar per section, stacked by grade, with percentages written in."""
    label_w, legend_h, right_pad = 150.0, 30.0, 40.0
    height = legend_h + row_height * len(dists) + 6
    drawing = Drawing(width, height)
    bar_w = width - label_w - right_pad
    for i, dist in enumerate(dists):
        y = height - legend_h - (i + 1) * row_height + 3
        bar_h = row_height - 6
        title = clean(dist.label)
        lines = _wrap(title, 36)
        first_baseline = y + bar_h / 2 - 2.5 + 4.2 * (len(lines) - 1)
        for j, line in enumerate(lines):
            drawing.add(
                String(
                    label_w - 6,
                    first_baseline - j * 8.4,
                    line,
                    fontName="Helvetica",
                    fontSize=7.5,
                    textAnchor="end",
                    fillColor=INK,
                )
            )
        n = dist.n or 1
        x = label_w
        hidden = 0
        for grade in GRADES:
            share = dist.shares[grade]
            if not share.shown:
                hidden += share.count
                continue
            w = bar_w * share.count / n
            if w <= 0:
                continue
            drawing.add(
                Rect(
                    x,
                    y,
                    w,
                    bar_h,
                    fillColor=GRADE_COLOURS[grade],
                    strokeColor=colors.white,
                    strokeWidth=0.5,
                )
            )
            if w >= 22:
                drawing.add(
                    String(
                        x + w / 2,
                        y + bar_h / 2 - 3,
                        f"{100 * share.count / n:.0f}%",
                        fontName="Helvetica-Bold",
                        fontSize=7,
                        textAnchor="middle",
                        fillColor=_text_colour(grade),
                    )
                )
            x += w
        if hidden:
            w = bar_w * hidden / n
            drawing.add(
                Rect(
                    x, y, w, bar_h, fillColor=HIDDEN_FILL, strokeColor=colors.white, strokeWidth=0.5
                )
            )
            _hatch(drawing, x, y, w, bar_h)
        drawing.add(
            String(
                label_w + bar_w + 4,
                y + bar_h / 2 - 3,
                f"n={dist.n}",
                fontName="Helvetica",
                fontSize=7,
                fillColor=MUTED,
            )
        )
    _legend(drawing, scale, 0, height - 14, width)
    return drawing


def _hatch(drawing: Drawing, x: float, y: float, w: float, h: float) -> None:
    step = 4.0
    offset = 0.0
    while offset < w:
        x1 = x + offset
        x2 = min(x + w, x1 + h)
        drawing.add(Line(x1, y, x2, y + (x2 - x1), strokeColor=MUTED, strokeWidth=0.4))
        offset += step


def _legend(drawing: Drawing, scale: GradeScale, x: float, y: float, width: float) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    items = [(GRADE_COLOURS[g], clean(scale.label(g))) for g in GRADES]
    items.append((HIDDEN_FILL, "small numbers withheld"))
    size = 6.8
    needed = sum(14 + stringWidth(label, "Helvetica", size) for _, label in items)
    gap = max(6.0, (width - needed) / (len(items) - 1))
    lx = x
    for fill, label in items:
        drawing.add(Rect(lx, y, 8, 8, fillColor=fill, strokeColor=RULE, strokeWidth=0.4))
        drawing.add(
            String(lx + 11, y + 1, label, fontName="Helvetica", fontSize=size, fillColor=INK)
        )
        lx += 14 + stringWidth(label, "Helvetica", size) + gap
