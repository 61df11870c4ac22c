"""The demo database's sign-in accounts, published on purpose.

Kept apart from the demo builder so the sign-in screen and the README can show them without
loading Faker. They only ever exist in a database that holds synthetic demo data.
"""

from __future__ import annotations

from ..vocabulary import UserRole

#: The demo accounts: (user name, password, role, display name). Published on purpose: they only
#: ever exist in a database holding synthetic demo data.
DEMO_CREDENTIALS: list[tuple[str, str, UserRole, str]] = [
    ("admin", "demo-admin", UserRole.ADMINISTRATOR, "Demo Administrator"),
    ("qa.lead", "demo-qa-lead", UserRole.QA_LEAD, "Demo QA Lead"),
    ("auditor", "demo-auditor", UserRole.AUDITOR, "Demo Auditor (team manager)"),
    ("iro.manager", "demo-iro-manager", UserRole.IRO_MANAGER, "Demo IRO Manager"),
    ("moderator", "demo-moderator", UserRole.MODERATOR, "Demo Moderator"),
    ("reviewer", "demo-reviewer", UserRole.READ_ONLY, "Demo Reviewer (read-only)"),
]

#: The demo database file's passphrase, published on purpose like the accounts: the demo is
#: encrypted as every new database is, but anyone may open it, so it must never hold real data.
DEMO_PASSPHRASE = "caseaudit-demo-only"

__all__ = ["DEMO_CREDENTIALS", "DEMO_PASSPHRASE"]
