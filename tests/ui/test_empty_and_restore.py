"""Empty states say what to do next; the app reopens where the user was."""

from __future__ import annotations

from briefing.core.changes import Changes
from briefing.ui.editing import Editing


def test_an_empty_topic_offers_new_stakeholder(window, qtbot, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(
        Editing,
        "exec_form",
        staticmethod(
            lambda form: (
                opened.append(form) or (form.name.setText("Street protest policing") or True)
            )
        ),
    )
    window.editing.new_topic()
    assert window.topics.currentText() == "Street protest policing"
    assert not window.grid.isVisible() and window.empty.isVisible()
    assert "No stakeholders on this topic yet" in window.empty_text.text()
    assert "No stakeholders on this topic yet" in window.detail.toPlainText()
    assert "Select a card" not in window.detail.toPlainText()
    window.grab().save(str(tmp_path / "empty-topic.png"))
    monkeypatch.setattr(
        Editing,
        "exec_form",
        staticmethod(lambda form: opened.append(form) or (form.name.setText("Netpol") or True)),
    )
    window.empty_button.click()  # the button opens New stakeholder
    assert type(opened[-1]).__name__ == "StakeholderForm"
    assert window.grid.isVisible() and not window.empty.isVisible()
    assert window.cards.card(window.grid.currentIndex().row()).name == "Netpol"


def test_the_app_reopens_where_the_user_was(window, qtbot, demo_store, settings, open_window):
    window.select_stakeholder("Microsoft")
    window.side_tabs.setCurrentWidget(window.sources_panel)
    reader = window.sources_panel.reader
    qtbot.waitUntil(lambda: reader.verticalScrollBar().maximum() > 200)
    reader.verticalScrollBar().setValue(200)
    source = window.sources_panel.document.id
    top = reader.top_offset()
    assert top > 0
    window.close()

    again = open_window(demo_store, settings)
    try:
        assert again.cards.card(again.grid.currentIndex().row()).name == "Microsoft"
        assert again.side_tabs.currentWidget() is again.sources_panel
        # The Sources list is read off the GUI thread: the source opens once it arrives.
        panel = again.sources_panel
        qtbot.waitUntil(lambda: panel.document is not None)
        assert panel.document.id == source
        qtbot.waitUntil(lambda: again.sources_panel.reader.top_offset() == top)
    finally:
        again.search.panel.wait_for_idle()


def test_the_reader_reopens_at_its_place_in_a_long_text(
    window, qtbot, demo_store, settings, monkeypatch, tmp_path, open_window
):
    """The reader shows a window of a long text: where it was is kept as an offset into the
    text, so it reopens there, not at the same scroll value in whatever window opens first."""
    from briefing.core.sources import import_source
    from briefing.ui.sources import SourceReader

    monkeypatch.setattr(SourceReader, "WINDOW", 3_000)
    monkeypatch.setattr(SourceReader, "STEP", 1_500)
    lines = [f"Line {n}: the police said the cameras were accurate." for n in range(2_000)]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with demo_store.writing() as session:
        source_id = import_source(session, path, title="A long report").id
    window.operations.changed.emit(Changes.of("source"))
    window.side_tabs.setCurrentWidget(window.sources_panel)
    panel = window.sources_panel
    panel.show_source(source_id)
    far = panel.document.text.index("Line 1500:")
    panel.reader.show_from(far)
    assert panel.reader.positions.start > 0  # the window moved: a bar value would mislead
    top = panel.reader.top_offset()
    assert panel.document.text[top:].startswith("Line 1500:")
    window.close()

    again = open_window(demo_store, settings)
    try:
        reader = again.sources_panel.reader
        qtbot.waitUntil(lambda: reader.top_offset() == top)
        assert again.sources_panel.document.text[reader.top_offset() :].startswith("Line 1500:")
    finally:
        again.search.panel.wait_for_idle()
