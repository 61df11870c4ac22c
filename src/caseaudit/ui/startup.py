"""Opening a database for the window: first run, passphrases, errors, and switching databases.

``Startup`` does what happens between "the program starts" and "the main window is shown": with
no ``--db`` it uses the demo database in the data folder, building it first (with the
first-run dialog) if it does not exist; it opens and migrates the database and reads an
overview in the runner, shows the window, then adds any new built-in templates in the
background; it asks for a passphrase when the file is encrypted (none for a key kept on this
computer or the demo's published one, see ``services.opening``), and offers the New database
dialog for a named file that does not exist yet, since new databases are encrypted; the window
it shows asks who is signing in before it shows anything from the database (``login_dialog``);
and it shows any failure in the error dialog instead of a traceback. The same path serves
File → Open database, File → New database and "Open the demo": the old window is replaced only
once the new database is open.
``finished(exit_code)`` says when the program should end.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from sqlalchemy.engine import make_url

from .. import paths
from ..cli import passphrase_from
from ..db import SQLITE_HEADER, Database
from ..errors import CaseAuditError, WrongPassphrase
from ..services.cases import DatabaseOverview, database_overview
from ..services.encryption import database_id
from ..services.opening import NewDatabaseNeedsPassphrase
from .context import ShellContext
from .errors import show_error
from .first_run import FirstRunDialog
from .mainwindow import MainWindow
from .new_database_dialog import CREATED_KEYS, NewDatabaseDialog
from .passphrase_dialog import ask_passphrase
from .runner import Runner

log = logging.getLogger(__name__)

AskPassphrase = Callable[[str, bool, QWidget | None], str | None]
ShowError = Callable[[QWidget | None, BaseException, str], None]


@dataclass
class OpenedDatabase:
    db: Database
    overview: DatabaseOverview
    notices: list[str] = field(default_factory=list)


def prepare_database(
    target: str,
    passphrase: str | None,
    *,
    remember: bool = False,
    unencrypted_reason: str | None = None,
) -> OpenedDatabase:
    """Open (migrating) ``target`` and read its overview; on the runner's thread.

    Opens as the CLI does (``opening.open_for_use``): a new file only encrypted (or with a
    stated reason), a backup before any migration, and today's rotating backup.
    """
    from ..services.keystore import OsKeyStore
    from ..services.opening import open_for_use

    notices: list[str] = []
    db = open_for_use(
        target,
        passphrase,
        unencrypted_reason=unencrypted_reason,
        key_store=OsKeyStore(),
        remember=remember,
        notice=notices.append,
    )
    try:
        return OpenedDatabase(db, database_overview(db), notices)
    except BaseException:
        db.close()
        raise


def add_builtin_templates(db: Database) -> frozenset[str]:
    """Add any new built-in template versions; what changed, for ``data_changed``.

    Runs in the background once the window is shown, so opening is not slowed by reading the
    template files. A built-in template that cannot be added is logged, not shown: it is a
    problem with the program's files, and the database stays as it was.
    """
    from ..services.templates import sync_builtin_templates

    try:
        result = sync_builtin_templates(db)
    except CaseAuditError as exc:
        log.warning("built-in templates were not added: %s", exc.message)
        return frozenset()
    if result.added:
        log.info("added built-in templates: %s", ", ".join(result.added))
        return frozenset({"template"})
    return frozenset()


def file_of(target: str) -> Path | None:
    """The file a database target names (None for a server)."""
    if "://" not in target:
        return Path(target).expanduser()
    url = make_url(target)
    if url.get_backend_name() in ("sqlite", "sqlcipher") and url.database:
        return Path(url.database).expanduser()
    return None


def is_plain_sqlite(path: Path | None) -> bool:
    if path is None or not path.exists():
        return False
    with path.open("rb") as handle:
        return handle.read(16) == SQLITE_HEADER


class Startup(QObject):
    finished = Signal(int)
    window_shown = Signal(object)

    def __init__(
        self,
        args: argparse.Namespace,
        runner: Runner,
        *,
        ask: AskPassphrase = ask_passphrase,
        report: ShowError = show_error,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.args = args
        self.runner = runner
        self.data_dir = paths.data_dir(args.data_dir)
        self.window: MainWindow | None = None
        self.first_run: FirstRunDialog | None = None
        self.new_database_dialog: NewDatabaseDialog | None = None
        self._ask = ask
        self._report = report

    def start(self) -> None:
        if getattr(self.args, "db", None):
            self.open(self.args.db, passphrase_from(self.args))
        else:
            self.open_demo()

    # -- the demo -------------------------------------------------------------------------
    def open_demo(self) -> None:
        path = paths.demo_database_path(self.data_dir)
        if path.exists():
            self.open(str(path))
            return
        dialog = FirstRunDialog(self.runner, self.data_dir, self.window)
        self.first_run = dialog
        dialog.built.connect(lambda built: self.open(built))
        dialog.cancelled.connect(self._demo_cancelled)
        dialog.failed.connect(lambda exc: self._failed(exc, "Building the demo database"))
        dialog.show()
        dialog.start()

    def _demo_cancelled(self) -> None:
        if self.window is None:
            self.finished.emit(0)

    # -- opening --------------------------------------------------------------------------
    def open(self, target: str, passphrase: str | None = None) -> None:
        path = file_of(target)
        if passphrase is None and path is not None:
            passphrase = CREATED_KEYS.take(database_id(path))  # just made in File → New
        remember = bool(getattr(passphrase, "remember", False))
        reason = getattr(self.args, "unencrypted", None)
        self.runner.run(
            lambda: prepare_database(
                target, passphrase, remember=remember, unencrypted_reason=reason
            ),
            self._opened,
            lambda exc: self._open_failed(exc, target, passphrase),
            label="Opening the database",
        )

    def new_database(self, path: str | None = None) -> NewDatabaseDialog:
        """Show the New database dialog; the database it creates opens here."""
        dialog = NewDatabaseDialog(
            self.runner, Path(path) if path else self.data_dir / "caseaudit.sqlite", self.window
        )
        self.new_database_dialog = dialog
        dialog.created.connect(self.open)
        dialog.rejected.connect(self._new_database_cancelled)
        dialog.show()
        return dialog

    def _new_database_cancelled(self) -> None:
        if self.window is None:
            self.finished.emit(1)

    def _open_failed(self, exc: BaseException, target: str, passphrase: str | None) -> None:
        path = file_of(target)
        if isinstance(exc, NewDatabaseNeedsPassphrase) and path is not None:
            self.new_database(str(path))
            return
        if isinstance(exc, WrongPassphrase) and not (passphrase and is_plain_sqlite(path)):
            name = path.name if path is not None else target
            answer = self._ask(name, passphrase is not None, self.window)
            if answer:
                self.open(target, answer)
                return
            if self.window is None:
                self.finished.emit(1)
            return
        self._failed(exc, "Opening the database")

    def _failed(self, exc: BaseException, doing: str) -> None:
        self._report(self.window, exc, doing)
        if self.window is None:
            self.finished.emit(1)

    def _opened(self, opened: OpenedDatabase) -> None:
        context = ShellContext(
            opened.db, self.runner, opened.overview, self.data_dir, requires_sign_in=True
        )
        old = self.window
        window = MainWindow(context, initial_area=old.current_area if old else None)
        window.open_demo_requested.connect(self.open_demo)
        window.open_database_requested.connect(self.open)
        window.closed.connect(lambda: self._window_closed(window))
        self.window = window
        if old is not None:
            old.closed.disconnect()
            old.close()
            old.deleteLater()
            old_db = old.context.db
            self.runner.run(old_db.close, label="Closing the previous database")
        window.show()
        for notice in opened.notices:
            window.statusBar().showMessage(notice, 15_000)
        self.window_shown.emit(window)
        db = opened.db
        self.runner.run(
            lambda: add_builtin_templates(db),
            label="Checking the built-in templates",
            changes=lambda changed: changed,
            on_error=lambda exc: log.warning("template check failed: %s", type(exc).__name__),
        )

    def _window_closed(self, window: MainWindow) -> None:
        if window is not self.window:
            return
        self.runner.shutdown()
        window.context.db.close()
        self.window = None
        self.finished.emit(0)
