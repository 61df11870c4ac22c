"""``DeferredReload``: a view reloads at once when visible, and once when next shown otherwise."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QStackedWidget, QWidget

from caseaudit.ui.deferred import DeferredReload

pytestmark = pytest.mark.gui


def _pages(qtbot) -> tuple[QStackedWidget, QWidget, QWidget]:
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    shown, other = QWidget(stack), QWidget(stack)
    stack.addWidget(shown)
    stack.addWidget(other)
    stack.show()
    return stack, shown, other


def test_a_visible_view_reloads_at_once(qtbot):
    _stack, shown, _other = _pages(qtbot)
    reloads: list[int] = []
    deferred = DeferredReload(shown, lambda: reloads.append(1))
    deferred.request()
    deferred.request()
    assert reloads == [1, 1]
    assert not deferred.pending


def test_a_hidden_view_reloads_once_when_shown(qtbot):
    stack, shown, other = _pages(qtbot)
    reloads: list[int] = []
    deferred = DeferredReload(other, lambda: reloads.append(1))
    for _ in range(3):
        deferred.request()
    assert reloads == []
    assert deferred.pending
    stack.setCurrentWidget(other)
    assert reloads == [1]
    assert not deferred.pending
    stack.setCurrentWidget(shown)
    stack.setCurrentWidget(other)  # shown again with nothing waiting: no reload
    assert reloads == [1]


def test_a_cancelled_reload_is_not_done(qtbot):
    stack, _shown, other = _pages(qtbot)
    reloads: list[int] = []
    deferred = DeferredReload(other, lambda: reloads.append(1))
    deferred.request()
    deferred.cancel()
    stack.setCurrentWidget(other)
    assert reloads == []
