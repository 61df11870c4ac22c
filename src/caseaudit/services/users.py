"""Program users: creating them and checking their passwords (argon2id).

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile) and
re-hashed transparently when the parameters change. A failed check says only that the user name
or password is wrong, never which.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from ..db import Database
from ..errors import AuthenticationFailed, ValidationError
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


def create_user(
    db: Database,
    username: str,
    display_name: str,
    role: UserRole,
    password: str,
    *,
    worker_id: int | None = None,
) -> UserInfo:
    problems = []
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        problems.append(
            "The user name must be letters and digits (dots, dashes and underscores allowed)."
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if problems:
        raise ValidationError("The user was not created.", problems)
    with db.session() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError(
                f"There is already a user called {username!r}; choose another name."
            )
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            role=role,
            password_hash=hash_password(password),
            worker_id=worker_id,
        )
        s.add(user)
        s.flush()
        return _info(user)


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
