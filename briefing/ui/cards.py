"""The card grid: one list model of stakeholder cards, one delegate that paints them.

The model holds the plain `StakeholderCard` records that `core.cards.topic_cards` returns; the
delegate reads them through `CardRole` and paints. No widget is created per card, so a topic with
a thousand stakeholders costs a thousand small records, not a thousand widgets. Text layout is the
only work done in `paint`, and only for the cards on screen.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPen, QTextLayout
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from briefing.core.card_records import StakeholderCard
from briefing.core.dates import format_date
from briefing.render.labels import kind_label
from briefing.text import isolate
from briefing.ui import theme

CardRole = Qt.ItemDataRole.UserRole + 1
StakeholderIdRole = Qt.ItemDataRole.UserRole + 2

CARD_SIZE = QSize(320, 292)  # the narrowest a card gets; the grid widens cards to fill a row
PADDING = 14
_Index = QModelIndex | QPersistentModelIndex


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe(card: StakeholderCard) -> str:
    """The card in one sentence, for screen readers and tooltips."""
    stance = theme.stance_label(card.stance)
    kind = kind_label(card.kind)
    counts = f"{plural(card.quote_count, 'quote')}, {plural(card.note_count, 'note')}"
    headline = f": {card.headline}" if card.headline else ""
    return f"{card.name}, {kind}. {stance}{headline}. {counts}.{changed_words(card)}"


def changed_words(card: StakeholderCard) -> str:
    """What an "as of" card says of a later change: " Position changed on 9 June 2020."."""
    if card.changed_on is None:
        return ""
    what = "Position changed" if card.stance else "First position"
    return f" {what} on {format_date(card.changed_on)}."


class CardListModel(QAbstractListModel):
    """A topic's stakeholder cards, in the order the use case returns them."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cards: list[StakeholderCard] = []

    def set_cards(self, cards: list[StakeholderCard]) -> None:
        self.beginResetModel()
        self._cards = list(cards)
        self.endResetModel()

    def set_note_counts(self, counts: dict[int, int]) -> None:
        """Change only the cards' note counts (a note was written or deleted); the cards whose
        count changed are repainted, nothing is reset."""
        for row, card in enumerate(self._cards):
            count = counts.get(card.id, 0)
            if count != card.note_count:
                self._cards[row] = replace(card, note_count=count)
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)

    def update_cards(self, changed: list[StakeholderCard], order: tuple[int, ...]) -> bool:
        """Put these cards in place of the ones with their ids, and the cards in `order`
        (a renamed card may move), without a reset: the cards not changed stay as they are, the
        selection and the current card stay on their cards. False, and nothing changed, when
        `order` does not hold the same cards as the model (one was added or taken away)."""
        old_ids = [card.id for card in self._cards]
        if len(order) != len(old_ids) or set(order) != set(old_ids):
            return False
        fresh = {card.id: card for card in changed}
        if not fresh.keys() <= set(old_ids):
            return False
        if list(order) == old_ids:
            for row, card in enumerate(self._cards):
                if card.id in fresh:
                    self._cards[row] = fresh[card.id]
                    index = self.index(row, 0)
                    self.dataChanged.emit(index, index)
            return True
        self.layoutAboutToBeChanged.emit()
        by_id = {card.id: card for card in self._cards} | fresh
        self._cards = [by_id[card_id] for card_id in order]
        new_row = {card_id: row for row, card_id in enumerate(order)}
        moved = self.persistentIndexList()
        self.changePersistentIndexList(
            moved, [self.index(new_row[old_ids[index.row()]], 0) for index in moved]
        )
        self.layoutChanged.emit()
        return True

    def card(self, row: int) -> StakeholderCard:
        return self._cards[row]

    def ids(self) -> list[int]:
        """The stakeholder ids of the cards, in their order."""
        return [card.id for card in self._cards]

    def row_of(self, stakeholder_id: int) -> int | None:
        for row, card in enumerate(self._cards):
            if card.id == stakeholder_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return describe(card)
        if role == CardRole:
            return card
        if role == StakeholderIdRole:
            return card.id
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _draw_wrapped(
    painter: QPainter, text: str, font: QFont, x: float, y: float, width: float, max_lines: int
) -> float:
    """Draw `text` wrapped to `width` in at most `max_lines` lines, the last elided; return y."""
    metrics = QFontMetrics(font)
    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines = []
    while len(lines) < max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(line)
    layout.endLayout()
    painter.setFont(font)
    for number, line in enumerate(lines):
        top = y + number * metrics.lineSpacing()
        start, length = line.textStart(), line.textLength()
        if number == len(lines) - 1 and start + length < len(text):
            rest = metrics.elidedText(text[start:], Qt.TextElideMode.ElideRight, int(width))
            painter.drawText(QRectF(x, top, width, metrics.lineSpacing()), rest)
        else:
            painter.drawText(
                QRectF(x, top, width, metrics.lineSpacing()), text[start : start + length]
            )
    return y + len(lines) * metrics.lineSpacing()


class CardDelegate(QStyledItemDelegate):
    """Paints a card: name and kind, stance badge, headline, top quotes, counts."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.card_size = QSize(CARD_SIZE)

    def set_card_width(self, width: int) -> None:
        if width != self.card_size.width():
            self.card_size = QSize(width, CARD_SIZE.height())
            self.sizeHintChanged.emit(QModelIndex())  # the view lays its items out again

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return self.card_size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        card: StakeholderCard | None = index.data(CardRole)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)

        outline = QPainterPath()
        outline.addRoundedRect(rect, 8, 8)
        painter.fillPath(outline, theme.CARD_BACKGROUND)
        border = theme.CARD_BORDER
        if selected:
            border = theme.CARD_SELECTED_BORDER
        elif hovered:
            border = theme.CARD_HOVER_BORDER
        painter.setPen(QPen(border, 3 if selected else 1))
        painter.drawPath(outline)
        if focused and not selected:
            painter.setPen(QPen(theme.CARD_SELECTED_BORDER, 1, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 6, 6)

        base: QFont = option.font  # type: ignore[attr-defined]
        x = rect.left() + PADDING
        width = rect.width() - 2 * PADDING
        y = rect.top() + PADDING

        # Stance badge, top right: colour and a word.
        badge_font = QFont(base)
        badge_font.setPointSizeF(base.pointSizeF() * 0.85)
        badge_font.setBold(True)
        label = theme.stance_label(card.stance).upper()
        badge_metrics = QFontMetrics(badge_font)
        badge_width = badge_metrics.horizontalAdvance(label) + 16
        badge = QRectF(
            rect.right() - PADDING - badge_width, y, badge_width, badge_metrics.height() + 6
        )
        background, foreground = theme.stance_colours(card.stance)
        badge_path = QPainterPath()
        badge_path.addRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.fillPath(badge_path, background)
        painter.setPen(foreground)
        painter.setFont(badge_font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)

        # Name and kind.
        name_font = QFont(base)
        name_font.setPointSizeF(base.pointSizeF() * 1.3)
        name_font.setBold(True)
        painter.setPen(theme.TEXT)
        name_width = width - badge_width - 8
        y = _draw_wrapped(painter, card.name, name_font, x, y, name_width, 1)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.9)
        painter.setPen(theme.MUTED)
        kind = kind_label(card.kind)
        if card.as_of:
            kind += f" \u00b7 as of {card.as_of.strftime('%b %Y')}"
        y = _draw_wrapped(painter, kind, small, x, y, name_width, 1) + 6

        # The one-line position.
        headline_font = QFont(base)
        headline_font.setWeight(QFont.Weight.DemiBold)
        painter.setPen(theme.TEXT)
        headline = card.headline or "No position recorded on this topic yet."
        y = _draw_wrapped(painter, headline, headline_font, x, y, width, 2) + 8

        # Key quotes with their source and date.
        quote_font = QFont(base)
        quote_font.setItalic(True)
        bottom = rect.bottom() - PADDING - QFontMetrics(small).lineSpacing() - 4
        for quote in card.quotes:
            if y + QFontMetrics(quote_font).lineSpacing() * 2 > bottom:
                break
            top = y
            painter.setPen(theme.TEXT)
            # Isolated (U+2068 ... U+2069): an override in a quote or a title cannot reorder
            # the words around it.
            words = f"\u201c{isolate(quote.text)}\u201d"
            y = _draw_wrapped(painter, words, quote_font, x + 10, y, width - 10, 3)
            painter.setPen(theme.MUTED)
            speaker = isolate(quote.speaker)
            who = speaker if quote.attribution == "direct" else f"about {speaker}"
            cite = f"\u2014 {who} \u00b7 {quote.when} \u00b7 {isolate(quote.source_title)}"
            y = _draw_wrapped(painter, cite, small, x + 10, y, width - 10, 1)
            painter.fillRect(QRectF(x, top + 2, 3, y - top - 4), theme.QUOTE_BAR)
            y += 8

        # Counts, bottom line; on a card "as of" a past day, a later change of position.
        painter.setPen(theme.MUTED)
        counts = f"{plural(card.quote_count, 'quote')} \u00b7 {plural(card.note_count, 'note')}"
        if card.changed_on is not None:
            mark = f"\u25b2 {'changed' if card.stance else 'first position'} "
            mark += card.changed_on.strftime("%d %b %Y").lstrip("0")
            painter.save()
            painter.setFont(small)
            mark_width = QFontMetrics(small).horizontalAdvance(mark) + 10
            box = QRectF(
                rect.right() - PADDING - mark_width,
                bottom + 2,
                mark_width,
                QFontMetrics(small).lineSpacing() + 4,
            )
            painter.setPen(QPen(theme.CHANGED_LATER, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box, 4, 4)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, mark)
            painter.restore()
        painter.setFont(small)
        painter.drawText(
            QRectF(x, bottom + 4, width, QFontMetrics(small).lineSpacing()),
            Qt.AlignmentFlag.AlignLeft,
            counts,
        )
        painter.restore()


class CardGrid(QListView):
    """A scrollable grid of cards that wraps to the window's width."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(8)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.cards_delegate = CardDelegate(self)
        self.setItemDelegate(self.cards_delegate)
        self.setAccessibleName("Stakeholder cards")
        self.setAccessibleDescription(
            "One card per stakeholder. Arrow keys move between cards; Enter opens the details."
        )

    def resizeEvent(self, event) -> None:
        # As many cards as fit side by side, widened to share the row, so no strip is left empty.
        spacing = self.spacing()
        available = self.viewport().width() - spacing
        columns = max(1, available // (CARD_SIZE.width() + 2 * spacing))
        width = max(CARD_SIZE.width(), available // columns - 2 * spacing)
        self.cards_delegate.set_card_width(width)
        super().resizeEvent(event)
