"""The grading scales a template may declare, and the words each accepts.

Grades are integers 1 (best) to 4 (worst) whatever the scale. ``ofsted-sif`` uses the words of
the Single Inspection Framework and ILACS (outstanding, good, requires improvement, inadequate);
``ofsted-2009`` the numbered words of the 2009-2012 framework (1 outstanding, 2 good, 3 adequate,
4 inadequate). A scale turns a grade into its label and short form and parses the words a
template author or auditor writes, suggesting the right word when a neighbouring scale's word is
used.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["GRADES", "OFSTED_2009", "OFSTED_SIF", "SCALES", "GradeScale", "scale_for"]

GRADES = (1, 2, 3, 4)


@dataclass(frozen=True)
class GradeScale:
    """A four-point scale: ``words`` are what templates write, ``labels`` what people read."""

    key: str
    name: str
    words: tuple[str, str, str, str]
    labels: tuple[str, str, str, str]
    shorts: tuple[str, str, str, str]

    def _check(self, grade: int) -> int:
        if grade not in GRADES:
            raise ValueError(f"{grade!r} is not a grade (grades run from 1 to 4)")
        return grade

    def label(self, grade: int) -> str:
        """``"Requires improvement"`` / ``"3 Adequate"``."""
        return self.labels[self._check(grade) - 1]

    def short(self, grade: int) -> str:
        """``"RI"`` on the SIF scale, ``"3"`` on the 2009 scale."""
        return self.shorts[self._check(grade) - 1]

    def word(self, grade: int) -> str:
        """The word a template file uses for ``grade`` (``"requires_improvement"``)."""
        return self.words[self._check(grade) - 1]

    def parse(self, value: str | int) -> int:
        """A grade from a word, label, short form or number 1-4; ``ValueError`` otherwise."""
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a grade on the {self.key} scale")
        if isinstance(value, int):
            return self._check(value)
        text = str(value).strip().lower()
        if text.isdigit():
            return self._check(int(text))
        wanted = text.replace("-", "_").replace(" ", "_")
        for grade in GRADES:
            forms = {
                self.words[grade - 1],
                self.labels[grade - 1].lower().replace(" ", "_"),
                self.shorts[grade - 1].lower(),
            }
            if wanted in forms:
                return grade
        if self.key == "ofsted-sif" and wanted == "requires_improvement_to_be_good":
            return 3
        raise ValueError(self.not_a_grade(value))

    def not_a_grade(self, value: object) -> str:
        """A sentence saying ``value`` is not on this scale and what to write instead."""
        return f"{value!r} is not a grade word of the {self.key} scale. {self.suggest(value)}"

    def suggest(self, value: object) -> str:
        """What to write instead of ``value`` (the same grade on this scale, or the words)."""
        wanted = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        for other in SCALES.values():
            if other.key != self.key and wanted in other.words:
                grade = other.words.index(wanted) + 1
                return (
                    f"'{wanted}' belongs to the {other.key} scale; on {self.key} the same grade "
                    f"is '{self.word(grade)}'"
                )
        close = difflib.get_close_matches(wanted, self.words, n=1, cutoff=0.6)
        if close:
            return f"Did you mean '{close[0]}'?"
        return f"Use one of {', '.join(self.words)} (or 1-4)"


OFSTED_SIF = GradeScale(
    key="ofsted-sif",
    name="Ofsted SIF / ILACS: Outstanding, Good, Requires improvement, Inadequate",
    words=("outstanding", "good", "requires_improvement", "inadequate"),
    labels=("Outstanding", "Good", "Requires improvement", "Inadequate"),
    shorts=("O", "G", "RI", "I"),
)

OFSTED_2009 = GradeScale(
    key="ofsted-2009",
    name="Ofsted 2009: 1 Outstanding, 2 Good, 3 Adequate, 4 Inadequate",
    words=("outstanding", "good", "adequate", "inadequate"),
    labels=("1 Outstanding", "2 Good", "3 Adequate", "4 Inadequate"),
    shorts=("1", "2", "3", "4"),
)

SCALES: dict[str, GradeScale] = {scale.key: scale for scale in (OFSTED_SIF, OFSTED_2009)}


def scale_for(key: str) -> GradeScale:
    """The scale called ``key``; ``KeyError`` if there is none."""
    return SCALES[key]
