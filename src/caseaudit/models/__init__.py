"""The ORM models, one module per aggregate; importing this package registers them all."""

from __future__ import annotations

from .audit import Action, Answer, Audit, Finding, SectionJudgement, SignOff
from .base import Base
from .case import CaseFile, Child, ChildIdentity, PathwayEvent, RelatedPerson
from .changelog import ChangeLogEntry
from .importing import ImportMappingProfile, ImportRun
from .organisation import Organisation, Team, User, Worker
from .programme import Cadence, Programme, ProgrammeKind
from .round import AuditRound, RoundAuditor, SampleItem
from .template import AuditTemplate, TemplateVersion

__all__ = [
    "Action",
    "Answer",
    "Audit",
    "AuditRound",
    "AuditTemplate",
    "Base",
    "Cadence",
    "CaseFile",
    "ChangeLogEntry",
    "Child",
    "ChildIdentity",
    "Finding",
    "ImportMappingProfile",
    "ImportRun",
    "Organisation",
    "PathwayEvent",
    "Programme",
    "ProgrammeKind",
    "RelatedPerson",
    "RoundAuditor",
    "SampleItem",
    "SectionJudgement",
    "SignOff",
    "Team",
    "TemplateVersion",
    "User",
    "Worker",
]
