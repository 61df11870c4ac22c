"""The sample preview: the files a round's draw would choose, shown before anything is saved.

``SamplePreviewDialog`` shows a ``SamplePreview`` (from ``sampling.preview_sample``): the seed,
the frame size, eligible, target and drawn counts per stratum, the exclusions applied (recently
audited, conflicts of interest), any warnings (a stratum too small, a minimum not met) and the
chosen files with their proposed auditors. "Draw again" previews with another seed; "Commit
sample" saves exactly the sample shown (``sampling.commit_sample`` with the preview as the
expectation, so a case list changed meanwhile is refused rather than silently differing).
``intro`` puts a sentence above the preview, e.g. which programme period a proposed round is for.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..services import sampling
from ..services.users import UserInfo
from .context import ShellContext
from .errors import show_problem
from .rounds_model import SampleTableModel, StrataTableModel
from .widgets import ReadOnlyTable, heading, paragraph, problem_label

COMMITTED = frozenset({"audit_round", "sample_item"})


class SamplePreviewDialog(QDialog):
    """Preview a round's sample, draw again with another seed, or commit it."""

    def __init__(
        self,
        context: ShellContext,
        preview: sampling.SamplePreview,
        parent: QWidget | None = None,
        *,
        actor: UserInfo | None = None,
        redraw: bool = False,
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("samplePreview")
        self.setWindowTitle(f"Sample preview — {preview.round_name}")
        self.setAccessibleName("Sample preview")
        self.context = context
        self.actor = actor if actor is not None else context.user
        self.redraw = redraw
        self.intro = intro
        self.preview = preview
        self.committed: sampling.SamplePreview | None = None
        self.title = heading(preview.round_name, self, scale=1.2)
        self.summary = paragraph("", self)
        self.summary.setAccessibleName("What the draw found")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, sampling.MAX_SEED)
        self.seed.setAccessibleName("Seed")
        self.seed.setToolTip("The same seed, case list and specification give the same sample.")
        self.draw_again = QPushButton("&Draw again with this seed", self)
        self.draw_again.setAccessibleName("Draw again with this seed")
        self.draw_again.clicked.connect(lambda: self.draw(self.seed.value()))
        self.strata_model = StrataTableModel(self)
        self.strata = ReadOnlyTable("Strata", "Frame, eligible, target and drawn per stratum", self)
        self.strata.setModel(self.strata_model)
        self.strata.size_columns([34, 8, 8, 8, 8])
        self.items_model = SampleTableModel(self)
        self.items = ReadOnlyTable(
            "Chosen files", "The files the draw chose and their auditor", self
        )
        self.items.setModel(self.items_model)
        self.items.size_columns([9, 26, 20, 10, 18, 16, 18, 14])
        self.problem = problem_label(self)
        self.buttons = QDialogButtonBox(self)
        self.commit_button = self.buttons.addButton(
            "&Commit sample", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.commit_button.setAccessibleName("Commit sample")
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        close.setAccessibleName("Cancel: save nothing")
        self.commit_button.clicked.connect(self.commit)
        close.clicked.connect(self.reject)

        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel("&Seed:", self))
        seed_row.itemAt(0).widget().setBuddy(self.seed)
        seed_row.addWidget(self.seed)
        seed_row.addWidget(self.draw_again)
        seed_row.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.strata)
        splitter.addWidget(self.items)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(seed_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        unit = self.fontMetrics().averageCharWidth()
        self.resize(150 * unit, 40 * self.fontMetrics().height())
        self.show_preview(preview)

    def show_preview(self, preview: sampling.SamplePreview) -> None:
        self.preview = preview
        self.seed.setValue(preview.seed)
        self.strata_model.set_rows(preview.strata)
        self.items_model.set_rows(preview.items)
        self.strata.resizeColumnsToContents()
        self.items.resizeColumnsToContents()
        lines = [self.intro] if self.intro else []
        lines += [
            f"Preview only — nothing is saved until you commit. Seed {preview.seed}: "
            f"{len(preview.items)} files chosen from a frame of {preview.frame_size} case files."
        ]
        if preview.method.get("description"):
            lines.append(f"Specification: {preview.method['description']}.")
        for why, n in preview.exclusions.items():
            lines.append(f"Left out {n}: {why}.")
        if preview.shortfall:
            lines.append(f"⚠ {preview.shortfall} fewer files than asked for could be drawn.")
        lines.extend(f"⚠ {warning}" for warning in preview.warnings)
        self.summary.setText("\n".join(lines))

    def draw(self, seed: int | None) -> None:
        db, actor, round_id = self.context.db, self.actor, self.preview.round_id
        self.problem.hide()
        self.context.runner.run(
            lambda: sampling.preview_sample(db, actor, round_id, seed),
            self.show_preview,
            self._failed,
            label="Drawing the sample",
            owner=self,
        )

    def commit(self) -> None:
        db, actor, preview, redraw = self.context.db, self.actor, self.preview, self.redraw
        self.problem.hide()
        self.context.runner.run(
            lambda: sampling.commit_sample(
                db, actor, preview.round_id, preview.seed, expected=preview, redraw=redraw
            ),
            self._committed,
            self._failed,
            label="Saving the sample",
            changes=COMMITTED,
            owner=self,
        )

    def _committed(self, saved: sampling.SamplePreview) -> None:
        self.committed = saved
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_problem(self.problem, exc, "Drawing the sample", most=0)
