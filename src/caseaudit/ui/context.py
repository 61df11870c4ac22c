"""What every area of the window shares: the open database, the runner and what it holds.

A ``ShellContext`` is made once per opened database and handed to the main window, which hands
it to each view as the view is created. ``overview`` (organisation, demo or not, how many case
files) is read when the database is opened and kept up to date by the window; ``user`` is who
signed in (the services' acting user). Views do their database work only through
``context.runner``, never on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..db import Database
from ..services.cases import DatabaseOverview
from ..services.users import UserInfo
from .runner import Runner


@dataclass
class ShellContext:
    db: Database
    runner: Runner
    overview: DatabaseOverview
    data_dir: Path | None = None
    #: Who is signed in (None until someone signs in, and after signing out).
    user: UserInfo | None = None
    #: Whether the window must ask someone to sign in before it shows any case data.
    requires_sign_in: bool = False

    @property
    def is_empty(self) -> bool:
        """A real (non-demo) database with no case files in it yet."""
        return self.overview.case_file_count == 0 and not self.overview.is_demo
