"""Remembering window geometry and splitter positions, keyed by class name (Picard's
``PreserveGeometry``).

``restore_geometry`` / ``save_geometry`` put a top-level window back where the user left it;
``remember_splitter`` restores a splitter's state and saves it whenever the user moves it. The
keys are the widget's class name (plus the splitter's object name), so each window and view
keeps its own layout. Everything lives in ``QSettings`` under the application's name.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget


def _key(owner: QWidget | type, suffix: str) -> str:
    name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    return f"geometry/{name}/{suffix}"


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def save_geometry(window: QWidget) -> None:
    QSettings().setValue(_key(window, "window"), window.saveGeometry())


def restore_geometry(window: QWidget) -> bool:
    """Restore ``window``'s geometry; False (and nothing changed) if none was saved."""
    saved = _bytes(QSettings().value(_key(window, "window")))
    return saved is not None and window.restoreGeometry(saved)


def remember_splitter(owner: QWidget, splitter: QSplitter) -> None:
    """Restore ``splitter`` (named by its objectName) and save it each time it is moved."""
    key = _key(owner, f"splitter-{splitter.objectName() or 'main'}")
    saved = _bytes(QSettings().value(key))
    if saved is not None:
        splitter.restoreState(saved)
    splitter.splitterMoved.connect(lambda *_: QSettings().setValue(key, splitter.saveState()))


def save_value(owner: QWidget | type, name: str, value: object) -> None:
    QSettings().setValue(_key(owner, name), value)


def load_value(owner: QWidget | type, name: str, default: str = "") -> str:
    value = QSettings().value(_key(owner, name), default)
    return str(value) if value is not None else default
