"""The search results: an item model of hits grouped by kind, a delegate that paints each hit
(title, origin and snippet with the matched words marked) and the view that shows them.

Split from `ui/search.py` (the search panel, its queries off the GUI thread, and its place in
the window).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)

from briefing.core.search import KIND_TITLES, SearchHit, group_by_kind
from briefing.render import palette
from briefing.text import isolate
from briefing.ui import theme

_Index = QModelIndex | QPersistentModelIndex


HitRole = Qt.ItemDataRole.UserRole + 21


KindRole = Qt.ItemDataRole.UserRole + 22


MATCH_BACKGROUND = QColor(palette.MATCH)  # the same yellow as matches in the details


class SearchResultsModel(QAbstractItemModel):
    """Hits grouped by kind: top-level rows are kinds, their children the hits, best first.

    A child's internal id is its group's row + 1; a group's is 0.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[SearchHit]]] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._groups = group_by_kind(hits)
        self.endResetModel()

    def hit_count(self) -> int:
        return sum(len(hits) for _, hits in self._groups)

    def first_hit(self) -> QModelIndex:
        return self.index(0, 0, self.index(0, 0)) if self._groups else QModelIndex()

    def index(self, row: int, column: int = 0, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != 0 or parent.row() >= len(self._groups):
            return QModelIndex()
        if row >= len(self._groups[parent.row()][1]):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._groups):
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hit(self, index: _Index) -> SearchHit | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        group = index.internalId() - 1
        if group >= len(self._groups) or index.row() >= len(self._groups[group][1]):
            return None
        return self._groups[group][1][index.row()]

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if index.row() >= len(self._groups):
                return None
            kind, hits = self._groups[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{KIND_TITLES[kind]} ({len(hits)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == KindRole:
                return kind
            return None
        hit = self.hit(index)
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return describe_hit(hit)
        if role == HitRole:
            return hit
        if role == KindRole:
            return hit.kind
        return None


def describe_hit(hit: SearchHit) -> str:
    """A hit in one sentence, for screen readers and tooltips; each part isolated, so that an
    override in a title cannot reverse the snippet after it."""
    kind = KIND_TITLES[hit.kind].rstrip("s")
    detail = f" ({isolate(hit.detail)})" if hit.detail else ""
    return f"{kind}: {isolate(hit.title)}{detail}. {isolate(hit.snippet)}"


PADDING = 6


SNIPPET_LINES = 2


class HitDelegate(QStyledItemDelegate):
    """Title and origin on one line, then the snippet with its matches marked, in two lines."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        if index.data(HitRole) is None:
            return super().sizeHint(option, index)
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(200, PADDING * 2 + line * (1 + SNIPPET_LINES) + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hit: SearchHit | None = index.data(HitRole)
        if hit is None:
            super().paint(painter, option, index)
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        if selected:
            painter.fillRect(option.rect, palette.highlight())
        text_color = palette.highlightedText().color() if selected else palette.text().color()
        muted = text_color if selected else theme.MUTED
        rect = option.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        metrics = QFontMetrics(option.font)

        bold = QFont(option.font)
        bold.setBold(True)
        title = QFontMetrics(bold).elidedText(hit.title, Qt.TextElideMode.ElideRight, rect.width())
        painter.setFont(bold)
        painter.setPen(text_color)
        title_width = QFontMetrics(bold).horizontalAdvance(title)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        rest = rect.width() - title_width - 12
        if hit.detail and rest > 40:
            painter.setFont(option.font)
            painter.setPen(muted)
            painter.drawText(
                QRect(rect.left() + title_width + 12, rect.top(), rest, metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(hit.detail, Qt.TextElideMode.ElideRight, rest),
            )

        snippet = " ".join(hit.snippet.split("\n"))
        layout = QTextLayout(snippet, option.font)
        ranges = []
        for start, end in hit.highlights:
            mark = QTextLayout.FormatRange()
            mark.start, mark.length = start, end - start
            marked = QTextCharFormat()
            marked.setFontWeight(QFont.Weight.Bold)
            if not selected:
                marked.setBackground(MATCH_BACKGROUND)
            mark.format = marked
            ranges.append(mark)
        layout.setFormats(ranges)
        layout.beginLayout()
        top = rect.top() + metrics.lineSpacing() + 2
        for _ in range(SNIPPET_LINES):
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            line.setPosition(QPointF(rect.left(), top))
            top += metrics.lineSpacing()
        layout.endLayout()
        painter.setPen(text_color)
        layout.draw(painter, QPointF(0, 0))
        painter.restore()


class ResultsView(QTreeView):
    """The results tree; the arrow keys step over the kinds' heading rows, from hit to hit."""

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: N802 (Qt's name)
        index = super().moveCursor(action, modifiers)
        model = self.model()
        if (
            not index.isValid()
            or index.internalId() != 0
            or not isinstance(model, SearchResultsModel)
        ):
            return index
        # A heading: going up, the last hit of the group above; otherwise its first hit.
        if action in (
            QAbstractItemView.CursorAction.MoveUp,
            QAbstractItemView.CursorAction.MovePageUp,
        ):
            if index.row() == 0:
                return self.currentIndex()
            above = model.index(index.row() - 1, 0)
            return model.index(model.rowCount(above) - 1, 0, above)
        return model.index(0, 0, index)
