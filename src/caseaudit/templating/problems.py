"""What is wrong with a template file, where, and how to put it right.

Each ``TemplateProblem`` names the file, the line, the place in the template ("section 'voice' ›
question 'seen_alone'"), what is wrong and the fix, and prints as one line a QA lead can act on:
``lac.yaml:42: section 'voice' › question 'seen_alone': 'type' is 'yesno'. Fix: write yes_no``.
``TemplateInvalid`` carries every problem found in a file (or a folder), not just the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError

__all__ = ["TemplateInvalid", "TemplateProblem"]


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    line: int | None
    location: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: "
        if self.location:
            text += f"{self.location}: "
        text += _sentence(self.message)
        if self.fix:
            text += f" Fix: {_sentence(self.fix)}"
        return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


class TemplateInvalid(ValidationError):
    """A template file (or several) could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[TemplateProblem], message: str | None = None) -> None:
        files = sorted({p.file for p in problems})
        if message is None:
            count = len(problems)
            noun = "problem" if count == 1 else "problems"
            where = files[0] if len(files) == 1 else f"{len(files)} template files"
            message = (
                f"The template {where} has {count} {noun}, so it was not loaded. "
                "Put right each one listed below and try again."
                if len(files) == 1
                else f"{where} have {count} {noun} between them, so none was loaded. "
                "Put right each one listed below and try again."
            )
        super().__init__(message, problems)
        self.problems: list[TemplateProblem] = list(problems)
