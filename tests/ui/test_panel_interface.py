"""Features get a declared interface (`ui.panel.PanelContext`), not the window: no module of the
UI but the window's own sets attributes on it or looks into it by name, and what the window shows
and answers (`Shown`, `Navigation`) follows the window."""

from __future__ import annotations

import ast
from pathlib import Path

import briefing.ui

UI = Path(briefing.ui.__file__).parent
WINDOW_NAMES = {"window", "window_", "_window", "main_window"}


def _names_a_window(node: ast.AST) -> bool:
    """`window`, `self.window`, `self.window_`... (not `context.window`: that is a QWidget)."""
    if isinstance(node, ast.Name):
        return node.id in WINDOW_NAMES
    return (
        isinstance(node, ast.Attribute)
        and node.attr in WINDOW_NAMES
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def test_no_feature_sets_attributes_on_the_window_or_looks_into_it_by_name():
    found = []
    for path in sorted(UI.glob("*.py")):
        if path.name in ("main_window.py", "app.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and _names_a_window(target.value):
                        found.append(f"{path.name}:{node.lineno} sets {target.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and node.args
                and _names_a_window(node.args[0])
            ):
                found.append(f"{path.name}:{node.lineno} {node.func.id} on the window")
    assert not found, found


def test_no_feature_takes_the_window_itself():
    """Constructors and functions take a `context` (or a panel), never a parameter `window`."""
    found = []
    for path in sorted(UI.glob("*.py")):
        if path.name in ("main_window.py", "app.py", "shortcuts.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if WINDOW_NAMES & set(names):
                    found.append(f"{path.name}:{node.lineno} {node.name}")
    assert not found, found


def test_shown_follows_the_window_and_navigation_moves_it(window, qtbot):
    shown = window.context.shown
    assert shown.topic_id == window.topic_id and shown.topic_id is not None
    assert shown.card_ids == tuple(window.cards.ids())
    assert window.select_stakeholder("IBM")
    assert shown.stakeholder_name == "IBM"
    assert shown.stakeholder_id == window.selected_stakeholder_id()
    changed = []
    shown.card_changed.connect(changed.append)
    other = next(card for card in shown.card_ids if card != shown.stakeholder_id)
    window.context.navigation.card_requested.emit(other)
    assert window.selected_stakeholder_id() == other == shown.stakeholder_id
    assert changed == [other]
    assert shown.selected_ids == (other,)

    # A tab asked for is shown, the side panel with it.
    window.toggle_detail.setChecked(False)
    window._on_toggle_detail(False)
    window.context.navigation.tab_requested.emit(window.notes_panel, False)
    assert window.side_tabs.isVisible() and window.side_tabs.currentWidget() is window.notes_panel
    assert window.toggle_detail.isChecked()
