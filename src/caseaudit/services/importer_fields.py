"""The lists caseaudit imports, the fields each holds, and how a file's columns map onto them.

A ``ListKind`` is one of the case lists the seeds name: children with a CIN or CP plan,
looked-after children (including external placements and care leavers), unallocated cases, and
pathway events (contacts, referrals, assessments, section 47 enquiries, ICPCs with their
outcome). Each ``ImportField`` has a stable name (``external_id``), a label people read ("Child
ID") and the header names different case-management systems use for it ("Person ID", "Child ID",
"ID" ...); ``importer_mapping`` uses them to recognise a file's columns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ListKind(enum.StrEnum):
    CIN_CP = "cin-cp"
    LAC = "lac"
    UNALLOCATED = "unallocated"
    EVENTS = "events"

    @property
    def label(self) -> str:
        return {
            "cin-cp": "Children with a CIN or CP plan",
            "lac": "Looked-after children and care leavers",
            "unallocated": "Unallocated cases",
            "events": "Pathway events (contacts, referrals, assessments, S47, ICPC)",
        }[self.value]


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    synonyms: tuple[str, ...]
    identifying: bool = False
    #: extra header names recognised only in one kind of list
    kind_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _f(name: str, label: str, *synonyms: str, identifying: bool = False, **kinds) -> ImportField:
    extra = {kind.replace("_", "-"): tuple(words) for kind, words in kinds.items()}
    return ImportField(name, label, (label, name, *synonyms), identifying, extra)


FIELDS: dict[str, ImportField] = {
    f.name: f
    for f in (
        _f(
            "external_id",
            "Child ID",
            "person id",
            "id",
            "client id",
            "child reference",
            "child ref",
            "person ref",
            "person reference",
            "lcs id",
            "mosaic id",
            "liquidlogic id",
            "child number",
            "system id",
            "cms id",
            "subject id",
            "pupil id",
        ),
        _f(
            "given_name",
            "First name",
            "forename",
            "forenames",
            "first names",
            "given name",
            "given names",
            "child forename",
            "child first name",
            identifying=True,
        ),
        _f(
            "family_name",
            "Surname",
            "last name",
            "family name",
            "child surname",
            "child last name",
            identifying=True,
        ),
        _f(
            "full_name",
            "Child's name",
            "name",
            "child name",
            "full name",
            "childs name",
            "child full name",
            "person name",
            "client name",
            identifying=True,
        ),
        _f(
            "date_of_birth",
            "Date of birth",
            "dob",
            "birth date",
            "birthdate",
            "child dob",
            identifying=True,
        ),
        _f("gender", "Gender", "sex"),
        _f("ethnicity", "Ethnicity", "ethnic origin", "ethnic group", "ethnicity description"),
        _f("disability", "Disability", "disabled", "has disability", "disability flag"),
        _f(
            "address",
            "Address",
            "home address",
            "address line 1",
            "current address",
            identifying=True,
        ),
        _f("postcode", "Postcode", "post code", "postal code", identifying=True),
        _f(
            "team",
            "Team",
            "team name",
            "allocated team",
            "team responsible",
            "current team",
            "responsible team",
        ),
        _f(
            "worker",
            "Allocated worker",
            "worker",
            "social worker",
            "key worker",
            "allocated social worker",
            "worker name",
            "allocated worker name",
            "lead worker",
            "case worker",
            "caseworker",
            "responsible worker",
        ),
        _f("worker_id", "Worker ID", "allocated worker id", "staff id", "worker number"),
        _f("team_manager", "Team manager", "allocated team manager", "manager"),
        _f(
            "iro",
            "IRO",
            "iro name",
            "reviewing officer",
            "independent reviewing officer",
            "allocated iro",
        ),
        _f(
            "stage",
            "Stage",
            "current stage",
            "case type",
            "category",
            cin_cp=("plan type", "plan", "cin cp", "cin/cp", "plan category"),
            events=(
                "event type",
                "event",
                "type",
                "activity",
                "activity type",
                "step",
                "workflow step",
            ),
            unallocated=("case stage", "type"),
        ),
        _f(
            "opened_on",
            "Start date",
            "date started",
            "opened",
            "open date",
            "opened on",
            "date opened",
            "case start date",
            "episode start",
            "start",
            "case opened",
            cin_cp=(
                "plan start date",
                "plan start",
                "date plan started",
                "cin start date",
                "cp start date",
            ),
            lac=(
                "date became lac",
                "date became looked after",
                "lac start date",
                "cla start date",
                "period of care start",
                "date of entry to care",
                "date entered care",
                "date became cla",
            ),
            unallocated=(
                "referral date",
                "date referred",
                "date received",
                "date unallocated",
                "date of referral",
            ),
        ),
        _f(
            "closed_on",
            "End date",
            "closed",
            "closed date",
            "date closed",
            "closed on",
            "end",
            "case closed date",
            "date case closed",
            cin_cp=("plan end date", "plan end", "date plan ended"),
            lac=(
                "date ceased lac",
                "date ceased looked after",
                "period of care end",
                "lac end date",
                "cla end date",
                "date left care",
            ),
        ),
        _f("status", "Case status", "status", "open closed", "open/closed"),
        _f("legal_status", "Legal status", "legal order", "legal status description"),
        _f(
            "placement_type",
            "Placement type",
            "placement",
            "placement category",
            "placement description",
        ),
        _f(
            "external_placement",
            "External placement",
            "out of area",
            "placement provider",
            "provider type",
            "in house external",
            "external",
            "external provider",
        ),
        _f("care_leaver", "Care leaver", "is care leaver", "care leaver status"),
        _f(
            "event_id",
            "Event ID",
            "activity id",
            "episode id",
            "record id",
            "workflow id",
            "contact id",
            "referral id",
            "assessment id",
        ),
        _f(
            "event_date",
            "Event date",
            "date",
            "contact date",
            "activity date",
            "date of event",
            "started",
            "start date",
            "date started",
            "referral date",
            "event start date",
        ),
        _f(
            "completed_on",
            "Completed on",
            "completed",
            "completed date",
            "completion date",
            "date completed",
            "end date",
            "outcome date",
            "date of outcome",
            "event end date",
        ),
        _f(
            "outcome",
            "Outcome",
            "result",
            "proceeded",
            "outcome of event",
            "next step",
            "proceeded to",
            "decision",
            "event outcome",
        ),
    )
}

_COMMON = (
    "external_id",
    "given_name",
    "family_name",
    "full_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "disability",
    "address",
    "postcode",
    "team",
    "worker",
    "worker_id",
    "team_manager",
)
KIND_FIELDS: dict[ListKind, tuple[str, ...]] = {
    ListKind.CIN_CP: (*_COMMON, "stage", "opened_on", "closed_on", "status", "legal_status"),
    ListKind.LAC: (
        *_COMMON,
        "stage",
        "opened_on",
        "closed_on",
        "status",
        "legal_status",
        "placement_type",
        "external_placement",
        "care_leaver",
        "iro",
    ),
    ListKind.UNALLOCATED: (*_COMMON, "stage", "opened_on", "closed_on", "status"),
    ListKind.EVENTS: (
        *_COMMON,
        "stage",
        "event_id",
        "event_date",
        "completed_on",
        "outcome",
        "status",
    ),
}
REQUIRED: dict[ListKind, tuple[str, ...]] = {
    ListKind.CIN_CP: ("external_id", "stage", "opened_on"),
    ListKind.LAC: ("external_id", "opened_on"),
    ListKind.UNALLOCATED: ("external_id", "opened_on"),
    ListKind.EVENTS: ("external_id", "stage", "event_date"),
}
