"""The drawn timeline: a date axis, a lane per stakeholder, stance spans and marks, in one widget.

It takes a plain `core.timeline.Timeline` (`set_timeline`) and paints it with
`briefing.export.figures.paint_timeline`, the same function the PDF and ODT exports use; there is
no widget per mark, and only the lanes and days in view are drawn.

Zoom and pan: Ctrl+wheel (or + and -) zooms the dates around the pointer, Shift+wheel (or Left
and Right) moves along them, the wheel (or Up, Down, Page Up, Page Down) moves through the lanes,
Home shows everything. Clicking a mark or a span emits `activated(kind, id)` ("event", "quote"
or "position"); the window opens that record. Hovering shows what is under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from briefing.core.timeline import Timeline
from briefing.export.figures import TimelineView, paint_timeline, timeline_hit, whole_view

ZOOM_STEP = 1.25
MIN_DAYS = 14.0  # the narrowest view: two weeks across


class TimelineWidget(QWidget):
    activated = Signal(str, int)  # ("event" | "quote" | "position", id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Timeline")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.timeline: Timeline | None = None
        self.view: TimelineView | None = None
        self.selected: tuple[str, int] | None = None
        self._layout = None

    # -- what is shown ----------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline | None, *, keep_view: bool = True) -> None:
        """Show `timeline`; the dates and lanes in view stay where they were if `keep_view` and
        the timeline is of the same topic."""
        same = (
            keep_view
            and self.timeline is not None
            and timeline is not None
            and timeline.topic_id == self.timeline.topic_id
            and self.view is not None
        )
        self.timeline = timeline
        if not same:
            self.view = whole_view(timeline) if timeline is not None else None
        self.setAccessibleDescription(self.describe())
        self.update()

    def describe(self) -> str:
        if self.timeline is None:
            return "No topic"
        lanes = len(self.timeline.lanes)
        return f"{lanes} lanes, {self.timeline.mark_count} dated positions, events and quotes"

    def show_all(self) -> None:
        if self.timeline is not None:
            self.view = whole_view(self.timeline)
            self.update()

    def zoom(self, factor: float, around: float | None = None) -> None:
        """Zoom the dates by `factor` (> 1 closer), keeping the day at x `around` in place."""
        if self.view is None or self._layout is None:
            return
        view = self.view
        centre = self._layout.day_at(around) if around is not None else (view.start + view.end) / 2
        span = max(MIN_DAYS, (view.end - view.start) / factor)
        share = (centre - view.start) / (view.end - view.start)
        start = centre - span * share
        self.view = TimelineView(start, start + span, view.top)
        self.update()

    def pan(self, fraction: float) -> None:
        """Move along the dates by `fraction` of the days in view (negative: earlier)."""
        if self.view is None:
            return
        shift = (self.view.end - self.view.start) * fraction
        self.view = TimelineView(self.view.start + shift, self.view.end + shift, self.view.top)
        self.update()

    def scroll_lanes(self, lanes: float) -> None:
        if self.view is None or self.timeline is None or self._layout is None:
            return
        shown = self._layout.plot.height() / self._layout.lane_height
        last = max(0.0, len(self.timeline.lanes) - shown + 0.5)
        top = min(last, max(0.0, self.view.top + lanes))
        self.view = TimelineView(self.view.start, self.view.end, top)
        self.update()

    # -- painting and input -----------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.timeline is None or self.view is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No topic")
            painter.end()
            return
        self._layout = paint_timeline(
            painter, QRectF(self.rect()), self.timeline, self.view, selected=self.selected
        )
        if self.hasFocus():
            painter.setPen(QColor("#0969da"))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def _ensure_layout(self) -> None:
        if self._layout is None and self.timeline is not None:
            self.repaint()

    def hit(self, point: QPointF) -> tuple[str, int] | None:
        self._ensure_layout()
        if self._layout is None or self.timeline is None:
            return None
        return timeline_hit(self._layout, self.timeline, point)

    def mousePressEvent(self, event) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        found = self.hit(event.position())
        if found is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selected = found
            self.update()
            self.activated.emit(*found)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        found = self.hit(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if found else Qt.CursorShape.ArrowCursor)
        if found and self.timeline is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self._words(found), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def _words(self, found: tuple[str, int]) -> str:
        kind, record_id = found
        for lane in self.timeline.lanes if self.timeline else ():
            if kind == "position":
                for span in lane.spans:
                    if span.position_id == record_id:
                        return f"{lane.name}: {span.stance}, {span.headline} (click to open)"
            else:
                for mark in lane.marks:
                    if (mark.kind, mark.id) == found:
                        return f"{lane.name}, {mark.when}: {mark.label} (click to open)"
        return ""

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP**steps, event.position().x())
        elif modifiers & Qt.KeyboardModifier.ShiftModifier or event.angleDelta().x():
            self.pan(-0.1 * steps)
        else:
            self.scroll_lanes(-3 * steps)
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_Left:
            self.pan(-0.1)
        elif key == Qt.Key.Key_Right:
            self.pan(0.1)
        elif key == Qt.Key.Key_Up:
            self.scroll_lanes(-1)
        elif key == Qt.Key.Key_Down:
            self.scroll_lanes(1)
        elif key == Qt.Key.Key_PageUp:
            self.scroll_lanes(-10)
        elif key == Qt.Key.Key_PageDown:
            self.scroll_lanes(10)
        elif key == Qt.Key.Key_Home:
            self.show_all()
        else:
            super().keyPressEvent(event)
