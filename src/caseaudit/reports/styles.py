"""The look of every caseaudit PDF: page furniture, paragraph styles, grade colours and words.

Pages are A4 with a header carrying the document title and the protective marking
OFFICIAL-SENSITIVE, and a footer with the page number and whether the document is pseudonymised
or the named internal version (which also carries a diagonal OFFICIAL-SENSITIVE watermark on
every page). The first page keeps the bottom strip free for the visible signature stamp. Text
uses the standard Helvetica fonts, so it is limited to Windows-1252 characters; ``clean``
replaces anything else. Grades are always written in words and letters, never colour alone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, TableStyle

from ..templating import GradeScale
from ..templating.schema import Question, normalise_yes_no

__all__ = [
    "GRADE_COLOURS",
    "MARKING",
    "STYLES",
    "DocumentFrame",
    "answer_text",
    "clean",
    "grade_text",
    "make_document",
    "para",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MARKING = "OFFICIAL-SENSITIVE"
STAMP_STRIP = 106  # points kept free at the bottom of page 1 for the signature stamp
#: Where the visible signature stamp goes on page 1 (left, bottom, right, top in points).
STAMP_BOX = (int(PAGE_WIDTH - MARGIN) - 250, 40, int(PAGE_WIDTH - MARGIN), 98)

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
HEADER_FILL = colors.HexColor("#e8edf3")
ACCENT = colors.HexColor("#1f4e79")
#: Grade 1..4 (blue to red, distinguishable with colour-blindness); the text always says it too.
GRADE_COLOURS = {
    1: colors.HexColor("#2166ac"),
    2: colors.HexColor("#67a9cf"),
    3: colors.HexColor("#f4a582"),
    4: colors.HexColor("#b2182b"),
}

_BASE = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5, textColor=INK)
STYLES: dict[str, ParagraphStyle] = {
    "body": _BASE,
    "small": ParagraphStyle("small", parent=_BASE, fontSize=8, leading=10),
    "bullet": ParagraphStyle(
        "bullet", parent=_BASE, leftIndent=10, firstLineIndent=-8, spaceAfter=2.5
    ),
    "cell": ParagraphStyle("cell", parent=_BASE, fontSize=8, leading=9.8),
    "muted": ParagraphStyle("muted", parent=_BASE, fontSize=8.5, leading=11, textColor=MUTED),
    "quote": ParagraphStyle(
        "quote", parent=_BASE, fontName="Helvetica-Oblique", leftIndent=10, spaceAfter=3
    ),
    "title": ParagraphStyle(
        "title", parent=_BASE, fontName="Helvetica-Bold", fontSize=22, leading=27, spaceAfter=8
    ),
    "subtitle": ParagraphStyle("subtitle", parent=_BASE, fontSize=13, leading=17, spaceAfter=6),
    "h1": ParagraphStyle(
        "h1",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=14,
        leading=18,
        spaceBefore=4,
        spaceAfter=6,
        textColor=ACCENT,
    ),
    "h2": ParagraphStyle(
        "h2",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=11,
        leading=14,
        spaceBefore=8,
        spaceAfter=4,
    ),
    "marking": ParagraphStyle(
        "marking",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=12,
        leading=15,
        alignment=TA_LEFT,
        textColor=colors.HexColor("#8b0000"),
    ),
}

TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


KEY_VALUE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def clean(text: Any) -> str:
    """Text the standard PDF fonts can show: Windows-1252, accents dropped if need be."""
    value = "" if text is None else str(text)
    try:
        value.encode("cp1252")
        return value
    except UnicodeEncodeError:
        out = []
        for ch in value:
            try:
                ch.encode("cp1252")
                out.append(ch)
            except UnicodeEncodeError:
                base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
                out.append(base or "?")
        return "".join(out)


def para(text: Any, style: str = "body", *, markup: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped) unless ``markup`` says it is already markup."""
    body = clean(text) if markup else escape(clean(text)).replace("\n", "<br/>")
    return Paragraph(body, STYLES[style])


def grade_text(scale: GradeScale, grade: int | None) -> str:
    """A grade in words and letters: "Requires improvement (RI)", "3 Adequate"."""
    if grade is None:
        return "Not graded"
    try:
        label, short = scale.label(grade), scale.short(grade)
    except ValueError:
        return f"Grade {grade}"
    return label if short.isdigit() else f"{label} ({short})"


def _date_text(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{value.day} {value:%B %Y}"


def answer_text(question: Question | None, value: Any, scale: GradeScale) -> str:
    """An answer as an auditor would say it."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if value is None or value == "" or value == []:
        return "Not answered"
    if question is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if question.type == "grade":
        try:
            return grade_text(scale, scale.parse(value))
        except ValueError:
            return str(value)
    if question.type == "yes_no":
        word = normalise_yes_no(value)
        return "Not applicable" if word == "na" else (word or str(value)).capitalize()
    if question.type == "date":
        return _date_text(value)
    if question.type == "number":
        return f"{value} {question.unit}".strip()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def format_date(value: date | datetime | None, empty: str = "not recorded") -> str:
    return _date_text(value) if value else empty


@dataclass
class DocumentFrame:
    """What the page furniture says: title, marking, pseudonymised or named, generated when."""

    title: str
    named: bool
    generated: datetime

    def draw(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        if self.named:
            self._watermark(canvas)
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.setFillColor(colors.HexColor("#8b0000"))
        top = PAGE_HEIGHT - 12 * mm
        canvas.drawRightString(PAGE_WIDTH - MARGIN, top, MARKING)
        canvas.setFillColor(MUTED)
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(MARGIN, top, clean(self.title)[:90])
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 3 * mm, PAGE_WIDTH - MARGIN, top - 3 * mm)
        bottom = 10 * mm
        canvas.setFont("Helvetica", 7.5)
        status = (
            "NAMED VERSION - INTERNAL USE ONLY - do not share outside the local authority"
            if self.named
            else "Pseudonymised: children appear only by case key"
        )
        canvas.drawString(MARGIN, bottom, status)
        canvas.drawCentredString(PAGE_WIDTH / 2, bottom - 9, MARKING)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN,
            bottom,
            f"Page {doc.page}  -  produced {self.generated:%d %B %Y %H:%M}",
        )
        canvas.restoreState()

    @staticmethod
    def _watermark(canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.12))
        canvas.setFont("Helvetica-Bold", 54)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 20, MARKING)
        canvas.setFont("Helvetica-Bold", 26)
        canvas.drawCentredString(0, -30, "NAMED - INTERNAL USE ONLY")
        canvas.restoreState()


def make_document(
    target: Any,
    frame: DocumentFrame,
    *,
    author: str,
    subject: str,
    after_flowable: Callable[[Any], None] | None = None,
) -> BaseDocTemplate:
    """An A4 document whose first page leaves room at the bottom for the signature stamp."""
    top = PAGE_HEIGHT - 20 * mm
    first = Frame(MARGIN, STAMP_STRIP, CONTENT_WIDTH, top - STAMP_STRIP, id="first")
    later = Frame(MARGIN, 17 * mm, CONTENT_WIDTH, top - 17 * mm, id="later")

    class _Doc(BaseDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's hook name
            if after_flowable is not None:
                after_flowable(flowable)

    doc = _Doc(
        target,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=17 * mm,
        title=clean(frame.title),
        author=clean(author),
        subject=clean(subject),
        creator="caseaudit",
        invariant=False,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="First", frames=[first], onPage=frame.draw, autoNextPageTemplate="Later"
            ),
            PageTemplate(id="Later", frames=[later], onPage=frame.draw),
        ]
    )
    return doc
