"""Small builders shared by tests: users created the way the program creates them."""

from __future__ import annotations

from caseaudit.db import Database
from caseaudit.services import trail
from caseaudit.services.accounts import _add
from caseaudit.services.users import UserInfo
from caseaudit.vocabulary import UserRole


def make_user(
    db: Database,
    username: str,
    display_name: str,
    role: UserRole,
    password: str,
    *,
    worker_id: int | None = None,
) -> UserInfo:
    """Add a user with validation and a trail entry, as an administrator would (no actor)."""
    with trail.writing(db) as session:
        return _add(session, None, username, display_name, role, password, worker_id)
