"""The domain's fixed vocabularies: pathway stages, outcomes, roles, statuses and bands.

Pure Python enums, spelled as social workers say them, shared by the models, the template
engine, the services and the GUI. Each member's value is what is stored in the database and
written in template files, so values never change once released; ``label`` is for people.
"""

from __future__ import annotations

import enum


class _Labelled(enum.StrEnum):
    """A string enum whose members carry a human label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> _Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    @classmethod
    def parse(cls, text: str) -> _Labelled:
        """Accept a value or a label, case-insensitively."""
        wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if wanted in (member.value, member.label.lower().replace(" ", "_")):
                return member
        raise ValueError(f"{text!r} is not a known {cls.__name__}")


class PathwayStage(_Labelled):
    EARLY_HELP = ("early_help", "Early help / CAF")
    CONTACT = ("contact", "Contact")
    REFERRAL = ("referral", "Referral")
    RE_REFERRAL = ("re_referral", "Re-referral")
    ASSESSMENT = ("assessment", "Assessment")
    STRATEGY_DISCUSSION = ("strategy_discussion", "Strategy discussion")
    SECTION_47 = ("section_47", "Section 47 enquiry")
    ICPC = ("icpc", "Initial child protection conference")
    CIN_PLAN = ("cin_plan", "Child in need plan")
    CP_PLAN = ("cp_plan", "Child protection plan")
    LAC_EPISODE = ("lac_episode", "Looked-after episode")
    LAC_REVIEW = ("lac_review", "LAC review")
    CARE_LEAVER = ("care_leaver", "Care leaver pathway plan")
    SUPERVISION = ("supervision", "Supervision record")
    LADO = ("lado", "LADO investigation")


class Outcome(_Labelled):
    PROCEEDED = ("proceeded", "Proceeded")
    DID_NOT_PROCEED = ("did_not_proceed", "Did not proceed")
    ONGOING = ("ongoing", "Ongoing")
    NOT_APPLICABLE = ("not_applicable", "Not applicable")


class CaseStatus(_Labelled):
    OPEN = ("open", "Open")
    CLOSED = ("closed", "Closed")


class WorkerRole(_Labelled):
    SOCIAL_WORKER = ("social_worker", "Social worker")
    TEAM_MANAGER = ("team_manager", "Team manager")
    SERVICE_MANAGER = ("service_manager", "Service manager")
    IRO = ("iro", "Independent reviewing officer")
    PERSONAL_ADVISER = ("personal_adviser", "Personal adviser")


class UserRole(_Labelled):
    AUDITOR = ("auditor", "Auditor")
    MODERATOR = ("moderator", "Moderator")
    IRO_MANAGER = ("iro_manager", "IRO manager")
    QA_LEAD = ("qa_lead", "QA lead")
    ADMINISTRATOR = ("administrator", "Administrator")
    READ_ONLY = ("read_only", "Read-only reviewer")


class AuditStatus(_Labelled):
    NOT_STARTED = ("not_started", "Not started")
    IN_PROGRESS = ("in_progress", "In progress")
    AWAITING_SIGN_OFF = ("awaiting_sign_off", "Awaiting sign-off")
    SIGNED = ("signed", "Signed")
    REOPENED = ("reopened", "Reopened")


class RoundStatus(_Labelled):
    DRAFT = ("draft", "Draft")
    SAMPLED = ("sampled", "Sampled")
    IN_PROGRESS = ("in_progress", "In progress")
    COMPLETED = ("completed", "Completed")


class TimescaleBand(_Labelled):
    IMMEDIATELY = ("immediately", "Immediately")
    THREE_MONTHS = ("three_months", "Within 3 months")
    SIX_MONTHS = ("six_months", "Within 6 months")


class ActionStatus(_Labelled):
    OPEN = ("open", "Open")
    IN_PROGRESS = ("in_progress", "In progress")
    COMPLETED = ("completed", "Completed")
    CANCELLED = ("cancelled", "Cancelled")


class FindingKind(_Labelled):
    STRENGTH = ("strength", "Strength")
    AREA_FOR_IMPROVEMENT = ("area_for_improvement", "Area for improvement")
    SAFEGUARDING_CONCERN = ("safeguarding_concern", "Safeguarding concern")


class SampleReason(_Labelled):
    RANDOM = ("random", "Random (stratified)")
    THEMED = ("themed", "Themed")
    TARGETED = ("targeted", "Targeted")
    MANUAL = ("manual", "Added by hand")
