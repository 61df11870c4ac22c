"""Synthetic case files and shared fixtures for the GUI shell, Cases and Templates tests.

``populate`` fills a migrated database with an organisation, teams, workers and ``count`` children
(each with a named ``ChildIdentity``, so tests can prove names never reach the Cases view), one
case file each and a few pathway events. It uses the demo service's ``build_demo`` when that
exists (the same data the program ships), otherwise its own small generator. The fixtures below give each test a copy of a populated file (built once per
session), QSettings in a temporary folder, and main windows on a synchronous runner whose errors
are collected in a list instead of shown in a dialog.
"""

from __future__ import annotations

import importlib
import random
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from faker import Faker
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from caseaudit.db import Database, open_database
from caseaudit.models import (
    CaseFile,
    Child,
    ChildIdentity,
    Organisation,
    PathwayEvent,
    Team,
    Worker,
)
from caseaudit.services.templates import sync_builtin_templates
from caseaudit.vocabulary import CaseStatus, Outcome, PathwayStage, WorkerRole

TEAMS = ("Assessment East", "Assessment West", "Safeguarding North", "Children in Care")
STAGES = (
    PathwayStage.REFERRAL,
    PathwayStage.ASSESSMENT,
    PathwayStage.SECTION_47,
    PathwayStage.CIN_PLAN,
    PathwayStage.CP_PLAN,
    PathwayStage.LAC_EPISODE,
    PathwayStage.CARE_LEAVER,
)


def _demo_builder():
    try:
        module = importlib.import_module("caseaudit.services.demo")
    except ImportError:
        return None
    return getattr(module, "build_demo", None)


def populate(db: Database, count: int = 300, *, is_demo: bool = True, seed: int = 7) -> None:
    """Fill ``db`` with ``count`` synthetic children and case files."""
    builder = _demo_builder()
    if builder is not None:
        builder(db, scale=count, with_audits=False)
        if not is_demo:
            with db.session() as session:
                for organisation in session.scalars(select(Organisation)):
                    organisation.is_demo = False
        return
    _generate(db, count, is_demo=is_demo, seed=seed)


def _generate(db: Database, count: int, *, is_demo: bool, seed: int) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    with db.session() as session:
        organisation = Organisation(name="Exampleshire County Council", is_demo=is_demo)
        session.add(organisation)
        session.flush()
        teams = [Team(organisation_id=organisation.id, name=name) for name in TEAMS]
        session.add_all(teams)
        session.flush()
        workers = [
            Worker(name=fake.name(), role=WorkerRole.SOCIAL_WORKER, team_id=team.id)
            for team in teams
            for _ in range(3)
        ]
        session.add_all(workers)
        session.flush()
        for number in range(1, count + 1):
            child = Child(external_id=f"LCS{100000 + number}", case_key=f"C-{number:04d}")
            child.identity = ChildIdentity(
                given_name=fake.first_name(),
                family_name=fake.last_name(),
                date_of_birth=date(2010, 1, 1) + timedelta(days=rng.randrange(4000)),
                address=fake.address(),
                postcode=fake.postcode(),
            )
            session.add(child)
            session.flush()
            worker = rng.choice(workers)
            opened = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
            closed = opened + timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.3 else None
            case_file = CaseFile(
                child_id=child.id,
                team_id=worker.team_id,
                worker_id=worker.id if rng.random() < 0.9 else None,
                current_stage=rng.choice(STAGES),
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                opened_on=opened,
                closed_on=closed,
            )
            session.add(case_file)
            session.flush()
            day = opened
            for stage in rng.sample(STAGES, rng.randrange(1, 4)):
                done = day + timedelta(days=rng.randrange(1, 40))
                session.add(
                    PathwayEvent(
                        case_file_id=case_file.id,
                        stage=stage,
                        started_on=day,
                        completed_on=done,
                        outcome=rng.choice([Outcome.PROCEEDED, Outcome.DID_NOT_PROCEED]),
                    )
                )
                day = done


def identity_texts(db: Database) -> dict[int, set[str]]:
    """For each case file, the identifying strings of its child that must never be shown.

    Full names (both orders), postcode and the first line of the address. Single given or
    family names are left out (a worker can share one with a child without any leak), and so is
    the date of birth (a case can open on the day a child is born); that no date of birth is
    read at all is checked on ``CaseRow``'s fields.
    """
    found: dict[int, set[str]] = {}
    with db.session() as session:
        rows = session.execute(
            select(CaseFile.id, ChildIdentity).join(
                ChildIdentity, ChildIdentity.child_id == CaseFile.child_id
            )
        ).all()
        for case_file_id, identity in rows:
            texts = {
                identity.full_name,
                f"{identity.family_name}, {identity.given_name}",
                identity.postcode,
                identity.address.splitlines()[0] if identity.address else "",
            }
            found[case_file_id] = {text for text in texts if text and len(text) > 4}
    return found


def child_full_names(db: Database) -> set[str]:
    """Every child's full name, in both orders."""
    with db.session() as session:
        return {
            text
            for identity in session.scalars(select(ChildIdentity))
            for text in (
                identity.full_name,
                f"{identity.family_name}, {identity.given_name}",
            )
            if identity.given_name and identity.family_name
        }


# -- pytest fixtures shared by the GUI shell tests (import them into the test module) -------


@pytest.fixture
def isolated_settings(tmp_path, qapp):
    """QSettings in a temporary folder, so tests neither read nor write the user's."""
    QCoreApplication.setOrganizationName("caseaudit-tests")
    QCoreApplication.setApplicationName("caseaudit-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    yield tmp_path / "qs"


def _populated_file(folder: Path, count: int, is_demo: bool) -> Path:
    path = folder / f"cases-{count}-{'demo' if is_demo else 'real'}.sqlite"
    db = open_database(path)
    try:
        if is_demo:
            populate(db, count)  # the demo's own generator when it exists
        else:
            _generate(db, count, is_demo=False, seed=11)
        sync_builtin_templates(db)
    finally:
        db.close()
    return path


@pytest.fixture(scope="session")
def _populated_templates(tmp_path_factory) -> dict[bool, Path]:
    folder = tmp_path_factory.mktemp("populated")
    return {True: _populated_file(folder, 300, True), False: _populated_file(folder, 120, False)}


def _copy_open(source: Path, target: Path) -> Database:
    shutil.copyfile(source, target)
    return open_database(target)


@pytest.fixture
def cases_db(tmp_path, _populated_templates) -> Iterator[Database]:
    """A SQLite file with 300 synthetic demo case files and the built-in templates."""
    db = _copy_open(_populated_templates[True], tmp_path / "cases.sqlite")
    yield db
    db.close()


@pytest.fixture
def real_db(tmp_path, _populated_templates) -> Iterator[Database]:
    """Like ``cases_db`` but 120 case files of a non-demo organisation."""
    db = _copy_open(_populated_templates[False], tmp_path / "real.sqlite")
    yield db
    db.close()


@pytest.fixture
def runner_errors() -> list[tuple[BaseException, str]]:
    return []


def _make_context(db: Database, errors: list, *, synchronous: bool = True):
    """A ``ShellContext`` on ``db`` with a runner whose errors are collected, not shown."""
    from caseaudit.services.cases import database_overview
    from caseaudit.ui.context import ShellContext
    from caseaudit.ui.runner import Runner

    runner = Runner(synchronous=synchronous)
    runner.error_handler = lambda exc, label: errors.append((exc, label))
    return ShellContext(db, runner, database_overview(db), None)


@pytest.fixture
def make_window(qtbot, isolated_settings, runner_errors):
    """Build a ``MainWindow`` on a database (synchronous runner; errors collected)."""
    from caseaudit.ui.mainwindow import MainWindow

    made = []

    def build(db: Database, *, resize: bool = True, **kwargs):
        context = _make_context(db, runner_errors)
        window = MainWindow(context, **kwargs)
        context.runner.error_handler = lambda exc, label: runner_errors.append((exc, label))
        qtbot.addWidget(window)
        if resize:
            window.resize(1200, 800)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        made.append(window)
        return window

    yield build
    for window in made:
        window.context.runner.shutdown()


@pytest.fixture
def make_context(runner_errors):
    """Build a ``ShellContext`` on a database: ``make_context(db, synchronous=True)``."""
    made = []

    def build(db: Database, *, synchronous: bool = True):
        context = _make_context(db, runner_errors, synchronous=synchronous)
        made.append(context)
        return context

    yield build
    for context in made:
        context.runner.shutdown()


@pytest.fixture
def case_helpers():
    """The module's plain helpers, for tests that need them (``generate``, ``identity_texts``)."""
    return SimpleNamespace(
        generate=_generate,
        populate=populate,
        identity_texts=identity_texts,
        child_full_names=child_full_names,
    )
