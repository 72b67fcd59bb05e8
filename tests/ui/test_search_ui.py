"""The search box on the demo: results as you type, off the GUI thread, grouped, and opened."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from briefing.core.search import SearchHit
from briefing.store.models import Quote, Source, Stakeholder
from briefing.ui import search as search_module
from briefing.ui.search import HitRole, KindRole, SearchResultsModel


def type_query(qtbot, window, text: str) -> None:
    """Type as a user would (the debounce timer runs), then wait for the answer."""
    panel = window.search.panel
    window.search.field.setText(text)
    qtbot.waitUntil(lambda: not panel.timer.isActive())
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)


def shown_hits(window) -> list[SearchHit]:
    model = window.search.panel.model
    hits = []
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        hits += [model.index(row, 0, parent).data(HitRole) for row in range(model.rowCount(parent))]
    return hits


def test_typing_dialogue_finds_ibms_quote(qtbot, window, tmp_path):
    window.search.focus_field()
    type_query(qtbot, window, "dialogue")
    hits = shown_hits(window)
    assert any(hit.kind == "quote" and hit.title == "IBM" for hit in hits)
    panel = window.search.panel
    assert window.side_tabs.currentWidget() is panel
    groups = [panel.model.index(r, 0).data(KindRole) for r in range(panel.model.rowCount())]
    assert groups == ["quote", "source", "note"]
    assert "Quotes (" in panel.model.index(0, 0).data()
    window.grab().save(str(tmp_path / "search-dialogue.png"))


def test_results_appear_while_typing_a_prefix(qtbot, window):
    type_query(qtbot, window, "dialo")
    assert any(hit.title == "IBM" for hit in shown_hits(window))


def test_queries_run_off_the_gui_thread(qtbot, window, monkeypatch):
    threads = []
    real_search = search_module.search

    def recording_search(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_search(*args, **kwargs)

    monkeypatch.setattr(search_module, "search", recording_search)
    type_query(qtbot, window, "ibm")
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert shown_hits(window)


def test_stale_results_are_discarded(qtbot, window):
    panel = window.search.panel
    type_query(qtbot, window, "warrant")
    current = shown_hits(window)
    assert current
    stale = SearchHit("note", 999, "Stale", "", "old words", (), 0.0)
    panel.signals.finished.emit(panel.generation - 1, [stale])
    QApplication.processEvents()
    assert shown_hits(window) == current
    # Two queries in quick succession: only the answer to the second is shown.
    window.search.field.setText("amazon")
    panel.run_query()
    window.search.field.setText("dialogue")
    panel.run_query()
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    panel.wait_for_idle()
    QApplication.processEvents()
    assert all("dialogue" in hit.snippet.lower() for hit in shown_hits(window))


def test_ctrl_k_from_anywhere_and_ctrl_f_focus_the_box(qtbot, window):
    window.activateWindow()
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus)
    qtbot.keyClick(window.grid, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search.field.hasFocus)
    assert window.side_tabs.currentWidget() is window.search.panel

    # From another window of the app (a dialog, say), Ctrl+K comes back to the box.
    other = QLineEdit()
    other.setAccessibleName("Another window")
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    qtbot.keyClick(other, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search.field.hasFocus)
    assert window.search.anywhere.context() == Qt.ShortcutContext.ApplicationShortcut

    window.topics.setFocus()
    qtbot.waitUntil(window.topics.hasFocus)
    qtbot.keyClick(window.topics, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search.field.hasFocus)


def test_enter_opens_the_quote_inside_its_source(qtbot, window, demo_store, tmp_path):
    window.search.focus_field()
    type_query(qtbot, window, '"national dialogue" pulling')
    hits = shown_hits(window)
    assert hits[0].kind == "quote"
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    with demo_store.reading() as session:
        quote = session.get(Quote, hits[0].id)
        speaker = session.get(Stakeholder, quote.speaker_id).name
    assert window.cards.card(window.grid.currentIndex().row()).name == speaker
    panel = window.sources_panel
    assert window.side_tabs.currentWidget() is panel
    assert panel.document.id == quote.source_id
    assert panel.reader.textCursor().selectedText() == quote.text
    assert quote.text in panel.quote_detail.toPlainText()
    window.grab().save(str(tmp_path / "search-opens-quote-in-source.png"))


def test_enter_before_the_answer_opens_the_first_hit_when_it_comes(qtbot, window):
    window.search.focus_field()
    window.search.field.setText("Liberty")  # the timer is still running
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.side_tabs.currentWidget() is window.detail)
    assert window.cards.card(window.grid.currentIndex().row()).name == "Liberty"


def test_down_arrow_then_click_opens_a_source_in_the_reader_at_its_first_match(
    qtbot, window, demo_store, tmp_path
):
    window.search.focus_field()
    type_query(qtbot, window, "warra")  # half typed: the last word is a prefix
    panel = window.search.panel
    for kind, box in panel.kinds.items():
        box.setChecked(kind == "source")
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    assert {hit.kind for hit in shown_hits(window)} == {"source"}
    qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    assert panel.view.hasFocus()
    index = panel.view.currentIndex()
    rect = panel.view.visualRect(index)
    window.grab().save(str(tmp_path / "search-sources.png"))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with demo_store.reading() as session:
        source = session.get(Source, index.data(HitRole).id)
        text = source.text
    sources = window.sources_panel
    assert window.side_tabs.currentWidget() is sources
    assert sources.document.id == source.id
    reader = sources.reader
    # Every match is marked, in the reader's text, and the first is in view.
    assert reader.matches
    assert all(text[a:b].lower().startswith("warrant") for a, b in reader.matches)
    marked = {s.cursor.selectedText().lower() for s in reader.extraSelections()}
    assert any(word.startswith("warrant") for word in marked)
    first = reader.positions.to_document(reader.matches[0][0])
    assert reader.textCursor().position() == first
    assert reader.viewport().rect().contains(reader.cursorRect().center())
    assert "match" in window.statusBar().currentMessage()
    window.grab().save(str(tmp_path / "search-open-source.png"))
    # Showing another text drops the marks, which belonged to this one.
    sources.show_source(None)
    assert reader.matches == ()


def test_kind_boxes_choose_several_kinds_or_say_that_none_is_chosen(qtbot, window):
    panel = window.search.panel
    type_query(qtbot, window, "facial")
    assert {hit.kind for hit in shown_hits(window)} >= {"quote", "source", "note"}
    panel.kinds["quote"].setChecked(False)
    panel.kinds["note"].setChecked(False)
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    kinds = {hit.kind for hit in shown_hits(window)}
    assert kinds and not kinds & {"quote", "note"}
    assert panel.current_filters().kinds == {"stakeholder", "position", "source"}
    panel.choose_kinds()
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    assert panel.current_filters().kinds == frozenset()  # every kind
    for box in panel.kinds.values():
        box.setChecked(False)
    assert shown_hits(window) == []
    assert "at least one kind" in panel.status.text()


def test_a_note_on_a_source_opens_in_the_notes_tab(qtbot, window, demo_store):
    from briefing.core.notes import add_note

    with demo_store.reading() as session:
        source_id = session.query(Source.id).first()[0]
    window.operations.run(
        lambda session: (
            add_note(
                session, ("source", source_id), "Ask the **zebra** unit\n\n- about body cameras"
            ).changes
        )
    )
    window.search.focus_field()
    type_query(qtbot, window, "zebra")
    (hit,) = shown_hits(window)
    assert hit.snippet == "Ask the zebra unit about body cameras"
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    notes = window.notes_panel
    assert window.side_tabs.currentWidget() is notes  # no card lists it: it opens to be edited
    assert notes.editor.source.toPlainText() == "Ask the **zebra** unit\n\n- about body cameras"
    assert "about body cameras" in notes.editor.preview.toPlainText()


def test_filters_narrow_the_results(qtbot, window):
    panel = window.search.panel
    type_query(qtbot, window, "facial")
    everything = shown_hits(window)
    panel.stakeholder.setCurrentIndex(panel.stakeholder.findText("Amazon"))
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    narrowed = shown_hits(window)
    assert narrowed and len(narrowed) < len(everything)
    panel.stakeholder.setCurrentIndex(0)
    panel.private.setChecked(False)
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    assert not any(hit.private for hit in shown_hits(window))
    panel.date_from.setText("1 January 2015")
    panel.date_from.editingFinished.emit()
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    assert all(hit.kind != "stakeholder" for hit in shown_hits(window))


@pytest.mark.parametrize(
    "text", ['"', "NEAR(", "col:", "^", "*", "\x00", "\u202eibm", "x" * 10_000]
)
def test_odd_text_in_the_box_shows_results_or_nothing(qtbot, window, text):
    type_query(qtbot, window, text)
    assert "Searching" not in window.search.panel.status.text()


def test_results_model_passes_the_model_tester(qtbot, qtmodeltester, demo_store):
    from briefing.core.search import search

    model = SearchResultsModel()
    with demo_store.reading() as session:
        hits = search(session, "ibm OR dialogue", limit=100)
    assert len({hit.kind for hit in hits}) >= 3
    model.set_hits(hits)
    qtmodeltester.check(model)
    model.set_hits([])
    qtmodeltester.check(model)


def test_every_search_control_has_an_accessible_name(window):
    panel = window.search.panel
    controls = [window.search.field, *panel.findChildren(QWidget)]
    for widget in controls:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(panel):
            continue
        if widget.objectName().startswith("qt_") or widget is panel.view.viewport():
            continue  # the parts Qt builds inside a control, which speaks for them
        assert widget.accessibleName(), widget


def test_results_and_filters_follow_changes_to_the_store(qtbot, window):
    from briefing.core.changes import Changes

    type_query(qtbot, window, "zebra")
    assert shown_hits(window) == []

    def add(session):
        session.add(Stakeholder(name="Zebra Watch", kind="ngo", description="Counts cameras"))
        return Changes.of("stakeholder")

    panel = window.search.panel
    window.operations.run(add)
    qtbot.waitUntil(lambda: panel._shown_generation == panel.generation)
    assert [hit.title for hit in shown_hits(window)] == ["Zebra Watch"]
    assert panel.stakeholder.findText("Zebra Watch") >= 0


def test_a_running_query_for_older_text_is_interrupted(qtbot, window, monkeypatch):
    """A slow query must not hold up the answer to what the box says now (one runs at a time)."""
    from briefing.core import search as core_search

    started = threading.Event()
    real_rows = core_search._search_rows

    def rows(reader, expression, filters, limit):
        if '"endless"' not in expression:
            return real_rows(reader, expression, filters, limit)
        connection = core_search._driver(reader)  # the panel searches without a session
        connection.create_function("started", 0, lambda: started.set() or 1)
        # Runs until SQLite is interrupted; `started` is set from inside the running statement.
        return connection.execute(
            "WITH RECURSIVE n(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM n) "
            "SELECT count(*) FROM n"
        ).fetchall()

    monkeypatch.setattr(core_search, "_search_rows", rows)
    panel = window.search.panel
    window.search.field.setText("endless")
    panel.run_query()
    qtbot.waitUntil(started.is_set)
    type_query(qtbot, window, "dialogue")
    assert any(hit.title == "IBM" for hit in shown_hits(window))
    assert panel.wait_for_idle(10_000)


def test_a_note_opens_in_the_notes_tab_on_its_card(qtbot, window, demo_store, tmp_path):
    from briefing.store.models import Note

    window.search.focus_field()
    type_query(qtbot, window, "dialogue")
    hit = next(hit for hit in shown_hits(window) if hit.kind == "note")
    window.search.open_hit(hit)
    with demo_store.reading() as session:
        note = session.get(Note, hit.id)
        body, owner = note.body, session.get(Stakeholder, note.stakeholder_id).name
    notes = window.notes_panel
    assert window.side_tabs.currentWidget() is notes
    assert window.cards.card(window.grid.currentIndex().row()).name == owner
    assert notes.editor.note_id == hit.id
    assert notes.editor.source.toPlainText() == body
    assert notes.selected_note().id == hit.id
    assert notes.editor.source.textCursor().selectedText().lower() == "dialogue"
    window.grab().save(str(tmp_path / "search-opens-note.png"))


def test_a_note_on_the_topic_opens_with_the_topics_notes(qtbot, window):
    from briefing.core.notes import add_note

    topic_id = window.topic_id
    window.operations.run(
        lambda session: add_note(session, ("topic", topic_id), "Agenda: the okapi clause").changes
    )
    type_query(qtbot, window, "okapi")
    (hit,) = shown_hits(window)
    window.search.open_hit(hit)
    notes = window.notes_panel
    assert window.side_tabs.currentWidget() is notes
    assert notes.scope_target() == ("topic", topic_id)
    assert notes.editor.note_id == hit.id


def test_arrow_keys_go_from_hit_to_hit_over_the_headings(qtbot, window):
    type_query(qtbot, window, "dialogue")
    panel = window.search.panel
    expected = shown_hits(window)
    assert len({hit.kind for hit in expected}) >= 2  # there is a heading to step over
    qtbot.keyClick(window.search.field, Qt.Key.Key_Down)
    seen = [panel.view.currentIndex().data(HitRole)]
    for _ in expected[1:]:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
        seen.append(panel.view.currentIndex().data(HitRole))
    assert seen == expected
    for hit in reversed(expected[:-1]):
        qtbot.keyClick(panel.view, Qt.Key.Key_Up)
        assert panel.view.currentIndex().data(HitRole) == hit
    qtbot.keyClick(panel.view, Qt.Key.Key_Up)  # at the first hit, Up stays there
    assert panel.view.currentIndex().data(HitRole) == expected[0]


def test_a_hit_deep_in_a_long_source_opens_the_reader_at_its_passage(
    qtbot, window, demo_store, tmp_path
):
    import hashlib

    from briefing.core.changes import Changes

    filler = "The committee heard evidence about cameras in public places. " * 12
    paragraphs = [filler] * 200
    paragraphs[170] = filler[:300] + "A zanzibarian moratorium was proposed. " + filler[:300]
    text = "\n\n".join(paragraphs)
    with demo_store.writing() as session:
        source = Source(
            title="Long inquiry", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
        )
        session.add(source)
        session.flush()
        source_id = source.id
    window.operations.changed.emit(Changes.of("source"))
    type_query(qtbot, window, "zanzibarian")
    (hit,) = shown_hits(window)
    assert hit.kind == "source" and hit.at is not None and hit.at > len(text) // 2
    window.search.open_hit(hit)
    sources = window.sources_panel
    assert sources.document.id == source_id
    reader = sources.reader
    needle = text.index("zanzibarian")
    assert reader.matches == ((needle, needle + len("zanzibarian")),)
    assert reader.textCursor().position() == reader.positions.to_document(needle)
    assert reader.viewport().rect().contains(reader.cursorRect().center())
    window.grab().save(str(tmp_path / "search-long-source.png"))
