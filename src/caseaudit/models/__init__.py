"""The ORM models, one module per aggregate; importing this package registers them all."""

from __future__ import annotations

from .audit import Action, Answer, Audit, Finding, SectionJudgement, SignOff
from .base import Base
from .case import CaseFile, Child, ChildIdentity, PathwayEvent, RelatedPerson
from .changelog import ChangeLogEntry
from .organisation import Organisation, Team, User, Worker
from .round import AuditRound, SampleItem
from .template import AuditTemplate, TemplateVersion

__all__ = [
    "Action",
    "Answer",
    "Audit",
    "AuditRound",
    "AuditTemplate",
    "Base",
    "CaseFile",
    "ChangeLogEntry",
    "Child",
    "ChildIdentity",
    "Finding",
    "Organisation",
    "PathwayEvent",
    "RelatedPerson",
    "SampleItem",
    "SectionJudgement",
    "SignOff",
    "Team",
    "TemplateVersion",
    "User",
    "Worker",
]
