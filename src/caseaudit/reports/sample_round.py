"""A synthetic audit round for the report tests and benchmarks (invented en_GB people).

``build_sample_round`` writes, into a migrated database, the built-in templates, a few teams,
workers, IROs and users, ``audits`` children with identities, family members and case files, a
round with that many audits (most signed, with answers, section grades, findings, actions and
sign-offs) and, if asked, earlier rounds of the same template. Evidence, findings, rationales
and actions deliberately quote the children's and relatives' names (possessives, capitals), dates
of birth in several formats, addresses and postcodes, so tests can prove none of it survives
pseudonymisation. Workers' names never share a word with a child's or relative's name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from faker import Faker
from sqlalchemy import select

from ..db import Database
from ..models import (
    Action,
    Answer,
    Audit,
    AuditRound,
    AuditTemplate,
    CaseFile,
    Child,
    ChildIdentity,
    Finding,
    Organisation,
    RelatedPerson,
    SampleItem,
    SectionJudgement,
    SignOff,
    Team,
    TemplateVersion,
    User,
    Worker,
)
from ..services.templates import sync_builtin_templates
from ..services.users import hash_password
from ..templating import TemplateDefinition
from ..vocabulary import (
    ActionStatus,
    AuditStatus,
    FindingKind,
    PathwayStage,
    RoundStatus,
    TimescaleBand,
    UserRole,
    WorkerRole,
)

__all__ = ["SampleRound", "build_sample_round", "PASSWORD"]

PASSWORD = "report-tests-1"
_DOB_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d.%m.%Y", "%B %d, %Y")


@dataclass
class SampleRound:
    round_id: int
    previous_round_ids: list[int]
    audit_ids: list[int]
    qa_username: str
    auditor_username: str
    child_names: list[tuple[str, str]] = field(default_factory=list)
    related_names: list[str] = field(default_factory=list)
    dates_of_birth: list[date] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    worker_names: list[str] = field(default_factory=list)


def _template(session, key: str) -> tuple[TemplateVersion, TemplateDefinition]:  # noqa: ANN001
    version = session.scalars(
        select(TemplateVersion)
        .join(AuditTemplate)
        .where(AuditTemplate.key == key)
        .order_by(TemplateVersion.id.desc())
    ).first()
    if version is None:
        raise LookupError(f"template {key} is not loaded")
    return version, TemplateDefinition.from_json(version.definition)


def _people(fake: Faker, rng: random.Random, count: int, banned: set[str]) -> list[str]:
    found: list[str] = []
    while len(found) < count:
        name = fake.first_name()
        if name.lower() not in banned and len(name) >= 3:
            found.append(name)
    return found


def _value(question, rng: random.Random, quality: int, day: date):  # noqa: ANN001, ANN202
    kind = question.type
    if kind == "grade":
        return max(1, min(4, quality + rng.choice((-1, 0, 0, 1))))
    if kind == "yes_no":
        roll = rng.random()
        return "yes" if roll < 0.75 - 0.12 * quality else ("partly" if roll < 0.8 else "no")
    if kind == "date":
        return (day - timedelta(days=rng.randint(0, 60))).isoformat()
    if kind == "number":
        low = int(question.minimum or 0)
        return rng.randint(low, low + 6)
    if kind == "choice":
        return [question.options[0]] if question.multiple else rng.choice(question.options)
    return "Notes recorded in the file."


def build_sample_round(  # noqa: PLR0915 - one straightforward script
    db: Database,
    *,
    audits: int = 12,
    seed: int = 7,
    template_key: str = "cp-cin-plan-visits",
    previous: tuple[int, ...] = (6, 3),
    as_of: date = date(2026, 3, 31),
) -> SampleRound:
    sync_builtin_templates(db)
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    stamp = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
    with db.session() as s:
        version, definition = _template(s, template_key)
        org = Organisation(name="Sample Borough (synthetic)", is_demo=True)
        s.add(org)
        s.flush()
        # Professionals: names drawn first, then banned from the families' names.
        worker_names = []
        while len(worker_names) < 8:
            name = f"{fake.first_name()} {fake.last_name()}"
            if name not in worker_names:
                worker_names.append(name)
        teams = [Team(organisation_id=org.id, name=f"Sample team {t} {seed}") for t in "NSE"]
        s.add_all(teams)
        s.flush()
        workers = [
            Worker(
                name=n,
                role=WorkerRole.SOCIAL_WORKER if i < 4 else WorkerRole.IRO,
                team_id=teams[i % 3].id,
            )
            for i, n in enumerate(worker_names)
        ]
        s.add_all(workers)
        s.flush()
        qa = User(
            username=f"qa{seed}",
            display_name="Quinn Assurance",
            role=UserRole.QA_LEAD,
            password_hash=hash_password(PASSWORD),
        )
        auditor = User(
            username=f"auditor{seed}",
            display_name="Audrey Auditor",
            role=UserRole.AUDITOR,
            password_hash=hash_password(PASSWORD),
        )
        s.add_all([qa, auditor])
        s.flush()
        banned = {w.lower() for n in worker_names for w in n.split()}
        banned |= {"quinn", "assurance", "audrey", "auditor"}
        result = SampleRound(0, [], [], qa.username, auditor.username, worker_names=worker_names)
        stage = next(iter(definition.pathways), PathwayStage.CP_PLAN.value)
        sizes = [*previous, audits]
        for r_index, size in enumerate(sizes):
            months_back = len(sizes) - 1 - r_index
            start = date(as_of.year, as_of.month, 1) - timedelta(days=31 * months_back)
            start = start.replace(day=1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            rnd = AuditRound(
                name=f"Sample round {seed}-{r_index + 1} ({start:%b %Y})",
                theme="Voice of the child",
                template_version_id=version.id,
                period_start=start,
                period_end=end,
                status=RoundStatus.IN_PROGRESS,
                sample_spec={"size": size, "strata": ["team"]},
                seed=1000 + r_index,
                method={
                    "seed": 1000 + r_index,
                    "description": f"{size} files, stratified by team",
                    "frame_size": size * 9,
                    "strata": {
                        t.name: {"frame": size * 3, "eligible": size * 3 - 2, "drawn": size // 3}
                        for t in teams
                    },
                    "exclusions": {"audited in the last 12 months": 4},
                    "manual_changes": [
                        {
                            "action": "added",
                            "case_key": "SYN-0000",
                            "reason": "requested",
                            "by": qa.username,
                            "at": stamp.isoformat(),
                        }
                    ],
                },
                created_by_user_id=qa.id,
            )
            s.add(rnd)
            s.flush()
            for i in range(size):
                quality = rng.choice((1, 2, 2, 2, 3, 3, 4))
                given, family = _people(fake, rng, 1, banned)[0], fake.last_name()
                while family.lower() in banned:
                    family = fake.last_name()
                born = date(as_of.year - rng.randint(2, 16), rng.randint(1, 12), rng.randint(1, 28))
                mother = f"{_people(fake, rng, 1, banned)[0]} {family}"
                sibling = f"{_people(fake, rng, 1, banned)[0]} {family}"
                street = f"{rng.randint(1, 200)} {fake.street_name()}"
                postcode = f"DB{rng.randint(1, 9)} {rng.randint(1, 9)}XY"
                child = Child(
                    external_id=f"SYN{seed}-{r_index}-{i}",
                    case_key=f"SYN{seed}-{r_index}{i:04d}",
                    birth_year=born.year,
                )
                child.identity = ChildIdentity(
                    given_name=given,
                    family_name=family,
                    date_of_birth=born,
                    address=f"{street}, Sampletown",
                    postcode=postcode,
                )
                child.related_people = [
                    RelatedPerson(name=mother, relationship_to_child="mother"),
                    RelatedPerson(name=sibling, relationship_to_child="sibling"),
                ]
                result.child_names.append((given, family))
                result.related_names += [mother, sibling]
                result.dates_of_birth.append(born)
                result.addresses.append(street)
                case = CaseFile(
                    child=child,
                    team_id=teams[i % 3].id,
                    worker_id=workers[i % 4].id,
                    iro_worker_id=workers[4 + i % 4].id,
                    current_stage=PathwayStage(stage),
                    opened_on=start - timedelta(days=200),
                )
                item = SampleItem(round=rnd, case_file=case, stratum=teams[i % 3].name)
                s.add_all([child, case, item])
                s.flush()
                signed = i < size - 2 or size < 4
                audit = Audit(
                    case_file_id=case.id,
                    template_version_id=version.id,
                    sample_item_id=item.id,
                    auditor_user_id=auditor.id,
                    status=AuditStatus.SIGNED if signed else AuditStatus.IN_PROGRESS,
                    overall_grade=quality if signed else None,
                    suggested_grade=quality,
                    compliance_percent=round(100 - quality * 12 + rng.random() * 5, 1),
                )
                dob_text = born.strftime(rng.choice(_DOB_FORMATS))
                audit.overall_rationale = (
                    f"{given.upper()}'s plan is reviewed; {mother} attends. DOB {dob_text}."
                )
                s.add(audit)
                s.flush()
                day = start + timedelta(days=rng.randint(0, 27))
                for q in definition.questions:
                    s.add(
                        Answer(
                            audit_id=audit.id,
                            question_id=q.id,
                            value=_value(q, rng, quality, day),
                            evidence=(
                                f"Seen {given} at home ({street}, {postcode}); {sibling}'s "
                                f"views noted. Born {born.strftime(rng.choice(_DOB_FORMATS))}."
                                if rng.random() < 0.4
                                else "Recorded on the file."
                            ),
                        )
                    )
                for sec in definition.sections:
                    if sec.graded:
                        grade = max(1, min(4, quality + rng.choice((-1, 0, 0, 1))))
                        s.add(
                            SectionJudgement(
                                audit_id=audit.id,
                                section_id=sec.id,
                                grade=grade,
                                commentary=f"{family} family engaged well.",
                            )
                        )
                first = definition.sections[min(1, len(definition.sections) - 1)].id
                last = definition.sections[-1].id
                s.add_all(
                    [
                        Finding(
                            audit_id=audit.id,
                            kind=FindingKind.STRENGTH,
                            section_id=first,
                            text=f"{given}'s wishes were recorded in {given.lower()}'s own words.",
                        ),
                        Finding(
                            audit_id=audit.id,
                            kind=FindingKind.AREA_FOR_IMPROVEMENT,
                            section_id=last,
                            text=f"Visits to {given} {family} were not always "
                            f"within timescale; {mother.split()[0]} was not seen.",
                        ),
                    ]
                )
                if quality == 4:
                    s.add(
                        Finding(
                            audit_id=audit.id,
                            kind=FindingKind.SAFEGUARDING_CONCERN,
                            section_id=last,
                            text=f"{given} disclosed a concern.",
                        )
                    )
                band = (
                    TimescaleBand.IMMEDIATELY,
                    TimescaleBand.THREE_MONTHS,
                    TimescaleBand.SIX_MONTHS,
                )[i % 3]
                s.add(
                    Action(
                        audit_id=audit.id,
                        section_id=last,
                        owner_worker_id=workers[i % 4].id,
                        description=f"Visit {given} and see {sibling.split()[0]} alone.",
                        timescale_band=band,
                        due_on=day + timedelta(days=30 + 60 * (i % 3)),
                        status=(
                            ActionStatus.COMPLETED,
                            ActionStatus.OPEN,
                            ActionStatus.IN_PROGRESS,
                        )[i % 3],
                    )
                )
                if signed:
                    s.add(
                        SignOff(
                            audit_id=audit.id,
                            user_id=auditor.id,
                            at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                            content_hash=f"{rng.getrandbits(256):064x}",
                        )
                    )
                if r_index == len(sizes) - 1:
                    result.audit_ids.append(audit.id)
            if r_index == len(sizes) - 1:
                result.round_id = rnd.id
            else:
                result.previous_round_ids.append(rnd.id)
    return result
