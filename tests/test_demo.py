"""The synthetic demo local authority: determinism, coverage, timescales, safety and the CLI.

Builds are small (a few hundred children) and run against real database files; one test runs
on every backend. Nothing here times anything: the speed of the build is in ``bench/``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from caseaudit.cli import main
from caseaudit.db import Database, open_database
from caseaudit.errors import ValidationError
from caseaudit.models import (
    Action,
    Audit,
    AuditRound,
    Base,
    CaseFile,
    Child,
    ChildIdentity,
    Finding,
    Organisation,
    PathwayEvent,
    RelatedPerson,
    SampleItem,
    Team,
    User,
    Worker,
)
from caseaudit.services.demo import (
    DEMO_CREDENTIALS,
    DEMO_PASSPHRASE,
    Cancelled,
    DemoSummary,
    build_demo,
    ensure_demo_database,
    name_pools,
)
from caseaudit.services.demo_bulk import BulkInsert
from caseaudit.services.snapshots import canonical_json
from caseaudit.services.trail import verify
from caseaudit.services.users import authenticate
from caseaudit.templating import (
    AnswerValue,
    CaseContext,
    TemplateDefinition,
    grade,
    working_days_between,
)
from caseaudit.vocabulary import AuditStatus, CaseStatus, PathwayStage, UserRole, WorkerRole

from .factories import make_user

AS_OF = date(2026, 11, 16)
NOT_COMPARED = {"password_hash", "loaded_at"}  # salted hashes; when templates were loaded
S = PathwayStage


def dump(db: Database) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, leaving out only salted or load-time columns."""
    tables: dict[str, list[tuple]] = {}
    with db.session() as s:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in NOT_COMPARED]
            order = list(table.primary_key.columns)
            rows = s.execute(select(*columns).order_by(*order)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def built(path: Path, **options) -> tuple[Database, DemoSummary]:
    db = open_database(path)
    options.setdefault("as_of", AS_OF)
    return db, build_demo(db, **options)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Database:
    """One demo database with audits, shared by the read-only tests below."""
    db, _summary = built(tmp_path_factory.mktemp("demo") / "demo.sqlite", scale=600)
    yield db
    db.close()


def test_same_inputs_give_the_same_rows(tmp_path):
    first, one = built(tmp_path / "one.sqlite", scale=250, seed=7)
    name_pools.cache_clear()  # the second build draws its names from Faker afresh
    second, two = built(tmp_path / "two.sqlite", scale=250, seed=7)
    other, _ = built(tmp_path / "other.sqlite", scale=100, seed=8, with_audits=False)
    try:
        a, b = dump(first), dump(second)
        assert a == b
        assert a["child"] and a["pathway_event"] and a["audit"] and a["change_log"]
        assert (one.children, one.events, one.audits) == (two.children, two.events, two.audits)
        assert dump(other)["child_identity"] != a["child_identity"]
    finally:
        for db in (first, second, other):
            db.close()


def test_driver_inserts_store_what_sqlalchemy_stores(tmp_path, monkeypatch):
    direct, _ = built(tmp_path / "direct.sqlite", scale=120, with_audits=False)
    monkeypatch.setattr(BulkInsert, "allow_direct", False)
    core, _ = built(tmp_path / "core.sqlite", scale=120, with_audits=False)
    try:
        with direct.engine.connect() as one, core.engine.connect() as two:
            for table in (
                "child",
                "child_identity",
                "related_person",
                "case_file",
                "pathway_event",
            ):
                query = text(
                    f"SELECT *, typeof(id) FROM {table}"
                    if table != "child_identity"
                    else f"SELECT *, typeof(date_of_birth) FROM {table}"
                )
                assert one.execute(query).all() == two.execute(query).all()
    finally:
        direct.close()
        core.close()


def test_counts_and_coverage(demo):
    with demo.session() as s:
        org = s.scalars(select(Organisation)).one()
        assert org.is_demo and "synthetic" in org.name
        assert s.scalar(select(func.count()).select_from(Team)) == 11
        roles = Counter(s.scalars(select(Worker.role)))
        assert roles[WorkerRole.TEAM_MANAGER] == 11
        assert roles[WorkerRole.IRO] == 8
        assert 55 <= roles[WorkerRole.SOCIAL_WORKER] <= 65
        assert roles[WorkerRole.SERVICE_MANAGER] >= 2 and roles[WorkerRole.PERSONAL_ADVISER] >= 4
        managers = s.execute(
            select(Worker.team_id).where(Worker.role == WorkerRole.TEAM_MANAGER)
        ).scalars()
        assert sorted(managers) == sorted(s.scalars(select(Team.id)))
        cases = s.scalars(select(CaseFile)).all()
        assert len(cases) == 600 == s.scalar(select(func.count()).select_from(Child))
        stages = {c.current_stage for c in cases}
        assert set(PathwayStage) - {S.EARLY_HELP, S.LADO} <= stages
        statuses = Counter(c.status for c in cases)
        assert statuses[CaseStatus.OPEN] > statuses[CaseStatus.CLOSED] > 50
        for case in cases:
            assert case.source_list == "demo"
            if case.status is CaseStatus.CLOSED:
                assert AS_OF - timedelta(days=183) <= case.closed_on <= AS_OF
            else:
                assert case.closed_on is None
        teams = {t.id: t.name for t in s.scalars(select(Team))}
        workers = {w.id: w for w in s.scalars(select(Worker))}
        for case in cases:
            team = teams[case.team_id]
            if case.current_stage in (S.LAC_EPISODE, S.LAC_REVIEW):
                assert workers[case.iro_worker_id].role is WorkerRole.IRO
                assert team in ("Children in care", "Disabled children")
            if case.current_stage is S.CP_PLAN:
                assert team.startswith("Safeguarding")
            if case.current_stage is S.CARE_LEAVER:
                assert team == "Leaving care"
                assert workers[case.worker_id].role is WorkerRole.PERSONAL_ADVISER
            if case.worker_id is not None:
                assert workers[case.worker_id].team_id == case.team_id
        identities = s.scalars(select(ChildIdentity)).all()
        assert len(identities) == 600 and all(i.given_name and i.postcode for i in identities)
        relatives = Counter(s.scalars(select(RelatedPerson.child_id)))
        assert set(relatives.values()) <= {1, 2, 3} and len(relatives) == 600
        keys = s.scalars(select(Child.case_key)).all()
        assert all(k.startswith("C-") for k in keys) and len(set(keys)) == 600


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_events_are_ordered_and_mostly_in_time(demo):
    with demo.session() as s:
        cases = {c.id: c for c in s.scalars(select(CaseFile))}
        born = dict(s.execute(select(ChildIdentity.child_id, ChildIdentity.date_of_birth)).all())
        events: dict[int, list[PathwayEvent]] = defaultdict(list)
        for event in s.scalars(select(PathwayEvent).order_by(PathwayEvent.started_on)):
            events[event.case_file_id].append(event)
    icpc_in_time = icpc_all = review_in_time = review_all = 0
    for cid, case in cases.items():
        end = case.closed_on or AS_OF
        file_events = events[cid]
        assert file_events and case.opened_on == file_events[0].started_on
        for event in file_events:
            assert event.started_on <= end
            assert event.completed_on is None or event.started_on <= event.completed_on <= end
        age = _age(born[case.child_id], end)
        if case.current_stage is S.CARE_LEAVER:
            assert 16 <= age <= 21
        else:
            assert 0 <= age <= 17
        strategies = [e.started_on for e in file_events if e.stage is S.STRATEGY_DISCUSSION]
        for icpc in (e for e in file_events if e.stage is S.ICPC):
            last = max(d for d in strategies if d <= icpc.started_on)
            icpc_all += 1
            icpc_in_time += working_days_between(last, icpc.started_on) <= 15
        episodes = [e for e in file_events if e.stage is S.LAC_EPISODE]
        reviews = [e for e in file_events if e.stage is S.LAC_REVIEW]
        if episodes and reviews:
            review_all += 1
            review_in_time += (
                working_days_between(episodes[0].started_on, reviews[0].started_on) <= 20
            )
    # Most on time, a realistic minority late (about 15% by design).
    assert icpc_all > 50 and 0.7 <= icpc_in_time / icpc_all <= 0.97
    assert review_all > 50 and 0.7 <= review_in_time / review_all <= 0.97


def test_demo_users_sign_in(demo):
    signed_in = {}
    for username, password, role, display in DEMO_CREDENTIALS:
        user = authenticate(demo, username, password)
        assert (user.role, user.display_name) == (role, display)
        assert password.startswith("demo-")
        signed_in[username] = user
    with demo.session() as s:
        manager = s.get(Worker, signed_in["auditor"].worker_id)
        assert manager.role is WorkerRole.TEAM_MANAGER


def test_audits_are_consistent_with_their_templates(demo):
    with demo.session() as s:
        rounds = s.scalars(select(AuditRound)).all()
        assert len(rounds) >= 2
        audits = s.scalars(select(Audit)).all()
        assert 20 <= len(audits) <= 40
        states = Counter(a.status for a in audits)
        assert states[AuditStatus.SIGNED] >= 5 and states[AuditStatus.IN_PROGRESS] >= 2
        assert states[AuditStatus.NOT_STARTED] >= 2
        users = {u.id: u.username for u in s.scalars(select(User))}
        assert {users[a.auditor_user_id] for a in audits} == {"auditor", "iro.manager"}
        assert all(" / " in item.stratum for item in s.scalars(select(SampleItem)))
        named = 0
        for audit in audits:
            definition = TemplateDefinition.from_json(audit.template_version.definition)
            answers = {
                a.question_id: AnswerValue(a.value, a.evidence, a.na_reason) for a in audit.answers
            }
            sections = {j.section_id: j.grade for j in audit.section_judgements}
            found: dict[str, list[date]] = defaultdict(list)
            for event in audit.case_file.events:
                found[event.stage.value].append(event.started_on)
            context = CaseContext(frozenset(found) | {audit.case_file.current_stage.value}, found)
            result = grade(
                definition,
                answers,
                sections,
                audit.overall_grade,
                context,
                overall_rationale=audit.overall_rationale,
            )
            if answers:
                assert audit.suggested_grade == result.suggested_overall
                assert audit.compliance_percent == result.compliance.percent
                assert set(answers) <= set(result.visible_questions)
            if audit.status is AuditStatus.SIGNED:
                assert result.missing == []
                (sign_off,) = audit.sign_offs
                digest = hashlib.sha256(canonical_json(sign_off.content).encode()).hexdigest()
                assert sign_off.content_hash == digest
            else:
                assert not audit.sign_offs
            child = audit.case_file.child.identity
            relatives = [r.name.split()[0] for r in audit.case_file.child.related_people]
            for answer in audit.answers:
                assert child.full_name not in answer.evidence
                if any(name in answer.evidence for name in relatives):
                    named += 1
        assert 1 <= named <= 2  # deliberate, for the redaction feature
        assert s.scalar(select(func.count()).select_from(Finding)) >= 5
        actions = s.scalars(select(Action)).all()
        assert actions and all(a.owner_worker_id and a.due_on for a in actions)
    assert verify(demo).ok


def test_refuses_a_database_that_holds_data(sqlite_database):
    make_user(sqlite_database, "real.person", "Real Person", UserRole.AUDITOR, "a-long-password")
    with pytest.raises(ValidationError) as refused:
        build_demo(sqlite_database, scale=50, as_of=AS_OF, with_audits=False)
    assert "already holds data" in refused.value.message
    with sqlite_database.session() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 0


def test_cancelling_leaves_the_database_empty(sqlite_database):
    cancel = threading.Event()

    def progress(fraction: float, message: str) -> None:
        if message.startswith("Writing children") and fraction > 0.1:
            cancel.set()

    with pytest.raises(Cancelled):
        build_demo(
            sqlite_database,
            scale=2500,
            as_of=AS_OF,
            with_audits=False,
            progress=progress,
            cancel=cancel,
        )
    with sqlite_database.session() as s:
        for model in (Organisation, Worker, User, Child, CaseFile, PathwayEvent, Audit):
            assert s.scalar(select(func.count()).select_from(model)) == 0


def test_builds_on_every_backend(database):
    summary = build_demo(database, scale=150, as_of=AS_OF)
    assert summary.children == 150 and summary.audits > 0 and summary.users == 6
    assert verify(database).ok
    # Ids the build chose itself must not collide with ids the program assigns later.
    make_user(database, "new.user", "New User", UserRole.AUDITOR, "a-long-password")
    with database.session() as s:
        s.add(Team(organisation_id=1, name="A new team"))
        assert s.scalar(select(func.count()).select_from(User)) == 7


def test_cli_builds_refuses_and_forces(tmp_path, capsys):
    assert (
        main(["--data-dir", str(tmp_path), "demo", "--scale", "200", "--as-of", "2026-11-16"]) == 0
    )
    out = capsys.readouterr()
    assert "200 children" in out.out and "demo-auditor" in out.out and "%" in out.err
    assert DEMO_PASSPHRASE in out.out and "never put real children's data" in out.out
    path = tmp_path / "demo.sqlite"
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"  # encrypted, like every new database
    assert main(["--data-dir", str(tmp_path), "db", "info"]) == 0  # opens with no passphrase
    assert "encrypted SQLite" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "demo", "--scale", "200"]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert (
        main(["--data-dir", str(tmp_path), "demo", "--scale", "120", "--no-audits", "--force"]) == 0
    )
    db = open_database(path, passphrase=DEMO_PASSPHRASE)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Child)) == 120
            assert s.scalar(select(func.count()).select_from(Audit)) == 0
    finally:
        db.close()


def test_force_never_drops_postgresql_or_real_data(tmp_path, capsys):
    url = "postgresql://nobody@localhost/not_a_database"
    assert main(["--db", url, "demo", "--force"]) == 1
    assert "never drops a PostgreSQL database" in capsys.readouterr().err
    real = tmp_path / "real.sqlite"
    db = open_database(real)
    with db.session() as s:
        s.add(Organisation(name="A real council", is_demo=False))
    db.close()
    assert main(["--db", str(real), "demo", "--force", "--scale", "50"]) == 1
    assert "real (non-demo) data" in capsys.readouterr().err
    db = open_database(real)
    try:
        with db.session() as s:
            assert s.scalars(select(Organisation.name)).all() == ["A real council"]
    finally:
        db.close()


def test_ensure_demo_database_builds_once_and_atomically(tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        ensure_demo_database(tmp_path, cancel=cancel, scale=100)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    open_database(tmp_path / "demo.sqlite").close()  # an empty file, as `db info` leaves
    path = ensure_demo_database(tmp_path, scale=100)
    assert path == tmp_path / "demo.sqlite"
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    stamp = path.stat().st_mtime_ns
    assert ensure_demo_database(tmp_path, scale=100) == path
    assert path.stat().st_mtime_ns == stamp
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    db = open_database(path, passphrase=DEMO_PASSPHRASE)
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Child)) == 100
        assert "organisation" in inspect(db.engine).get_table_names()
    finally:
        db.close()


def test_ensure_demo_database_can_still_build_a_plain_file(tmp_path):
    path = ensure_demo_database(tmp_path, scale=30, passphrase=None)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
