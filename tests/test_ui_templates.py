"""The Templates area with real widgets on a database holding the built-in templates.

The list must show what ``list_templates`` returns, filter and sort, pass ``qtmodeltester`` (the
model and its proxy), and show the selected template's sections, questions, guidance and rules.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from caseaudit.services.templates import get_definition, list_templates
from caseaudit.templating import TemplateDefinition
from caseaudit.ui.templates_model import TemplatesTableModel, definition_html
from caseaudit.ui.templates_view import TemplatesView

pytest_plugins = ("tests.shell_fixtures",)
pytestmark = pytest.mark.gui


@pytest.fixture
def templates_view(qtbot, cases_db, make_context, isolated_settings, runner_errors):
    view = TemplatesView(make_context(cases_db))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    yield view
    assert runner_errors == []


def titles(view: TemplatesView) -> list[str]:
    return [view.proxy.index(row, 0).data() for row in range(view.proxy.rowCount())]


def test_lists_the_synced_templates(templates_view, cases_db):
    expected = list_templates(cases_db)
    assert len(expected) >= 3
    assert templates_view.model.rowCount() == len(expected)
    assert titles(templates_view) == [t.title for t in expected]
    assert templates_view.count_label.text() == f"{len(expected)} template versions"
    assert templates_view.list_stack.currentWidget() is templates_view.table


def test_selecting_shows_sections_questions_and_rules(templates_view, cases_db):
    summary = list_templates(cases_db)[0]
    definition = get_definition(cases_db, summary.template_version_id)
    assert templates_view.select_template(summary.template_version_id)
    text = templates_view.detail.toPlainText()
    assert definition.title in text
    for section in definition.sections:
        assert section.title in text
        for question in section.questions:
            assert question.text in text
    if definition.rules:
        assert "Limiting rules" in text
        assert definition.rules[0].explain.split()[0] in text
    templates_view.table.clearSelection()
    assert "Select a template" in templates_view.detail.toPlainText()


def test_filter_narrows_the_list(templates_view, cases_db, qtbot):
    wanted = list_templates(cases_db)[1]
    word = wanted.title.split()[0]
    qtbot.keyClicks(templates_view.search, word)
    shown = titles(templates_view)
    assert wanted.title in shown
    assert len(shown) < templates_view.model.rowCount()
    assert all(
        word.lower()
        in " ".join(str(templates_view.proxy.index(r, c).data()) for c in range(10)).lower()
        for r in range(templates_view.proxy.rowCount())
    )
    assert templates_view.count_label.text().startswith(f"{len(shown)} of ")


def test_sorting_by_questions(templates_view):
    templates_view.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    counts = [
        int(templates_view.proxy.index(r, 6).data()) for r in range(templates_view.proxy.rowCount())
    ]
    assert counts == sorted(counts, reverse=True)


def test_models_pass_the_model_tester(templates_view, qtmodeltester):
    qtmodeltester.check(templates_view.model)
    qtmodeltester.check(templates_view.proxy)
    qtmodeltester.check(TemplatesTableModel())


def test_an_empty_library_says_how_templates_arrive(
    qtbot, sqlite_database, make_context, isolated_settings, runner_errors
):
    view = TemplatesView(make_context(sqlite_database))
    qtbot.addWidget(view)
    assert view.list_stack.currentWidget() is view.empty
    assert "built-in templates" in view.empty.text.text()
    assert runner_errors == []


def test_definition_html_escapes_and_explains():
    definition = TemplateDefinition.from_json(
        {
            "id": "t",
            "version": "1.0",
            "title": "Visits <b>and</b> voice",
            "theme": "Voice",
            "scale": "ofsted-sif",
            "pathways": ["cp_plan"],
            "sections": [
                {
                    "id": "s1",
                    "title": "Child seen & heard",
                    "guidance": "Look at visits",
                    "questions": [
                        {"id": "q1", "text": "Seen alone?", "type": "yes_no", "guidance": "G"}
                    ],
                }
            ],
            "rules": [
                {
                    "id": "r1",
                    "type": "cap_by_section",
                    "section": "s1",
                    "explain": "Overall cannot beat visits",
                }
            ],
        }
    )
    html = definition_html(None, definition)
    assert "&lt;b&gt;and&lt;/b&gt;" in html
    assert "Child seen &amp; heard" in html
    assert "Child protection plan" in html  # pathway label, not the stored value
    assert "Yes / no" in html and "Overall cannot beat visits" in html
