"""The app's colours as Qt wants them, from the one table in `briefing.render.palette`.

Stances are shown by colour and always by a word as well; the colours keep a readable contrast
with their text (dark text on the amber badge).
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from briefing.render import palette
from briefing.render.labels import stance_label

STANCE_COLOURS = palette.STANCE

CARD_BACKGROUND = QColor(palette.CARD_BACKGROUND)
CARD_BORDER = QColor(palette.BORDER)
CARD_SELECTED_BORDER = QColor(palette.SELECTED)
CARD_HOVER_BORDER = QColor(palette.HOVER_BORDER)
TEXT = QColor(palette.TEXT)
MUTED = QColor(palette.MUTED)
QUOTE_BAR = QColor(palette.QUOTE_BAR)
PRIVATE = QColor(palette.PRIVATE)
MATCH = QColor(palette.MATCH)
CHANGED_LATER = QColor(palette.WARNING)  # the mark on a card whose position changed after "as of"
WINDOW_BACKGROUND = palette.WINDOW_BACKGROUND


def stance_colours(stance: str | None) -> tuple[QColor, QColor]:
    background, text = palette.stance_pair(stance)
    return QColor(background), QColor(text)


def answer_colours(answer: str | None) -> tuple[QColor, QColor]:
    background, text = palette.answer_pair(answer)
    return QColor(background), QColor(text)


def style(colour: str, *, bold: bool = False) -> str:
    """A label's style sheet in one of the palette's colours."""
    return f"color: {colour};" + (" font-weight: 600;" if bold else "")


__all__ = ["answer_colours", "stance_colours", "stance_label", "style"]
