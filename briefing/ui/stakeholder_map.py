"""The stakeholder map: stance across, influence up (1 to 5), a labelled mark per stakeholder.

A self-contained widget: `set_map` takes a plain `core.timeline.StakeholderMap`; it paints with
`briefing.export.figures.paint_map` (the function the exports use), a mark per stakeholder in its
kind's colour and shape, no widget per mark. It never writes: dragging a mark up or down (or
Ctrl+Up / Ctrl+Down on the selected one) emits `influence_requested(stakeholder id, level)`, and
the window makes that change through the undo stack. Clicking a mark emits `chosen(id)`.

Zoom and pan for a crowded topic: Ctrl+wheel or + and - zoom, the wheel and Shift+wheel (or the
arrow keys) move, Home shows the whole map.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from briefing.core.dates import format_date
from briefing.core.timeline import StakeholderMap, set_influence, stakeholder_map
from briefing.errors import NotFound
from briefing.export.figures import MapLayout, paint_map
from briefing.ui.editing import push_edit
from briefing.ui.panel import PanelContext, WhenShown

ZOOM_STEP = 1.25
MAX_ZOOM = 12.0
DRAG_START = 4  # pixels the pointer moves before a press becomes a drag


class StakeholderMapWidget(QWidget):
    chosen = Signal(int)  # a stakeholder's mark was clicked
    influence_requested = Signal(int, int)  # (stakeholder id, 1 to 5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Stakeholder map")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chart: StakeholderMap | None = None
        self.selected: int | None = None
        self.zoom_level = 1.0
        self.offset = QPointF(0, 0)  # the top left of the view in the zoomed map
        self._layout: MapLayout | None = None
        self._pressed: tuple[int, QPointF] | None = None
        self._dragging: tuple[int, float] | None = None

    def set_map(self, chart: StakeholderMap | None) -> None:
        if chart is None or self.chart is None or chart.topic_id != self.chart.topic_id:
            self.zoom_level, self.offset = 1.0, QPointF(0, 0)
        self.chart = chart
        ids = {p.stakeholder_id for p in chart.points} if chart else set()
        if self.selected not in ids:
            self.selected = None
        self._dragging = None
        self.setAccessibleDescription(self.describe())
        self.update()

    def describe(self) -> str:
        if self.chart is None:
            return "No topic"
        return f"{len(self.chart.points)} stakeholders by stance and influence"

    def point(self, stakeholder_id: int):
        if self.chart is None:
            return None
        return next((p for p in self.chart.points if p.stakeholder_id == stakeholder_id), None)

    # -- geometry -----------------------------------------------------------------------------

    def _map_rect(self) -> QRectF:
        size = self.size()
        return QRectF(
            -self.offset.x(),
            -self.offset.y(),
            size.width() * self.zoom_level,
            size.height() * self.zoom_level,
        )

    def _clamp(self) -> None:
        width, height = self.width(), self.height()
        most_x = max(0.0, width * self.zoom_level - width)
        most_y = max(0.0, height * self.zoom_level - height)
        self.offset = QPointF(
            min(most_x, max(0.0, self.offset.x())), min(most_y, max(0.0, self.offset.y()))
        )

    def zoom(self, factor: float, around: QPointF | None = None) -> None:
        around = around or QPointF(self.width() / 2, self.height() / 2)
        new = min(MAX_ZOOM, max(1.0, self.zoom_level * factor))
        ratio = new / self.zoom_level
        self.offset = (self.offset + around) * ratio - around
        self.zoom_level = new
        self._clamp()
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        self.offset = QPointF(self.offset.x() + dx, self.offset.y() + dy)
        self._clamp()
        self.update()

    # -- painting and input -------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.chart is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No topic")
            painter.end()
            return
        painter.setClipRect(self.rect())
        self._layout = paint_map(
            painter,
            self._map_rect(),
            self.chart,
            selected=self.selected,
            dragging=self._dragging,
        )
        if self.hasFocus():
            painter.setClipping(False)
            painter.setPen(QColor("#0969da"))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def hit(self, point: QPointF) -> int | None:
        if self._layout is None and self.chart is not None:
            self.repaint()
        return self._layout.hit(point) if self._layout is not None else None

    def mousePressEvent(self, event) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        found = self.hit(event.position())
        if found is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selected = found
            self._pressed = (found, event.position())
            self.update()
            self.chosen.emit(found)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pressed is not None:
            stakeholder_id, start = self._pressed
            if self._dragging or abs(event.position().y() - start.y()) >= DRAG_START:
                self._dragging = (stakeholder_id, event.position().y())
                self.setCursor(Qt.CursorShape.SizeVerCursor)
                if self._layout is not None:
                    level = self._layout.influence_at(event.position().y())
                    QToolTip.showText(event.globalPosition().toPoint(), f"Influence {level}", self)
                self.update()
            return
        found = self.hit(event.position())
        self.setCursor(Qt.CursorShape.OpenHandCursor if found else Qt.CursorShape.ArrowCursor)
        point = self.point(found) if found is not None else None
        if point is not None:
            influence = point.influence if point.influence is not None else "not recorded"
            changed = f"; position changed {point.changed_on:%d %B %Y}" if point.changed_on else ""
            QToolTip.showText(
                event.globalPosition().toPoint(),
                f"{point.name}: influence {influence}{changed}. Drag up or down to change it.",
                self,
            )
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        dragging, self._dragging, self._pressed = self._dragging, None, None
        self.setCursor(Qt.CursorShape.ArrowCursor)
        if dragging is not None and self._layout is not None:
            self._request(dragging[0], self._layout.influence_at(event.position().y()))
        self.update()
        super().mouseReleaseEvent(event)

    def _request(self, stakeholder_id: int, level: int) -> None:
        point = self.point(stakeholder_id)
        level = max(1, min(5, level))
        if point is not None and point.influence != level:
            self.influence_requested.emit(stakeholder_id, level)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP**steps, event.position())
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.pan(-steps * 60, 0)
        else:
            self.pan(-event.angleDelta().x() / 2, -steps * 60)
        event.accept()

    def keyPressEvent(self, event) -> None:
        key, modifiers = event.key(), event.modifiers()
        control = modifiers & Qt.KeyboardModifier.ControlModifier
        if control and key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.selected is not None:
            point = self.point(self.selected)
            if point is not None:
                current = point.influence or 1
                step = 1 if key == Qt.Key.Key_Up else -1
                self._request(self.selected, current + step)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_Home:
            self.zoom_level, self.offset = 1.0, QPointF(0, 0)
            self.update()
        elif key == Qt.Key.Key_Left:
            self.pan(-60, 0)
        elif key == Qt.Key.Key_Right:
            self.pan(60, 0)
        elif key == Qt.Key.Key_Up:
            self.pan(0, -60)
        elif key == Qt.Key.Key_Down:
            self.pan(0, 60)
        else:
            super().keyPressEvent(event)


class MapPanel(QWidget):
    """The "Map" side tab: the map of the current topic as of the window's day. It reads the
    store only while shown (a hidden tab catches up when shown); dragging a mark sets influence
    through the window's undo stack ("Undo Set influence of IBM")."""

    def __init__(self, context: PanelContext) -> None:
        super().__init__()
        self.context = context
        self.shown = context.shown
        self.setAccessibleName("Stakeholder map")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setAccessibleName("About the map")
        self.map = StakeholderMapWidget()
        self.map.chosen.connect(self._choose_card)
        self.map.influence_requested.connect(self._set_influence)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.map, 1)
        self._when_shown = WhenShown(self, self.refresh)
        self._when_shown.mark_stale()
        context.operations.changed.connect(self._on_changes)
        self.shown.topic_changed.connect(lambda _topic: self._mark_stale())
        self.shown.as_of_changed.connect(lambda _day: self._mark_stale())
        self.shown.card_changed.connect(lambda _card: self._follow_card())

    def _on_changes(self, changes) -> None:
        if changes.touches("position", "stakeholder", "topic"):
            self._mark_stale()

    def _mark_stale(self) -> None:
        self._when_shown.request()

    def refresh(self) -> None:
        self._when_shown.stale = False
        topic_id, as_of = self.shown.topic_id, self.shown.as_of
        chart = None
        if topic_id is not None:

            def read(session):
                with contextlib.suppress(NotFound):
                    return stakeholder_map(session, topic_id, as_of=as_of)
                return None

            chart = self.context.runner.read_now(read)
        when = f" as of {format_date(as_of)}" if as_of else " today"
        self.caption.setText(
            f"Each stakeholder by stance{when} (across) and influence (up, 1 to 5). Drag a mark "
            "up or down, or select it and press Ctrl+Up or Ctrl+Down, to set its influence; "
            "Ctrl+wheel zooms."
        )
        self.map.set_map(chart)
        self._follow_card()

    def _follow_card(self) -> None:
        self.map.selected = self.shown.stakeholder_id
        self.map.update()

    def _choose_card(self, stakeholder_id: int) -> None:
        self.context.navigation.card_requested.emit(stakeholder_id)

    def _set_influence(self, stakeholder_id: int, level: int) -> None:
        point = self.map.point(stakeholder_id)
        name = point.name if point is not None else "stakeholder"
        push_edit(
            self.context,
            f"Set influence of {name}",
            lambda session: set_influence(session, stakeholder_id, level),
        )
