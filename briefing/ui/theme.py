"""The app's colours and the words that go with them, in one place.

Stances are shown by colour and always by a word as well; the colours keep a readable contrast
with their text (dark text on the amber badge).
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from briefing.render.detail import stance_label

STANCE_COLOURS: dict[str | None, tuple[str, str]] = {
    # stance: (badge background, badge text)
    "opposes": ("#b42318", "#ffffff"),
    "supports": ("#1a7f37", "#ffffff"),
    "conditional": ("#f2b300", "#1f2328"),
    "unclear": ("#6e7781", "#ffffff"),
    None: ("#d0d7de", "#1f2328"),
}

CARD_BACKGROUND = QColor("#ffffff")
CARD_BORDER = QColor("#d0d7de")
CARD_SELECTED_BORDER = QColor("#0969da")
CARD_HOVER_BORDER = QColor("#8c959f")
TEXT = QColor("#1f2328")
MUTED = QColor("#57606a")
QUOTE_BAR = QColor("#afb8c1")
CHANGED_LATER = QColor("#9a6700")  # the mark on a card whose position changed after "as of"
WINDOW_BACKGROUND = "#f6f8fa"


def stance_colours(stance: str | None) -> tuple[QColor, QColor]:
    background, text = STANCE_COLOURS.get(stance, STANCE_COLOURS[None])
    return QColor(background), QColor(text)


__all__ = ["stance_colours", "stance_label"]
