"""The strips across the top of the audit form: the case header, read-only and concern notices.

``CaseHeaderBar`` names the case file without naming the child: pseudonymous case key, pathway,
team, worker and key dates, with the audit's status and its save indicator ("All changes saved
14:02:31", "Saving…", "Not saved: …") and a button back to My audits. ``notice`` makes the
read-only strip of a signed audit and the strip of each safeguarding concern still waiting for
its manager's acknowledgement (words and a warning mark, not only a colour).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...services.audits import AuditForm, CaseHeader
from ...services.escalation import ConcernRow
from ...vocabulary import AuditStatus
from ..formatting import format_date
from ..queue_model import status_text
from ..widgets import heading

KEY_DATES_SHOWN = 3
#: What the save indicator can say (the longest sets its width).
SAVING = "Saving…"
NOT_SAVED = "⚠ Not saved — see the message"
ALL_SAVED = "All changes saved {time}"
AS_YOU_GO = "Saved as you make each change"
SAVE_STATES = (SAVING, NOT_SAVED, ALL_SAVED.format(time="00:00:00"), AS_YOU_GO)


def header_line(header: CaseHeader) -> str:
    parts = [header.case_key, header.pathway_label, header.team or "No team"]
    parts.append(f"SW: {header.worker}" if header.worker else "Unallocated")
    return " · ".join(p for p in parts if p)


def dates_line(header: CaseHeader) -> str:
    recent = header.key_dates[-KEY_DATES_SHOWN:]
    return " · ".join(f"{label} {format_date(day)}" for label, day in recent)


class CaseHeaderBar(QWidget):
    """Case key, pathway, team, worker, key dates; the audit's status and last save."""

    def __init__(self, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseHeader")
        self.back = QPushButton("← My audits", self)
        self.back.setObjectName("backToQueue")
        self.back.setAccessibleName("Back to My audits")
        self.back.setToolTip("Back to My audits (Ctrl+W); everything is saved")
        self.title = heading(header_line(header), self, scale=1.15)
        self.title.setObjectName("caseHeaderTitle")
        self.dates = QLabel(dates_line(header), self)
        self.dates.setObjectName("caseKeyDates")
        self.dates.setToolTip(
            "\n".join(f"{label}: {format_date(day)}" for label, day in header.key_dates)
        )
        self.dates.setAccessibleName("Key dates")
        self.dates.setAccessibleDescription(self.dates.toolTip())
        self.status = QLabel("", self)
        self.status.setObjectName("auditStatus")
        self.status.setAccessibleName("Audit status")
        self.save_state = QLabel("", self)
        self.save_state.setObjectName("formSaveState")
        self.save_state.setAccessibleName("Save state")
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # It changes with every save: a fixed size keeps each change from re-laying out the form.
        metrics = self.save_state.fontMetrics()
        widest = max(metrics.horizontalAdvance(f"{text} ") for text in SAVE_STATES)
        self.save_state.setFixedSize(widest, metrics.height() + 4)
        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.dates, 1)
        bottom.addWidget(self.save_state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)

    def set_status(self, status: AuditStatus) -> None:
        if self.status.text() == status_text(status):
            return
        self.status.setText(status_text(status))
        self.status.setAccessibleDescription(status.label)

    def set_save_state(self, text: str) -> None:
        if text != self.save_state.text():
            self.save_state.setText(text)
            self.save_state.setAccessibleDescription(text)


def notice(
    name: str, text: str, parent: QWidget, *, alarm: bool = False, button: str = ""
) -> tuple[QWidget, QPushButton | None]:
    """A strip with a mark and words (red for an alarm), and an optional button."""
    strip = QWidget(parent)
    strip.setObjectName(name)
    strip.setAutoFillBackground(True)
    if alarm:
        strip.setStyleSheet(
            f"QWidget#{name} {{ background: #b00020; border-radius: 4px; }}"
            f" QWidget#{name} QLabel {{ color: white; font-weight: bold; }}"
        )
    else:
        strip.setStyleSheet(
            f"QWidget#{name} {{ background: palette(alternate-base);"
            " border: 1px solid palette(mid); border-radius: 4px; }"
        )
    label = QLabel(("⚠ " if alarm else "🔒 ") + text, strip)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    row = QHBoxLayout(strip)
    row.addWidget(label, 1)
    action = None
    if button:
        action = QPushButton(button, strip)
        action.setAccessibleName(button.replace("&", "").rstrip("…"))
        row.addWidget(action)
    return strip, action


def read_only_text(form: AuditForm) -> str:
    if form.status == AuditStatus.SIGNED:
        last = next((h for h in reversed(form.history) if h.kind == "sign_off"), None)
        who = f" by {last.user_name}" if last else ""
        return f"Signed off{who}: this audit is locked and read-only."
    return "This audit is assigned to someone else: you can read it but not change it."


def concern_strip(concern: ConcernRow, parent: QWidget) -> tuple[QWidget, QPushButton]:
    """The alarm strip of a concern still waiting for its manager's acknowledgement."""
    manager = concern.manager_name or "the manager"
    strip, button = notice(
        f"concern{concern.finding_id}",
        f"Safeguarding concern raised: waiting for {manager}'s acknowledgement. The audit "
        "cannot be signed off until it is recorded.",
        parent,
        alarm=True,
        button="Record &acknowledgement…",
    )
    assert button is not None
    return strip, button


class FormButtons(QWidget):
    """Raise an action, "Child may be at risk now", sign off and reopen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = self._button(
            "raiseActionFormButton",
            "+ Raise an action…",
            "Raise an action",
            "Raise an action from the current question (Ctrl+Shift+A)",
        )
        self.risk = self._button(
            "childAtRiskButton",
            "⚠ Child may be at risk now…",
            "Child may be at risk now",
            "Record a safeguarding concern now, with an immediate action for a named manager "
            "(Ctrl+Shift+R)",
        )
        self.risk.setStyleSheet(
            "QPushButton#childAtRiskButton { background: #b00020; color: white;"
            " font-weight: bold; padding: 4px 12px; border-radius: 4px; }"
            " QPushButton#childAtRiskButton:focus { border: 2px solid palette(highlight); }"
        )
        self.sign = self._button(
            "signOffFormButton",
            "&Sign off…",
            "Sign off",
            "Check the audit is complete and sign it off (Ctrl+Shift+S)",
        )
        self.reopen = self._button(
            "reopenFormButton",
            "Re&open…",
            "Reopen the signed audit",
            "Reopen the signed audit for amendment, giving a reason",
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.action)
        row.addStretch(1)
        for button in (self.risk, self.sign, self.reopen):
            row.addWidget(button)

    def _button(self, name: str, text: str, accessible: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        return button

    def show_for(self, commands: set[str]) -> None:
        """Show the buttons of the commands available now."""
        self.action.setVisible("raise_action" in commands)
        self.risk.setVisible("child_at_risk" in commands)
        self.sign.setVisible("sign_off" in commands)
        self.reopen.setVisible("reopen_audit" in commands)

    def chain(self) -> list[QWidget]:
        return [self.action, self.risk, self.sign, self.reopen]
