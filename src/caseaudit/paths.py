"""Where caseaudit keeps things on disk; the only caller of platformdirs.

The data folder holds the embedded database(s), backups and signing identities. It is chosen,
in order, by an explicit ``--data-dir``, the ``CASEAUDIT_DATA_DIR`` environment variable, or the
platform's per-user data folder. Built-in resources (templates, icons) live in ``resources/`` at
the project root beside ``src/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "caseaudit"
APP_AUTHOR = "caseaudit"
DEMO_DB_NAME = "demo.sqlite"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return (and create) the data folder."""
    chosen = explicit or os.environ.get("CASEAUDIT_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    path = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    path = Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The ``resources/`` folder shipped with the program."""
    return Path(__file__).resolve().parents[2] / "resources"


def builtin_templates_dir() -> Path:
    return resources_dir() / "templates"


def demo_database_path(explicit_data_dir: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(explicit_data_dir) / DEMO_DB_NAME
