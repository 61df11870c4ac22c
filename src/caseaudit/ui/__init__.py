"""The PySide6 front end: the only part of caseaudit that imports Qt.

``mainwindow`` holds the shell (navigation rail, one content area at a time, status bar),
``actions`` declares every menu command once, ``runner`` runs all database work on one
background thread and announces what changed, and each area lives in its own ``*_view`` module
with its Qt item model in a ``*_model`` module.
"""
