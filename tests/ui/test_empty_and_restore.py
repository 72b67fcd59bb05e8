"""Empty states say what to do next; the app reopens where the user was."""

from __future__ import annotations

from briefing.ui.editing import Editing
from briefing.ui.main_window import MainWindow


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


def test_the_app_reopens_where_the_user_was(window, qtbot, demo_store, settings):
    window.select_stakeholder("Microsoft")
    window.side_tabs.setCurrentWidget(window.sources_panel)
    reader = window.sources_panel.reader
    qtbot.waitUntil(lambda: reader.verticalScrollBar().maximum() > 200)
    reader.verticalScrollBar().setValue(200)
    source = window.sources_panel.document.id
    window.close()

    again = MainWindow(demo_store, settings)
    qtbot.addWidget(again)
    again.resize(1500, 950)
    again.show()
    qtbot.waitExposed(again)
    try:
        assert again.cards.card(again.grid.currentIndex().row()).name == "Microsoft"
        assert again.side_tabs.currentWidget() is again.sources_panel
        assert again.sources_panel.document.id == source
        bar = again.sources_panel.reader.verticalScrollBar()
        qtbot.waitUntil(lambda: bar.value() == 200)
    finally:
        again.search.panel.wait_for_idle()
