"""The template library services and the ``caseaudit templates`` commands, on real databases."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseaudit import paths
from caseaudit.cli import main
from caseaudit.errors import NotFound, ValidationError
from caseaudit.models import (
    Audit,
    AuditTemplate,
    CaseFile,
    Child,
    TemplateVersion,
    User,
)
from caseaudit.services.templates import (
    get_definition,
    import_template,
    import_template_file,
    list_templates,
    sync_builtin_templates,
    version_key,
)
from caseaudit.templating import TemplateInvalid, load_template_file
from caseaudit.vocabulary import PathwayStage, UserRole

DATA = Path(__file__).parent / "data" / "templates"
CP = "cp-visits.yaml"
LAC = "lac-review-2009.yaml"


@pytest.fixture
def builtins(tmp_path) -> Path:
    """A folder of 'built-in' templates: copies of the test fixtures."""
    folder = tmp_path / "builtin"
    folder.mkdir()
    for name in (CP, LAC):
        shutil.copy(DATA / name, folder / name)
    return folder


def count_versions(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(TemplateVersion.id)))


def test_sync_is_idempotent(database, builtins):
    first = sync_builtin_templates(database, builtins)
    assert sorted(first.added) == ["cp-visits-test 1.0", "lac-review-2009-test 2.1"]
    assert first.unchanged == []
    second = sync_builtin_templates(database, builtins)
    assert second.added == [] and sorted(second.unchanged) == sorted(first.added)
    assert count_versions(database) == 2
    with database.session() as s:
        templates = s.scalars(select(AuditTemplate).order_by(AuditTemplate.key)).all()
        assert [(t.key, t.builtin) for t in templates] == [
            ("cp-visits-test", True),
            ("lac-review-2009-test", True),
        ]
        version = s.scalars(select(TemplateVersion).where(TemplateVersion.version == "1.0")).one()
        assert version.scale == "ofsted-sif" and version.question_count == 13
        assert version.source_text == (builtins / CP).read_text(encoding="utf-8")
        assert len(version.sha256) == 64


def test_changed_content_without_a_new_version_is_refused(database, builtins):
    sync_builtin_templates(database, builtins)
    path = builtins / CP
    path.write_text(
        path.read_text(encoding="utf-8").replace("Was the child seen alone?", "Seen alone?"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        sync_builtin_templates(database, builtins)
    message = caught.value.message
    assert "cp-visits-test" in message and "1.0" in message
    assert "version" in message and '"1.1"' in message and "Nothing was changed" in message
    assert count_versions(database) == 2

    path.write_text(
        path.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'),
        encoding="utf-8",
    )
    assert sync_builtin_templates(database, builtins).added == ["cp-visits-test 1.1"]
    rows = [s for s in list_templates(database) if s.key == "cp-visits-test"]
    assert [(s.version, s.is_latest) for s in rows] == [("1.1", True), ("1.0", False)]


def test_comment_only_change_is_not_a_new_version(sqlite_database, builtins):
    sync_builtin_templates(sqlite_database, builtins)
    path = builtins / CP
    path.write_text("# reformatted\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert sync_builtin_templates(sqlite_database, builtins).added == []


def test_an_invalid_builtin_stops_the_whole_sync(sqlite_database, builtins):
    (builtins / "broken.yaml").write_text("id: Broken\nversion: '1'\n", encoding="utf-8")
    (builtins / "also-broken.yaml").write_text("- a list\n", encoding="utf-8")
    with pytest.raises(TemplateInvalid) as caught:
        sync_builtin_templates(sqlite_database, builtins)
    files = {p.file for p in caught.value.problems}
    assert files == {"builtin/broken.yaml", "builtin/also-broken.yaml"}
    assert len(caught.value.problems) > 2
    assert count_versions(sqlite_database) == 0  # the valid files were not loaded either


def test_two_builtins_with_the_same_id_and_version(sqlite_database, builtins):
    shutil.copy(builtins / CP, builtins / "copy.yaml")
    with pytest.raises(TemplateInvalid, match="problem"):
        sync_builtin_templates(sqlite_database, builtins)


def test_import_list_and_get_definition(database, builtins, tmp_path):
    sync_builtin_templates(database, builtins / "..")  # no yaml directly in tmp_path: nothing
    assert list_templates(database) == []
    local = tmp_path / "local.yaml"
    local.write_text(
        (DATA / CP).read_text(encoding="utf-8").replace("id: cp-visits-test", "id: local-visits"),
        encoding="utf-8",
    )
    summary = import_template_file(database, local)
    assert (summary.key, summary.version, summary.builtin) == ("local-visits", "1.0", False)
    assert (summary.section_count, summary.question_count, summary.rule_count) == (4, 13, 4)
    assert summary.scale_key == "ofsted-sif" and "Requires improvement" in summary.scale_label
    assert summary.pathways == ["cp_plan", "icpc"] and summary.audit_count == 0
    again = import_template(database, local)
    assert again.added is False and again.summary == summary
    definition = get_definition(database, summary.template_version_id)
    assert definition == load_template_file(local)
    with pytest.raises(NotFound):
        get_definition(database, summary.template_version_id + 1000)

    sync_builtin_templates(database, builtins)
    titles = [s.title for s in list_templates(database)]
    assert titles == sorted(titles, key=str.casefold)
    assert {s.key for s in list_templates(database)} == {
        "local-visits",
        "cp-visits-test",
        "lac-review-2009-test",
    }


def test_importing_over_a_builtin_template_is_refused(sqlite_database, builtins):
    sync_builtin_templates(sqlite_database, builtins)
    with pytest.raises(ValidationError, match="built-in"):
        import_template_file(sqlite_database, DATA / CP)


def test_importing_an_invalid_file_lists_its_problems(sqlite_database, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: '1'\n", encoding="utf-8")
    with pytest.raises(TemplateInvalid) as caught:
        import_template_file(sqlite_database, bad)
    assert {p.message for p in caught.value.problems} >= {
        "'title' is missing",
        "'scale' is missing",
    }
    assert count_versions(sqlite_database) == 0


def test_audit_count(sqlite_database, builtins):
    sync_builtin_templates(sqlite_database, builtins)
    with sqlite_database.session() as s:
        version = s.scalars(select(TemplateVersion).where(TemplateVersion.version == "2.1")).one()
        child = Child(external_id="X1", case_key="C-0001")
        case = CaseFile(
            child=child, current_stage=PathwayStage.LAC_REVIEW, opened_on=date(2026, 1, 5)
        )
        user = User(
            username="auditor", display_name="Auditor", role=UserRole.AUDITOR, password_hash="x"
        )
        s.add_all([child, case, user])
        s.flush()
        s.add(Audit(case_file_id=case.id, template_version_id=version.id, auditor_user_id=user.id))
    counts = {s.key: s.audit_count for s in list_templates(sqlite_database)}
    assert counts == {"lac-review-2009-test": 1, "cp-visits-test": 0}


def test_version_key_orders_numbers_numerically():
    assert sorted(["1.10", "1.9", "2.0", "1.9.1"], key=version_key) == [
        "1.9",
        "1.9.1",
        "1.10",
        "2.0",
    ]


# -- the command line ------------------------------------------------------------------------


def test_cli_validate_needs_no_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CASEAUDIT_DATA_DIR", str(tmp_path / "data"))
    db_path = tmp_path / "never.sqlite"
    assert main(["--db", str(db_path), "templates", "validate", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert f"OK {DATA / CP} (cp-visits-test 1.0, 13 questions)" in out
    assert "2 of 2 template files are valid." in out
    assert not db_path.exists()
    assert not (tmp_path / "data" / paths.DEMO_DB_NAME).exists()


def test_cli_validate_prints_every_problem_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nversion: '1'\ntitle: Bad\ntheme: x\nscale: sif\npathways: [nowhere]\n"
        "sections: []\n",
        encoding="utf-8",
    )
    assert main(["templates", "validate", str(DATA / CP), str(bad), str(tmp_path / "gone")]) == 1
    out = capsys.readouterr().out
    assert f"INVALID {bad} (3 problems):" in out
    assert f"{bad}:5: template: The scale 'sif'" in out
    assert f"{bad}:6: template: 'nowhere' is not a pathway stage" in out
    assert "there is no file or folder" in out
    assert "1 of 3 template files are valid." in out


def test_cli_list_and_import(tmp_path, capsys, monkeypatch, builtins):
    monkeypatch.setattr(paths, "builtin_templates_dir", lambda: builtins)
    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "--unencrypted", "testing", "templates", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["Title", "Id", "Version"]
    assert "cp-visits-test" in out and "lac-review-2009-test" in out and "built-in" in out
    local = tmp_path / "mine.yaml"
    local.write_text(
        (DATA / LAC).read_text(encoding="utf-8").replace("id: lac-review-2009-test", "id: mine"),
        encoding="utf-8",
    )
    assert main(["--db", db, "templates", "import", str(local)]) == 0
    assert capsys.readouterr().out.startswith("Added mine 2.1")
    assert main(["--db", db, "templates", "import", str(local)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["--db", db, "templates", "import", str(builtins / CP)]) == 1
    assert "built-in" in capsys.readouterr().err
