"""Editing from the window: forms that explain, undo and redo, and the comparison matrix."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget
from sqlalchemy import func, select

from briefing.cli import main
from briefing.core.undo import dump
from briefing.store.models import Quote, Source, Stakeholder
from briefing.ui import forms
from briefing.ui.compare import CellRole, ComparisonModel, open_comparison
from briefing.ui.editing import Editing

T = "Shop-floor facial recognition"


@pytest.fixture
def fill(monkeypatch, qtbot):
    """Answer the next forms as a user would: `fill.append(function_of_the_form)`."""
    pending = []

    def exec_form(form) -> bool:
        qtbot.waitUntil(
            lambda: not getattr(form, "loading", False)
        )  # the user acts on the filled form
        handler = pending.pop(0)
        accepted = handler(form) is not False
        return accepted and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    return pending


def state(store):
    with store.reading() as session:
        return dump(session)


def card(window, name):
    return next(
        window.cards.card(r)
        for r in range(window.cards.rowCount())
        if window.cards.card(r).name == name
    )


def test_forms_say_what_is_wrong_as_the_user_types(qtbot, demo_store, tmp_path):
    form = forms.TopicForm(demo_store)
    qtbot.addWidget(form)
    form.show()
    assert not form.ok.isEnabled() and "needs a name" in form.status.text()
    form.name.setText("police use of FACIAL recognition")
    assert not form.ok.isEnabled() and "already a topic" in form.status.text()
    form.name.setText(T)
    assert form.ok.isEnabled() and form.status.text() == "Ready."
    form.grab().save(str(tmp_path / "form-topic.png"))

    form = forms.StakeholderForm(demo_store)
    qtbot.addWidget(form)
    form.show()
    form.name.setText("ibm")
    assert "already a stakeholder named 'IBM'" in form.status.text()
    assert not form.ok.isEnabled()
    form.grab().save(str(tmp_path / "form-stakeholder-error.png"))
    form.name.setText("Southern Co-op")
    form.influence.setValue(4)
    assert form.ok.isEnabled()
    form.grab().save(str(tmp_path / "form-stakeholder.png"))

    form = forms.PositionForm("IBM", "opposes", dt.date(2024, 1, 1))
    qtbot.addWidget(form)
    form.show()
    form.summary.setPlainText("Sells again.")
    form.as_of.setText("2023-02-30")
    assert "'2023-02-30' is not a date" in form.status.text() and not form.ok.isEnabled()
    form.as_of.setText("2024-02-01")
    assert "in the future" in form.status.text()
    form.grab().save(str(tmp_path / "form-position-error.png"))
    form.as_of.setText("2023-12-01")
    assert form.ok.isEnabled()

    form = forms.EventForm([("IBM", 1)], [])
    qtbot.addWidget(form)
    form.show()
    form.title.setText("Trial starts")
    form.date.setText("2020-13")
    assert "is not a date" in form.status.text() and not form.ok.isEnabled()
    form.date.setText("2020-09")
    assert form.ok.isEnabled()
    assert form.values().precision == "month"
    for widget in form.findChildren(QWidget):
        if isinstance(widget, QComboBox | QAbstractButton) and not isinstance(widget, QLabel):
            assert widget.accessibleName() or widget.toolTip(), widget


def test_the_card_shows_a_later_position_and_undo_redo_bring_it_back_and_forth(window, fill):
    window.select_stakeholder("IBM")
    before = card(window, "IBM")

    def later(form):
        form.stance.setCurrentIndex(form.stance.findData("supports"))
        form.as_of.setText("2024-05-01")
        form.summary.setPlainText("Now sells to police again.")

    fill.append(later)
    window.editing.set_position()
    after = card(window, "IBM")
    assert (after.stance, after.as_of) == ("supports", dt.date(2024, 5, 1))
    assert f"as of {before.as_of.day} {before.as_of:%B %Y}" in window.detail.toPlainText()
    assert window.undo_action.text() == "&Undo Set position of IBM"
    window.undo_action.trigger()
    assert card(window, "IBM").stance == before.stance
    window.redo_action.trigger()
    assert card(window, "IBM").stance == "supports"


def test_deleting_a_stakeholder_says_what_goes_and_asks(window, monkeypatch, demo_store):
    asked = []
    monkeypatch.setattr(
        Editing, "ask", staticmethod(lambda parent, title, text: asked.append(text) or False)
    )
    window.select_stakeholder("IBM")
    before = state(demo_store)
    window.editing.delete_stakeholder()
    assert "Deleted with it:" in asked[0] and "answers" in asked[0]
    assert "lose their speaker" in asked[0]
    assert state(demo_store) == before
    monkeypatch.setattr(Editing, "ask", staticmethod(lambda parent, title, text: True))
    window.editing.delete_stakeholder()
    assert "IBM" not in [window.cards.card(r).name for r in range(window.cards.rowCount())]
    window.undo_action.trigger()
    assert state(demo_store) == before


def _quote_for(store, speaker: str, text: str) -> int:
    """A quote by `speaker` in a stored source (importing sources is another feature)."""
    with store.writing() as session:
        source = Source(
            title="Shop-floor report", publisher="Test News", text=text, sha256="0" * 64
        )
        session.add(source)
        session.flush()
        speaker_id = session.query(Stakeholder.id).filter_by(name=speaker).scalar()
        quote = Quote(source_id=source.id, start=0, end=len(text), text=text, speaker_id=speaker_id)
        session.add(quote)
        session.flush()
        return quote.id


def test_a_new_users_story_in_the_window(window, fill, demo_store, tmp_path, monkeypatch, capsys):
    """Create a topic with three stakeholders, give each a stance and quote-backed answers to
    two questions, compare them, change one stance with a later date, undo it, redo it."""
    fill.append(lambda f: f.name.setText(T))
    window.editing.new_topic()
    assert window.topics.currentText() == T

    def stakeholder(name, kind):
        def answer(form):
            form.name.setText(name)
            form.kind.setCurrentIndex(form.kind.findData(kind))

        return answer

    fill.append(stakeholder("Southern Co-op", "company"))
    window.editing.new_stakeholder()
    fill.append(stakeholder("Big Brother Watch", "ngo"))
    window.editing.new_stakeholder()
    fill.append(lambda f: f.choice.setCurrentIndex(f.choice.findText("Information Commissioner")))
    window.editing.link_stakeholder()
    names = [window.cards.card(r).name for r in range(window.cards.rowCount())]
    assert sorted(names) == ["Big Brother Watch", "Information Commissioner", "Southern Co-op"]

    stances = {
        "Southern Co-op": "supports",
        "Big Brother Watch": "opposes",
        "Information Commissioner": "conditional",
    }
    for name, stance in stances.items():
        window.select_stakeholder(name)

        def position(form, stance=stance):
            form.stance.setCurrentIndex(form.stance.findData(stance))
            form.as_of.setText("2023-03-01")
            form.summary.setPlainText(f"{stance.capitalize()} live facial recognition in shops.")

        fill.append(position)
        window.editing.set_position()
    assert {n: card(window, n).stance for n in stances} == stances

    quotes = {
        "Southern Co-op": _quote_for(demo_store, "Southern Co-op", "We use it to keep staff safe."),
        "Big Brother Watch": _quote_for(demo_store, "Big Brother Watch", "It is Orwellian."),
        "Information Commissioner": _quote_for(
            demo_store, "Information Commissioner", "It may be lawful with safeguards."
        ),
    }
    window.grid.selectAll()
    compare = open_comparison(window.context)
    assert compare is not None
    for text in ("Uses facial recognition in shops?", "Supports a ban?"):
        fill.append(lambda f, text=text: f.text.setText(text))
        compare.add_question()
    model = compare.model
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    answers = {"Southern Co-op": ("yes", "no"), "Big Brother Watch": ("no", "yes")}
    answers["Information Commissioner"] = ("partly", "no")
    for column in range(model.columnCount()):
        name = model.headerData(column, Qt.Orientation.Horizontal)
        for row, answer in enumerate(answers[name]):
            index = model.index(row, column)
            assert model.setData(index, answer, Qt.ItemDataRole.EditRole)
            assert "unsupported" in model.index(row, column).data()
            compare.view.setCurrentIndex(model.index(row, column))
            position = compare.quote_choice.findData(quotes[name])
            compare.quote_choice.setCurrentIndex(position)
            assert compare.use_quote.isEnabled()
            compare.use_quote.click()
    for row in range(2):
        for column in range(3):
            cell = model.index(row, column).data(CellRole)
            assert cell.supported and cell.quote.citation.startswith("Shop-floor report")
    compare.view.setCurrentIndex(model.index(0, 1))
    assert "Shop-floor report" in compare.quote.toPlainText()
    compare.grab().save(str(tmp_path / "story-matrix.png"))

    window.select_stakeholder("Southern Co-op")

    def later(form):
        form.stance.setCurrentIndex(form.stance.findData("unclear"))
        form.as_of.setText("2024-01-15")
        form.summary.setPlainText("Paused its trial.")

    fill.append(later)
    window.editing.set_position()
    assert card(window, "Southern Co-op").stance == "unclear"
    assert "as of 1 March 2023" in window.detail.toPlainText()  # the earlier one is listed
    window.undo_action.trigger()
    assert card(window, "Southern Co-op").stance == "supports"
    window.redo_action.trigger()
    assert card(window, "Southern Co-op").stance == "unclear"
    window.grab().save(str(tmp_path / "story-window.png"))


def test_the_matrix_passes_the_model_tester_and_agrees_with_compare_json(
    window, qtmodeltester, demo_path, capsys, tmp_path, monkeypatch
):
    chosen = ["IBM", "Amazon", "ACLU", "Microsoft"]
    for row in range(window.cards.rowCount()):
        if window.cards.card(row).name in chosen:
            window.grid.selectionModel().select(
                window.cards.index(row, 0), window.grid.selectionModel().SelectionFlag.Select
            )
    compare = open_comparison(window.context)
    model = compare.model
    qtmodeltester.check(model)
    shown = {
        model.headerData(c, Qt.Orientation.Horizontal): [
            model.index(r, c).data() for r in range(model.rowCount())
        ]
        for c in range(model.columnCount())
    }
    assert sorted(shown) == sorted(chosen)
    columns = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    ids = ",".join(columns)
    capsys.readouterr()
    assert (
        main(["--db", str(demo_path), "compare", "--topic", "1", "--stakeholders", ids, "--json"])
        == 0
    )
    table = json.loads(capsys.readouterr().out)
    for name, words in shown.items():
        assert words == [q["answers"][name]["word"] for q in table["questions"]]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] == [
        q["text"] for q in table["questions"]
    ]

    # Colour and word together; the citation on hover; unsupported answers say so.
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            cell = index.data(CellRole)
            if cell.answer is not None:
                assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
                if cell.supported:
                    assert cell.quote.citation in index.data(Qt.ItemDataRole.ToolTipRole)
                else:
                    assert index.data().endswith("(unsupported)")

    # Edited in place with the delegate's combo, then undone.
    compare.show()
    index = model.index(0, 0)
    compare.view.setCurrentIndex(index)
    compare.view.edit(index)
    editors = [w for w in compare.view.findChildren(QComboBox) if w.accessibleName() == "Answer"]
    assert len(editors) == 1
    old = index.data(Qt.ItemDataRole.EditRole)
    new = "partly" if old != "partly" else "yes"
    editors[0].setCurrentIndex(editors[0].findData(new))
    compare.view.commitData(editors[0])
    assert model.index(0, 0).data(Qt.ItemDataRole.EditRole) == new
    window.undo_action.trigger()
    assert model.index(0, 0).data(Qt.ItemDataRole.EditRole) == old
    qtmodeltester.check(model)

    # Another speaker's quote cannot back the answer, and the panel says why.
    compare.view.setCurrentIndex(model.index(0, columns.index("IBM")))
    aclu_quote = next(
        i for i in range(compare.quote_choice.count())
        if compare.quote_choice.itemText(i).startswith("ACLU:")
    )  # fmt: skip
    compare.quote_choice.setCurrentIndex(aclu_quote)
    assert "not by IBM" in compare.quote_problem.text()
    assert not compare.use_quote.isEnabled()

    # Copy and CSV give the same table the model shows.
    compare.copy_table()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0].split("\t")[1:] == list(shown)
    target = tmp_path / "comparison.csv"
    monkeypatch.setattr(type(compare), "csv_path", staticmethod(lambda parent, s: str(target)))
    compare.save_csv()
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0][1:] == list(shown) and rows[1][1] == shown[rows[0][1]][0]
    compare.resize(1100, 420)
    compare.view.setCurrentIndex(model.index(1, 0))
    compare.grab().save(str(tmp_path / "matrix.png"))


def test_a_matrix_model_without_topic_is_empty(qtmodeltester, window):
    window.topic_id = None
    model = ComparisonModel(window.context, [])
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_the_matrix_follows_deletes_and_their_undo(window, monkeypatch, qtmodeltester):
    asked = []
    monkeypatch.setattr(
        Editing, "ask", staticmethod(lambda parent, title, text: asked.append(text) or True)
    )
    window.select_stakeholder("IBM")
    window.grid.selectAll()
    monkeypatch.setattr(Editing, "exec_form", staticmethod(lambda form: True))
    compare = open_comparison(window.context)  # 12 selected: the picker keeps the first six
    model = compare.model
    assert model.columnCount() == 6
    columns = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    window.select_stakeholder("IBM")
    window.editing.delete_stakeholder()
    assert "IBM" not in [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    window.undo_action.trigger()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == columns
    window.editing.delete_topic()
    assert "4 questions" in asked[-1] and "sources stay" in asked[-1]
    assert asked[-1].endswith("You can undo this.")
    assert model.rowCount() == 0 and model.columnCount() == 0
    qtmodeltester.check(model)
    assert window.undo_action in compare.actions()  # Ctrl+Z works in the matrix's window too
    window.undo_action.trigger()
    assert model.rowCount() == 4 and model.columnCount() == 6


def test_history_tab_edits_positions_and_events_with_undo(window, fill, demo_store, tmp_path):
    history = window.history
    window.side_tabs.setCurrentWidget(history)
    window.select_stakeholder("IBM")
    assert history.positions_box.title() == "Positions of IBM"
    before = state(demo_store)
    events = history.events.count()

    def new_event(form):
        form.title.setText("IBM writes to Congress")
        form.date.setText("2020-06")

    fill.append(new_event)
    history.new_event.click()
    assert history.events.count() == events + 1
    row = next(
        r for r in range(history.events.count()) if "Congress" in history.events.item(r).text()
    )
    assert history.events.item(row).text().startswith("June 2020: IBM writes to Congress — IBM")
    history.events.setCurrentRow(row)

    def edit_event(form):
        assert form.date.text() == "2020-06"
        form.date.setText("2020-06-08")

    fill.append(edit_event)
    history.edit_event.click()
    assert any(
        history.events.item(r).text().startswith("8 June 2020: IBM writes")
        for r in range(history.events.count())
    )
    history.positions.setCurrentRow(0)
    positions = history.positions.count()
    history.delete_position.click()
    assert history.positions.count() == positions - 1
    window.grab().save(str(tmp_path / "history-tab.png"))
    for _ in range(3):
        window.undo_action.trigger()
    assert state(demo_store) == before
    assert history.positions.count() == positions and history.events.count() == events


def test_an_undo_that_would_lose_a_later_change_says_so_and_changes_nothing(
    window, fill, demo_store, monkeypatch
):
    from briefing.core.changes import Changes
    from briefing.store.models import Note
    from briefing.ui import editing as editing_ui

    warned = []
    monkeypatch.setattr(editing_ui, "warn", lambda parent, title, text: warned.append(title + text))
    fill.append(lambda f: f.name.setText("Facewatch"))
    window.editing.new_stakeholder()
    made = window.selected_stakeholder_id()

    def note(session):  # as a note saving itself would: run, not pushed
        session.add(Note(body="Sells to shops", stakeholder_id=made))
        return Changes.of("note")

    window.operations.run(note)
    before = state(demo_store)
    stack = window.operations.undo_stack
    index = stack.index()
    window.undo_action.trigger()
    assert state(demo_store) == before
    assert warned and "Undo New stakeholder" in warned[0] and "notes" in warned[0]
    # The refused step is still the one Edit > Undo offers: the stack did not move past it.
    assert stack.index() == index
    assert window.undo_action.text() == "&Undo New stakeholder"
    assert "refused" in window.statusBar().currentMessage()
    window.undo_action.trigger()  # asked again, it refuses again
    assert state(demo_store) == before and stack.index() == index and len(warned) == 2

    def unnote(session):  # the user deletes the note: now the undo can go ahead
        session.query(Note).filter_by(stakeholder_id=made).delete()
        return Changes.of("note")

    window.operations.run(unnote)
    window.undo_action.trigger()
    assert stack.index() == index - 1 and len(warned) == 2
    assert made not in [window.cards.card(r).id for r in range(window.cards.rowCount())]
    window.redo_action.trigger()
    assert stack.index() == index and window.select_stakeholder("Facewatch")


def test_every_control_of_the_matrix_and_forms_has_an_accessible_name(window, demo_store, qtbot):
    from briefing.ui.compare import CompareWindow, StakeholderPicker

    compare = CompareWindow(window.context, [1, 2, 3])
    compare.show()
    dialogs = [
        compare,
        StakeholderPicker([("IBM", 1), ("ACLU", 2)], [1]),
        forms.TopicForm(demo_store),
        forms.StakeholderForm(demo_store),
        forms.PositionForm("IBM", None, dt.date(2024, 1, 1)),
        forms.QuestionForm(demo_store, 1),
        forms.EventForm([], []),
        forms.ChooseStakeholderForm([]),
    ]
    nameless = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        for widget in dialog.findChildren(QWidget):
            focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
            interesting = isinstance(widget, QComboBox | QAbstractButton) or focusable
            if not widget.isVisible() or not interesting or isinstance(widget, QLabel):
                continue
            parent = widget.parent()
            if parent is not None and (
                parent.inherits("QAbstractScrollArea") or parent.inherits("QAbstractSpinBox")
            ):
                continue  # a scroll area or spin box speaks for the part inside it
            if not widget.accessibleName() and not widget.toolTip():
                nameless.append(f"{dialog.windowTitle()}: {type(widget).__name__}")
    assert nameless == []


def test_the_matrix_reads_well_with_the_demos_questions_and_five_stakeholders(
    window, demo_store, qtbot, tmp_path
):
    """Rows tall enough for a cell's word and the start of its quote, questions wrapped in their
    own column, a legend, and no tall empty band under the last question."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from briefing.core.lookup import find_stakeholder
    from briefing.ui.compare import ANSWER_COLOURS, QUESTION_WIDTH, CompareWindow

    names = ["IBM", "Amazon", "Microsoft", "ACLU", "Metropolitan Police"]
    with demo_store.reading() as session:
        ids = [find_stakeholder(session, name).id for name in names]
    compare = CompareWindow(window.context, ids)
    qtbot.addWidget(compare)
    compare.show()
    qtbot.waitExposed(compare)
    view, model = compare.view, compare.model
    assert model.rowCount() == 4 and model.columnCount() == 5

    option = QStyleOptionViewItem()
    option.initFrom(view)
    needed = view.itemDelegate().sizeHint(option, model.index(0, 0)).height()
    font_line = view.fontMetrics().lineSpacing()
    assert needed >= 4 * font_line  # the word and three lines of quote
    assert all(view.rowHeight(r) >= needed for r in range(model.rowCount()))
    assert view.verticalHeader().width() == QUESTION_WIDTH
    rows = sum(view.rowHeight(r) for r in range(model.rowCount()))
    assert view.viewport().height() - rows < view.rowHeight(0)  # less than a row left empty

    legend = next(w for w in compare.findChildren(QWidget) if w.accessibleName() == "Legend")
    chips = [label.text() for label in legend.findChildren(QLabel) if label.styleSheet()]
    assert chips[:5] == ["Yes", "No", "Partly", "Unknown", "No answer"]

    # Each cell is painted in its answer's colour, edge to edge.
    image = view.viewport().grab().toImage()
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            cell = model.index(r, c).data(CellRole)
            rect = view.visualRect(model.index(r, c))
            colour = image.pixelColor(rect.left() + 3, rect.bottom() - 3).name()
            assert colour == ANSWER_COLOURS[cell.answer][0], (r, c, cell.answer)
    compare.grab().save(str(tmp_path / "matrix-five.png"))


def test_editing_a_rated_stakeholder_opens_its_form_cleanly(qtbot, demo_store):
    # pytest-qt fails a test on an exception raised inside a Qt callback: the spin box must
    # not call revalidate() before the rest of the form exists.
    from briefing.core.editing import stakeholder_fields
    from briefing.core.lookup import find_stakeholder

    with demo_store.reading() as session:
        ibm = find_stakeholder(session, "IBM")
        fields = stakeholder_fields(session, ibm.id)
    assert fields.influence
    form = forms.StakeholderForm(demo_store, ibm.id, fields)
    qtbot.addWidget(form)
    assert form.influence.value() == fields.influence
    assert form.ok.isEnabled()


def test_the_delete_key_deletes_a_stakeholder_only_from_the_cards(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(Editing, "ask", staticmethod(lambda *args: asked.append(args) or False))
    assert window.select_stakeholder("IBM")
    window.side_tabs.setCurrentWidget(window.notes_panel)
    window.notes_panel.list.setFocus()
    notes_asked = []
    monkeypatch.setattr(
        "briefing.ui.notes.ask_to_delete", lambda parent, title: notes_asked.append(title) or False
    )
    window.notes_panel.list.setCurrentIndex(window.notes_panel.model.index(0, 0))
    qtbot.keyClick(window.notes_panel.list, Qt.Key.Key_Delete)
    assert asked == []  # Delete in the notes list does not reach the card
    assert len(notes_asked) == 1  # it asks to delete the note instead
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert len(asked) == 1  # on the cards it asks to delete the stakeholder


def test_the_event_form_opens_at_once_loading_and_takes_edits_once_filled(
    window, qtbot, monkeypatch
):
    """Every source of the store to choose from grows with the store: the form does not wait
    for it with the user's input held back. It shows "Loading…", takes no edits and offers no
    Save until the lists are read, then opens on the selected card."""
    window.select_stakeholder("IBM")
    seen = {}

    def exec_form(form) -> bool:
        seen["loading"] = form.loading
        seen["status"] = form.status.text()
        seen["editable"] = form.title.isEnabled() or form.source.isEnabled()
        seen["save"] = form.ok.isEnabled()
        qtbot.waitUntil(lambda: not form.loading)
        seen["sources"] = form.source.count()
        seen["stakeholder"] = form.stakeholder.currentText()
        seen["editable after"] = form.title.isEnabled() and form.source.isEnabled()
        return False

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    window.editing.new_event()
    assert seen["loading"] and seen["status"] == "Loading\u2026"
    assert not seen["editable"] and not seen["save"]
    with window.store.reading() as session:
        sources = session.scalar(select(func.count(Source.id)))
    assert seen["sources"] == sources + 1  # and "None"
    assert seen["stakeholder"] == "IBM" and seen["editable after"]
