"""The details of a card with many quotes show the first ones, and more on request."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from sqlalchemy import select

from briefing.core.changes import Changes
from briefing.render.detail import MORE_QUOTES_HREF
from briefing.store.models import Quote, Source, Stakeholder
from briefing.ui.main_window import DETAIL_QUOTES


def test_show_more_quotes_adds_the_next_ones(qtbot, window, demo_store, tmp_path):
    with demo_store.writing() as session:
        liberty = session.scalars(select(Stakeholder).where(Stakeholder.name == "Liberty")).one()
        source = session.scalars(select(Source)).first()
        words = source.text[:60]
        for _ in range(130):
            session.add(
                Quote(source_id=source.id, start=0, end=60, text=words, speaker_id=liberty.id)
            )
        session.flush()
        total = len(session.scalars(select(Quote.id).where(Quote.speaker_id == liberty.id)).all())
    window.operations.changed.emit(Changes.of("quote"))
    assert window.select_stakeholder("Liberty")
    # A card this long is read in the background: the details say so at once, and take no
    # edits (a read-only page) until they are filled.
    assert "Loading the details" in window.detail.toPlainText()
    assert window.detail.isReadOnly()
    qtbot.waitUntil(lambda: not window._detail_pending)
    text = window.detail.toPlainText()
    assert f"Quotes ({total})" in text
    assert f"{DETAIL_QUOTES} of {total} shown" in text
    window.grab().save(str(tmp_path / "details-first-quotes.png"))

    window.detail.anchorClicked.emit(QUrl(MORE_QUOTES_HREF))
    # More quotes of the same card: the page stays as it was until the longer one is read.
    assert f"{DETAIL_QUOTES} of {total} shown" in window.detail.toPlainText()
    qtbot.waitUntil(lambda: not window._detail_pending)
    assert f"{2 * DETAIL_QUOTES} of {total} shown" in window.detail.toPlainText()
    window.detail.anchorClicked.emit(QUrl(MORE_QUOTES_HREF))
    qtbot.waitUntil(lambda: not window._detail_pending)
    text = window.detail.toPlainText()
    assert "Show more quotes" not in text and text.count(words[:30]) >= total - 10

    # Another card starts again from its first quotes.
    assert window.select_stakeholder("IBM")
    assert window.select_stakeholder("Liberty")
    qtbot.waitUntil(lambda: not window._detail_pending)
    assert f"{DETAIL_QUOTES} of {total} shown" in window.detail.toPlainText()
