"""The plain dataclasses a report is rendered from, and the redactor built from the database.

``RoundData`` and ``AuditData`` are filled by ``caseaudit.reports.gather`` and read by the PDF
and spreadsheet renderers, which never touch the database. Free text is carried as stored; the
renderers pass it through the ``Redactor`` that ``build_redactor`` fills with every child's and
family member's name, date of birth and address the database knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ChildIdentity, RelatedPerson
from ..templating import TemplateDefinition
from ..vocabulary import AuditStatus, PathwayStage
from .redaction import Redactor

__all__ = [
    "ActionRow",
    "AnswerRow",
    "AuditData",
    "AuditRow",
    "FindingRow",
    "IroResult",
    "NamedChild",
    "PreviousRound",
    "RoundData",
    "SignOffRow",
    "build_redactor",
]


@dataclass(frozen=True)
class NamedChild:
    given_name: str
    family_name: str
    date_of_birth: date | None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass
class AuditRow:
    audit_id: int
    case_key: str
    child_id: int
    case_file_id: int
    pathway: PathwayStage
    team: str
    iro_worker_id: int | None
    iro_name: str
    auditor: str
    status: AuditStatus
    overall_grade: int | None
    suggested_grade: int | None
    compliance_percent: float | None
    rationale: str
    stratum: str = ""
    signed_at: datetime | None = None
    signed_by: str = ""
    content_hash: str = ""
    named: NamedChild | None = None

    @property
    def signed(self) -> bool:
        return self.status == AuditStatus.SIGNED


@dataclass(frozen=True)
class AnswerRow:
    audit_id: int
    question_id: str
    value: Any
    evidence: str
    na_reason: str


@dataclass(frozen=True)
class FindingRow:
    audit_id: int
    kind: str
    section_id: str
    question_id: str
    text: str


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    audit_id: int | None
    case_key: str
    section_id: str
    description: str
    owner: str
    timescale_band: str
    due_on: date
    review_on: date | None
    status: str
    completed_on: date | None


@dataclass(frozen=True)
class SignOffRow:
    audit_id: int
    kind: str
    at: datetime
    by: str
    content_hash: str
    reason: str


@dataclass(frozen=True)
class PreviousRound:
    round_id: int
    name: str
    period_start: date
    period_end: date
    grade_counts: dict[int, int]
    compliance_mean: float | None

    @property
    def n(self) -> int:
        return sum(self.grade_counts.values())


@dataclass(frozen=True)
class IroResult:
    iro_name: str
    month: date
    grade: int | None
    compliance_percent: float | None


@dataclass
class RoundData:
    round_id: int
    name: str
    theme: str
    period_start: date
    period_end: date
    status: str
    seed: int | None
    sample_spec: dict[str, Any]
    method: dict[str, Any]
    created_by: str
    template_key: str
    template_title: str
    template_version: str
    definition: TemplateDefinition
    sample_size: int
    removed_count: int
    strata: dict[str, int]
    audits: list[AuditRow]
    section_grades: dict[int, dict[str, int | None]]
    answers: list[AnswerRow]
    answer_counts: dict[str, dict[str, int]]
    findings: list[FindingRow]
    actions: list[ActionRow]
    previous: list[PreviousRound]
    iro_results: list[IroResult]
    redactor: Redactor
    named: bool = False

    @property
    def signed_audits(self) -> list[AuditRow]:
        return [a for a in self.audits if a.signed]


@dataclass
class AuditData:
    audit: AuditRow
    round_name: str
    template_key: str
    template_title: str
    template_version: str
    definition: TemplateDefinition
    answers: dict[str, AnswerRow]
    section_grades: dict[str, int | None]
    section_commentary: dict[str, str]
    findings: list[FindingRow]
    actions: list[ActionRow]
    sign_offs: list[SignOffRow]
    events: dict[str, list[date]]
    redactor: Redactor
    named: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def build_redactor(session: Session) -> Redactor:
    """A redactor that knows every child's and family member's name, DOB and address."""
    redactor = Redactor()
    births = set()
    for given, family, born, address in session.execute(
        select(
            ChildIdentity.given_name,
            ChildIdentity.family_name,
            ChildIdentity.date_of_birth,
            ChildIdentity.address,
        )
    ):
        redactor.add_name(given)
        redactor.add_name(family)
        redactor.add_address(address)
        if born is not None:
            births.add(born)
    for (name,) in session.execute(select(RelatedPerson.name)):
        redactor.add_name(name)
    redactor.dates_of_birth = births
    return redactor
