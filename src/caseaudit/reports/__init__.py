"""Reports: per-audit PDFs, round summary packs, signing and verifying, spreadsheet exports.

Nothing here touches Qt, and only ``gather`` (and the synthetic ``sample_round`` used by tests and
benchmarks) touches the database: ``gather`` reads a round or an audit into the plain dataclasses
of ``data``, ``audit_pdf`` and ``round_pack`` lay them out with reportlab, ``redaction`` removes
known names, dates of birth and addresses from free text, ``signing`` adds a PAdES signature
with the user's ``identity``, ``verify`` checks one, and ``exports`` writes CSV and XLSX. The
use cases that tie them together, with permissions, are in ``caseaudit.services.reporting``.
"""

from __future__ import annotations

from ..errors import Cancelled

__all__ = ["ReportCancelled"]


class ReportCancelled(Cancelled):
    """The user cancelled while a report was being produced; no file was written."""

    def __init__(
        self, message: str = "Producing the report was cancelled; no file was written."
    ) -> None:
        super().__init__(message)
