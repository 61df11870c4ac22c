"""Placeholder: `caseaudit templates` is being built (replaced by its real module)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("templates", help="(not yet available)")
