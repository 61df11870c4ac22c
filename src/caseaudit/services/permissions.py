"""What each role may do, checked by every service that changes or reveals data.

Services take the acting user (``UserInfo``) and call ``require(actor, Permission.X)`` before
doing anything; the GUI and the CLI therefore refuse the same things with the same words. The
table is deliberately small and explicit: a role gets a permission only if it is listed here.
"""

from __future__ import annotations

import enum

from ..errors import PermissionDenied
from ..vocabulary import UserRole
from .users import UserInfo


class Permission(enum.StrEnum):
    VIEW_CASES = "view cases"
    VIEW_IDENTIFYING_DATA = "see children's names"
    IMPORT_CASE_LISTS = "import case lists"
    MANAGE_TEMPLATES = "manage templates"
    MANAGE_ROUNDS = "create rounds and draw samples"
    MANAGE_PROGRAMMES = "manage audit programmes"
    AUDIT = "complete audits"
    MODERATE = "moderate audits"
    REOPEN_SIGNED = "reopen signed audits"
    MANAGE_ACTIONS = "update actions"
    PRODUCE_REPORTS = "produce reports and exports"
    MANAGE_USERS = "manage users"
    ADMINISTER = "administer the database"
    VIEW_TRAIL = "view the audit trail"


_ALL = frozenset(Permission)
_READ = frozenset({Permission.VIEW_CASES, Permission.VIEW_TRAIL})

ROLE_PERMISSIONS: dict[UserRole, frozenset[Permission]] = {
    UserRole.AUDITOR: _READ | {Permission.AUDIT, Permission.MANAGE_ACTIONS},
    UserRole.MODERATOR: _READ
    | {
        Permission.AUDIT,
        Permission.MODERATE,
        Permission.MANAGE_ACTIONS,
        Permission.PRODUCE_REPORTS,
    },
    UserRole.IRO_MANAGER: _READ
    | {
        Permission.AUDIT,
        Permission.MANAGE_ACTIONS,
        Permission.MANAGE_PROGRAMMES,
        Permission.MANAGE_ROUNDS,
        Permission.PRODUCE_REPORTS,
    },
    UserRole.QA_LEAD: _ALL - {Permission.MANAGE_USERS, Permission.ADMINISTER},
    UserRole.ADMINISTRATOR: _ALL,
    UserRole.READ_ONLY: _READ | {Permission.PRODUCE_REPORTS},
}


def allowed(actor: UserInfo | None, permission: Permission) -> bool:
    return actor is not None and permission in ROLE_PERMISSIONS.get(actor.role, frozenset())


def require(actor: UserInfo | None, permission: Permission) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role grants ``permission``."""
    if actor is None:
        raise PermissionDenied(f"You must sign in to {permission.value}.")
    if not allowed(actor, permission):
        who = [r.label for r, perms in ROLE_PERMISSIONS.items() if permission in perms]
        raise PermissionDenied(
            f"{actor.display_name} is signed in as {actor.role.label}, which may not "
            f"{permission.value}. Ask someone with one of these roles: {', '.join(who)}."
        )
