"""Checking a signed PDF from the GUI: who signed it, when, whether it is intact and trusted.

``verify_pdf_file`` runs ``reporting.verify_pdf`` in the runner and shows a ``VerifyDialog``
with the answer in plain words (``verification_words``): the signer, the signing time, whether
the document is exactly as it was signed, and whether the signer is trusted. Trust needs the
signer's certificate (a ``.pem`` file they give you); "Trust a certificate…" checks again against
it. A damaged file is reported as not intact, never as a crash.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..reports.verify import VerificationResult
from ..services import reporting
from .context import ShellContext
from .formatting import MISSING
from .widgets import heading, paragraph


def verification_words(result: VerificationResult, trusted_with: str = "") -> list[tuple[str, str]]:
    """(label, sentence) pairs saying what the check found, for people, not engineers."""
    if not result.signed:
        problems = " ".join(result.all_problems) or "It carries no digital signature."
        return [
            ("Signed", f"No. {problems}"),
            ("Intact", "Cannot tell: only a signed document can be checked."),
        ]
    when = result.signing_time
    rows = [
        ("Signed by", result.signer or "an unnamed signer"),
        ("Signed at", when.astimezone().strftime("%d %B %Y at %H:%M") if when else MISSING),
    ]
    if result.intact:
        rows.append(("Intact", "Yes — the document is exactly as it was when it was signed."))
    else:
        problems = " ".join(result.all_problems)
        rows.append(
            (
                "Intact",
                "No — the document was changed after it was signed, or its signature is "
                f"damaged. Do not rely on it. {problems}".strip(),
            )
        )
    if result.trusted:
        rows.append(("Trusted", f"Yes — the signer's certificate matches {trusted_with}."))
    elif trusted_with:
        rows.append(("Trusted", f"No — the signer's certificate does not match {trusted_with}."))
    else:
        rows.append(
            (
                "Trusted",
                "Not checked — ask the signer for their certificate (.pem file) and choose "
                "“Trust a certificate…” to check it was really them.",
            )
        )
    return rows


class VerifyDialog(QDialog):
    """The outcome of checking one PDF, with a way to check it against a certificate."""

    def __init__(
        self,
        context: ShellContext,
        path: Path,
        result: VerificationResult,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle("Verify a signed PDF — caseaudit")
        self.setAccessibleName("Signature check")
        self.context = context
        self.path = path
        self.title = heading(path.name, self, scale=1.2)
        self.verdict = paragraph("", self)
        self.verdict.setObjectName("verifyVerdict")
        self.verdict.setAccessibleName("Verdict")
        self.form = QFormLayout()
        self.trust_button = QPushButton("&Trust a certificate…", self)
        self.trust_button.setAccessibleName("Trust a certificate")
        self.trust_button.setToolTip("Check the signer against their certificate (.pem or .cer)")
        self.trust_button.clicked.connect(self.choose_certificate)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.addButton(self.trust_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.verdict)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self.show_result(result)

    def show_result(self, result: VerificationResult, trusted_with: str = "") -> None:
        self.result = result
        while self.form.rowCount():
            self.form.removeRow(0)
        self.words = verification_words(result, trusted_with)
        for label, sentence in self.words:
            value = QLabel(sentence, self)
            value.setWordWrap(True)
            value.setAccessibleName(f"{label}: {sentence}")
            self.form.addRow(f"{label}:", value)
        if result.intact:
            verdict = "The signature checks out: this document has not been changed."
        elif result.signed:
            verdict = "Warning: this document is NOT as it was signed."
        else:
            verdict = "This document is not signed."
        self.verdict.setText(verdict)
        self.verdict.setAccessibleDescription(verdict)
        self.trust_button.setEnabled(result.signed)

    def choose_certificate(self) -> None:
        cert, _filter = QFileDialog.getOpenFileName(
            self,
            "The signer's certificate",
            str(self.path.parent),
            "Certificates (*.pem *.cer *.crt *.der);;All files (*)",
        )
        if cert:
            self.check_against(Path(cert))

    def check_against(self, certificate: Path) -> None:
        path = self.path
        self.context.runner.run(
            lambda: reporting.verify_pdf(path, trust=str(certificate)),
            lambda result: self.show_result(result, certificate.name),
            label="Checking the signature",
            owner=self,
        )


def verify_pdf_file(parent: QWidget, context: ShellContext, path: Path | None = None) -> None:
    """Ask for a PDF (unless given) and show what its signature says."""
    if path is None:
        chosen, _filter = QFileDialog.getOpenFileName(
            parent, "Verify a signed PDF", "", "PDF documents (*.pdf);;All files (*)"
        )
        if not chosen:
            return
        path = Path(chosen)
    target = path

    def show(result: VerificationResult) -> None:
        dialog = VerifyDialog(context, target, result, parent)
        parent.verify_dialog = dialog  # type: ignore[attr-defined]
        dialog.open()

    context.runner.run(
        lambda: reporting.verify_pdf(target),
        show,
        label="Checking the signature",
        owner=parent,
    )
