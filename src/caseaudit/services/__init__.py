"""Use cases shared by the CLI and the GUI: plain functions over a ``Database``, no Qt."""
