"""caseaudit: offline auditing of children's social care case files.

The package is layered (see STYLE.md): ``models`` hold the SQLAlchemy ORM, ``services`` the use
cases shared by the CLI and the GUI, ``reports`` the documents, and ``ui`` the PySide6 front end,
which is the only place Qt may be imported.
"""

from __future__ import annotations

__version__ = "0.1.0"
