"""Account policy around sign-in: lockout, the first administrator, users and passwords.

``sign_in`` wraps ``users.authenticate`` with a lockout: after a number of failed attempts in a
row (5 by default) the account is locked for a period (15 minutes by default); both numbers, and
how long the window may stay idle before it locks itself, are organisation settings kept in the
database so they travel with the data. ``create_first_administrator`` is the first-run step and
refuses once any user exists. Every change to a user (creation, lock, unlock, password change)
is appended to the tamper-evident trail in the same transaction; password hashes never are.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import AuthenticationFailed, CaseAuditError, NotFound, ValidationError
from ..models import Organisation, User
from ..models.base import utcnow
from ..vocabulary import UserRole
from . import trail
from .permissions import Permission, require
from .users import MIN_PASSWORD_LENGTH, UserInfo, authenticate, hash_password, list_users

SETTINGS_KEY = "security"


log = logging.getLogger(__name__)


class AccountLocked(AuthenticationFailed):
    """Too many failed sign-ins: the account is locked until ``until``."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class SecuritySettings:
    """Organisation-wide sign-in settings (``organisation.settings["security"]``)."""

    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: int = 10


def _organisation(session: Session) -> Organisation | None:
    return session.scalars(select(Organisation).order_by(Organisation.id).limit(1)).first()


def security_settings(db: Database) -> SecuritySettings:
    """The settings in force (defaults for anything not set)."""
    with db.session() as s:
        org = _organisation(s)
        stored = dict((org.settings or {}).get(SETTINGS_KEY, {})) if org else {}
    known = {k: int(v) for k, v in stored.items() if k in SecuritySettings.__dataclass_fields__}
    return SecuritySettings(**known)


def update_security_settings(
    db: Database, actor: UserInfo | None, **changes: int
) -> SecuritySettings:
    """Change sign-in settings (administrators only); the change goes on the trail."""
    require(actor, Permission.ADMINISTER)
    problems = [
        f"{name} is not a sign-in setting."
        for name in changes
        if name not in SecuritySettings.__dataclass_fields__
    ]
    problems += [
        f"{name.replace('_', ' ').capitalize()} must be a whole number from 1 to 1440."
        for name, value in changes.items()
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1440
    ]
    if problems:
        raise ValidationError("The sign-in settings were not changed.", problems)
    current = security_settings(db)
    wanted = replace(current, **changes)
    with trail.writing(db) as s:
        org = _organisation(s)
        if org is None:
            raise NotFound("Set up the organisation before changing its sign-in settings.")
        org.settings = {**(org.settings or {}), SETTINGS_KEY: asdict(wanted)}
        trail.append(
            s, actor.id, "settings", SETTINGS_KEY, "update", asdict(current), asdict(wanted)
        )
    return wanted


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _locked_message(until: datetime) -> str:
    return (
        "This account is locked after too many wrong passwords. Try again after "
        f"{until.astimezone().strftime('%H:%M')}, or ask an administrator to unlock it."
    )


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> UserInfo:
    """Check a password with the lockout policy; return who signed in.

    Raises ``AccountLocked`` while the account is locked (without checking the password) and
    ``AuthenticationFailed`` for a wrong user name or password; the failure that reaches the
    limit locks the account and says so.
    """
    now = now or utcnow()
    name = username.strip().lower()
    with db.session() as s:
        until = _aware(s.scalar(select(User.locked_until).where(User.username == name)))
    if until is not None and until > now:
        raise AccountLocked(_locked_message(until), until)
    try:
        return authenticate(db, username, password)
    except AuthenticationFailed:
        policy = security_settings(db)
        with trail.writing(db) as s:
            user = s.scalars(select(User).where(User.username == name)).first()
            if user is None or not user.active or user.failed_logins < policy.lockout_attempts:
                raise
            before = trail.snapshot(user)
            user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
            user.failed_logins = 0
            trail.record(s, None, user, "lock", before)
            until = user.locked_until
        raise AccountLocked(_locked_message(until), until) from None


def resume(db: Database, signed_in: UserInfo, password: str) -> UserInfo:
    """Unlock an idle-locked window: the signed-in user's password, with the same lockout."""
    return sign_in(db, signed_in.username, password)


def _problems(session: Session, username: str, password: str) -> list[str]:
    problems = []
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        problems.append(
            "The user name must be letters and digits (dots, dashes and underscores allowed)."
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if username and session.scalar(select(User.id).where(User.username == username)) is not None:
        problems.append(f"There is already a user called {username!r}; choose another name.")
    return problems


def _add(
    session: Session,
    actor_id: int | None,
    username: str,
    display_name: str,
    role: UserRole,
    password: str,
    worker_id: int | None,
) -> UserInfo:
    username = username.strip().lower()
    problems = _problems(session, username, password)
    if problems:
        raise ValidationError("The user was not created.", problems)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
        worker_id=worker_id,
    )
    session.add(user)
    session.flush()
    trail.record(session, actor_id, user, "create")
    return UserInfo(user.id, user.username, user.display_name, user.role, user.worker_id)


def create_first_administrator(
    db: Database, username: str, display_name: str, password: str
) -> UserInfo:
    """The first-run step: create the administrator. Refused once any user exists."""
    with trail.writing(db) as s:
        if s.scalar(select(func.count(User.id))):
            raise ValidationError(
                "This database already has users, so there is no first administrator to "
                "create. Ask an administrator to add you."
            )
        return _add(s, None, username, display_name, UserRole.ADMINISTRATOR, password, None)


def add_user(
    db: Database,
    actor: UserInfo | None,
    username: str,
    display_name: str,
    role: UserRole,
    password: str,
    *,
    worker_id: int | None = None,
) -> UserInfo:
    """Add a program user (administrators only); the new account goes on the trail."""
    require(actor, Permission.MANAGE_USERS)
    with trail.writing(db) as s:
        return _add(s, actor.id, username, display_name, role, password, worker_id)


def users_for(db: Database, actor: UserInfo | None) -> list[UserInfo]:
    """Every program user and role, for someone allowed to manage users."""
    require(actor, Permission.MANAGE_USERS)
    return list_users(db)


def _find(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"There is no user called {username!r}. Check the spelling.")
    return user


def unlock(db: Database, actor: UserInfo | None, username: str) -> None:
    """Lift a lockout now (user managers only)."""
    require(actor, Permission.MANAGE_USERS)
    with trail.writing(db) as s:
        user = _find(s, username)
        if user.locked_until is None and not user.failed_logins:
            return
        before = trail.snapshot(user)
        user.locked_until = None
        user.failed_logins = 0
        trail.record(s, actor.id, user, "unlock", before)


def change_password(
    db: Database,
    actor: UserInfo | None,
    username: str,
    new_password: str,
    *,
    current_password: str | None = None,
) -> None:
    """Change a password: your own with your current password, anyone's as a user manager.

    A change by a user manager also lifts any lockout. The event goes on the trail; the hash
    does not.
    """
    if actor is None:
        raise AuthenticationFailed("Sign in to change a password.")
    own = actor.username == username.strip().lower()
    if not own:
        require(actor, Permission.MANAGE_USERS)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "The password was not changed.",
            [f"The new password must be at least {MIN_PASSWORD_LENGTH} characters long."],
        )
    if own:
        try:
            sign_in(db, username, current_password or "")
        except AccountLocked:
            raise
        except AuthenticationFailed:
            raise AuthenticationFailed(
                "Your current password is not right, so the password was not changed."
            ) from None
    with trail.writing(db) as s:
        user = _find(s, username)
        before = trail.snapshot(user)
        user.password_hash = hash_password(new_password)
        if not own:
            user.locked_until = None
            user.failed_logins = 0
        trail.record(s, actor.id, user, "password_change", before)
    if own and current_password:
        _rekey_signing_identity(username.strip().lower(), current_password, new_password)


def _rekey_signing_identity(username: str, old_password: str, new_password: str) -> None:
    """Re-encrypt the user's signing identity under the new password (after the change is
    saved), so signing reports keeps working; a failure is logged, not fatal: the password
    change stands and ``caseaudit identity create --replace`` makes a new identity."""
    from ..reports.identity import change_identity_password

    try:
        change_identity_password(username, old_password, new_password)
    except (CaseAuditError, OSError) as exc:
        log.warning("Signing identity not re-encrypted after a password change: %s", exc)
