"""Program users: who they are, password hashing (argon2id) and the bare password check.

Adding and changing users goes through ``services.accounts``, which checks the actor's role
and records every change on the trail; sign-in with the lockout policy is
``accounts.sign_in``, which wraps ``authenticate`` here. Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile) and
re-hashed transparently when the parameters change. A failed check says only that the user name
or password is wrong, never which.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from ..db import Database
from ..errors import AuthenticationFailed
from ..models import User
from ..vocabulary import UserRole

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: UserRole
    worker_id: int | None


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.display_name, user.role, user.worker_id)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(db: Database, username: str, password: str) -> UserInfo:
    """Check a user's password; return who they are or raise ``AuthenticationFailed``."""
    refused = AuthenticationFailed(
        "The user name or password is not right. Check them and try again."
    )
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username.strip().lower())).first()
        if user is None or not user.active:
            raise refused
        try:
            _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            user.failed_logins += 1
            s.commit()
            raise refused from None
        user.failed_logins = 0
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return _info(user)


def list_users(db: Database) -> list[UserInfo]:
    with db.session() as s:
        return [_info(u) for u in s.scalars(select(User).order_by(User.username))]


def user_info(db: Database, user_id: int) -> UserInfo:
    """The user with ``user_id`` (for a trusted helper process that already knows who acts)."""
    with db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise AuthenticationFailed(f"There is no user number {user_id}.")
        return _info(user)
