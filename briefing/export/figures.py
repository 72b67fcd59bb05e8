"""The timeline and the stakeholder map, painted with QPainter onto any device.

One painting function per figure, `paint_timeline(painter, rect, timeline, view)` and
`paint_map(painter, rect, chart)`, serves the window (`briefing.ui.timeline`,
`briefing.ui.stakeholder_map`), the PDF (through a text-object handler, so the drawing stays
vectors) and the ODT (through an SVG written by QSvgGenerator). Sizes come from the font's
metrics on the painter's device, so a figure reads the same on a screen and on a 1200 dpi page.

Nothing is told by colour alone, so that a figure reads in black and white: each stance is a
colour *and* a pattern, with its word written in the span where it fits and in the legend; events
are diamonds and quotes circles; on the map each kind is a colour *and* a shape, each mark has its
name beside it where there is room, and the columns and rows are named. Colours are looked up in
one place (`stance_colour`, `kind_colour`); stance colours are the app's (`render.briefing`).

Only what falls inside the painter's clip (or the rect) is drawn, and marks of one kind are
filled as one path, so a topic of a thousand lanes and ten thousand marks paints quickly.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextDocument,
    QTextObjectInterface,
)

from briefing.core.dates import format_date
from briefing.core.timeline import MAP_STANCES, NO_INFLUENCE, StakeholderMap, Timeline
from briefing.render.briefing import STANCE_COLOURS
from briefing.render.detail import kind_label, stance_label

# -- colours and patterns: the one place to look them up -----------------------------------------

KIND_COLOURS = {
    "company": "#0969da",
    "person": "#8250df",
    "ngo": "#1a7f37",
    "police": "#24324a",
    "regulator": "#bc4c00",
    "legislature": "#9a6700",
    "government": "#cf222e",
    "academic": "#1b7c83",
    "other": "#6e7781",
    "topic": "#57606a",
}
# A pattern over each stance's colour, so that stances differ in black and white too.
STANCE_PATTERNS = {
    "opposes": Qt.BrushStyle.BDiagPattern,
    "supports": Qt.BrushStyle.NoBrush,
    "conditional": Qt.BrushStyle.Dense6Pattern,
    "unclear": Qt.BrushStyle.HorPattern,
    None: Qt.BrushStyle.NoBrush,
}
KIND_SHAPES = {
    "company": "square",
    "person": "circle",
    "ngo": "triangle",
    "police": "diamond",
    "regulator": "hexagon",
    "legislature": "down",
    "government": "down",
    "academic": "circle",
    "other": "circle",
}
INK = QColor("#1f2328")
MUTED = QColor("#57606a")
GRID = QColor("#d0d7de")
LANE_SHADE = QColor("#f6f8fa")
AS_OF = QColor("#0969da")
FONT_FAMILY = "DejaVu Sans"


def stance_colour(stance: str | None) -> QColor:
    return QColor(STANCE_COLOURS.get(stance, STANCE_COLOURS[None])[0])


def stance_text_colour(stance: str | None) -> QColor:
    return QColor(STANCE_COLOURS.get(stance, STANCE_COLOURS[None])[1])


def kind_colour(kind: str) -> QColor:
    return QColor(KIND_COLOURS.get(kind, KIND_COLOURS["other"]))


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


# -- the timeline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineView:
    """The part of the timeline shown: days `start` to `end` (ordinals, may be fractions) across,
    and lanes from `top` (a lane index, may be a fraction) down."""

    start: float
    end: float
    top: float = 0.0


def whole_view(timeline: Timeline) -> TimelineView:
    """Every dated thing with a margin either side (a year around a single day)."""
    if timeline.first is None or timeline.last is None:
        today = dt.date.today().toordinal()
        return TimelineView(today - 365, today + 30)
    first, last = timeline.first.toordinal(), timeline.last.toordinal()
    if timeline.as_of is not None:
        first, last = min(first, timeline.as_of.toordinal()), max(last, timeline.as_of.toordinal())
    margin = max(30.0, (last - first) * 0.06)
    return TimelineView(first - margin, last + margin)


@dataclass(frozen=True)
class TimelineLayout:
    """Where things go in a rect: the gutter of lane names, the plot, the lane height."""

    rect: QRectF
    plot: QRectF
    lane_height: float
    axis_height: float
    legend_height: float
    view: TimelineView

    def x(self, day: float) -> float:
        view = self.view
        return self.plot.left() + (day - view.start) / (view.end - view.start) * self.plot.width()

    def day_at(self, x: float) -> float:
        view = self.view
        return view.start + (x - self.plot.left()) / self.plot.width() * (view.end - view.start)

    def lane_top(self, lane: int) -> float:
        return self.plot.top() + (lane - self.view.top) * self.lane_height

    def lane_at(self, y: float) -> int | None:
        if y < self.plot.top():
            return None
        return int(math.floor((y - self.plot.top()) / self.lane_height + self.view.top))

    def visible_lanes(self, count: int) -> range:
        first = max(0, int(math.floor(self.view.top)))
        shown = int(math.ceil(self.plot.height() / self.lane_height)) + 1
        return range(first, min(count, first + shown))


def timeline_layout(
    rect: QRectF,
    timeline: Timeline,
    view: TimelineView,
    device=None,
    *,
    legend: bool = True,
    points: float = 8.0,
) -> TimelineLayout:
    metrics = QFontMetricsF(_font(points), device) if device is not None else None
    line = metrics.height() if metrics else points * 1.6
    names = [lane.name for lane in timeline.lanes[:200]]
    widest = max((metrics.horizontalAdvance(n) for n in names), default=0) if metrics else 0
    gutter = min(rect.width() * 0.28, widest + line)
    axis = line * 2.4
    legend_height = line * 1.8 if legend else 0.0
    plot = QRectF(
        rect.left() + gutter,
        rect.top() + axis,
        max(1.0, rect.width() - gutter - line * 0.5),
        max(1.0, rect.height() - axis - legend_height),
    )
    return TimelineLayout(rect, plot, line * 2.4, axis, legend_height, view)


def timeline_height(timeline: Timeline, width: float, device=None, *, points: float = 8.0) -> float:
    """The height that shows every lane of `timeline` at `width`."""
    layout = timeline_layout(
        QRectF(0, 0, width, 1000), timeline, whole_view(timeline), device, points=points
    )
    return layout.axis_height + layout.legend_height + layout.lane_height * len(timeline.lanes)


def _ticks(start: float, end: float, width: float, label_width: float) -> list[tuple[float, str]]:
    """Axis ticks at whole years, months or days, as many as fit their labels."""
    first = dt.date.fromordinal(max(1, int(start)))
    last = dt.date.fromordinal(max(1, int(end) + 1))
    room = max(1, int(width / max(label_width, 1)))
    span = max(1.0, end - start)
    ticks: list[tuple[float, str]] = []
    if span / 365 > room * 0.8:  # years, every n-th
        step = max(1, math.ceil(span / 365 / room))
        for year in range(first.year, last.year + 1):
            if year % step == 0:
                ticks.append((dt.date(year, 1, 1).toordinal(), str(year)))
    elif span / 30 > room * 0.8:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        step = max(1, math.ceil(months / room))
        for index in range(months + 1):
            year, month = divmod(first.year * 12 + first.month - 1 + index, 12)
            if (month % step) == 0:
                day = dt.date(year, month + 1, 1)
                ticks.append((day.toordinal(), day.strftime("%b %Y")))
    else:
        step = max(1, math.ceil(span / room))
        day = first
        while day <= last:
            if day.toordinal() % step == 0:
                ticks.append((day.toordinal(), f"{day.day} {day:%b %Y}"))
            day += dt.timedelta(days=1)
    return [(t, label) for t, label in ticks if start <= t <= end]


def _diamond(path: QPainterPath, x: float, y: float, r: float) -> None:
    path.addPolygon(
        QPolygonF(
            [
                QPointF(x, y - r),
                QPointF(x + r, y),
                QPointF(x, y + r),
                QPointF(x - r, y),
                QPointF(x, y - r),
            ]
        )
    )


def paint_timeline(
    painter: QPainter,
    rect: QRectF,
    timeline: Timeline,
    view: TimelineView | None = None,
    *,
    legend: bool = True,
    points: float = 8.0,
    selected: tuple[str, int] | None = None,
) -> TimelineLayout:
    """Paint the timeline into `rect`; returns the layout, which says where everything went."""
    view = view or whole_view(timeline)
    layout = timeline_layout(rect, timeline, view, painter.device(), legend=legend, points=points)
    font = _font(points)
    small = _font(points * 0.9)
    metrics = QFontMetricsF(font, painter.device())
    line = metrics.height()
    plot = layout.plot
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    painter.setFont(font)

    # the axis: ticks across the top, faint lines down the plot
    label_width = metrics.horizontalAdvance("Sep 2020") * 1.6
    ticks = _ticks(view.start, view.end, plot.width(), label_width)
    painter.setPen(QPen(GRID, 0))
    for day, _label in ticks:
        x = layout.x(day)
        painter.drawLine(
            QPointF(x, rect.top() + layout.axis_height * 0.6), QPointF(x, plot.bottom())
        )
    painter.setPen(INK)
    for day, label in ticks:
        x = layout.x(day)
        painter.drawText(
            QRectF(x + line * 0.2, rect.top(), label_width, layout.axis_height * 0.6),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            label,
        )

    lanes = timeline.lanes
    shown = layout.visible_lanes(len(lanes))
    height = layout.lane_height
    gutter = QRectF(rect.left(), plot.top(), plot.left() - rect.left(), plot.height())
    painter.save()
    painter.setClipRect(
        QRectF(rect.left(), plot.top(), rect.width(), plot.height()), Qt.ClipOperation.IntersectClip
    )
    # lane shading and names
    for index in shown:
        top = layout.lane_top(index)
        if index % 2:
            painter.fillRect(QRectF(rect.left(), top, rect.width(), height), LANE_SHADE)
        lane = lanes[index]
        painter.setPen(INK if lane.stakeholder_id is not None else MUTED)
        name = metrics.elidedText(
            lane.name, Qt.TextElideMode.ElideRight, gutter.width() - line * 0.5
        )
        painter.drawText(
            QRectF(rect.left() + line * 0.2, top, gutter.width(), height),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            name,
        )
    right_end = view.end
    if timeline.last is not None:
        right_end = min(view.end, max(timeline.last.toordinal(), view.start) + 1e9)
    # stance spans: colour, then the stance's pattern, then its word where it fits
    painter.setClipRect(plot, Qt.ClipOperation.IntersectClip)
    band = height * 0.42
    for index in shown:
        top = layout.lane_top(index)
        y = top + height - band - height * 0.1
        for span in lanes[index].spans:
            end = span.end.toordinal() if span.end is not None else right_end
            if end < view.start or span.start.toordinal() > view.end:
                continue
            left = max(plot.left() - 2, layout.x(span.start.toordinal()))
            right = min(plot.right() + 2, layout.x(end))
            box = QRectF(left, y, max(1.0, right - left), band)
            painter.fillRect(box, stance_colour(span.stance))
            pattern = STANCE_PATTERNS.get(span.stance, Qt.BrushStyle.NoBrush)
            if pattern != Qt.BrushStyle.NoBrush:
                painter.fillRect(box, QBrush(QColor(255, 255, 255, 150), pattern))
            selected_span = selected == ("position", span.position_id)
            painter.setPen(QPen(INK, line * (0.12 if selected_span else 0.03)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
            word = stance_label(span.stance)
            if box.width() > metrics.horizontalAdvance(word) + line:
                painter.setFont(small)
                back = QRectF(
                    box.left() + line * 0.3,
                    box.top() + band * 0.12,
                    metrics.horizontalAdvance(word) + line * 0.3,
                    band * 0.76,
                )
                painter.fillRect(back, stance_colour(span.stance))
                painter.setPen(stance_text_colour(span.stance))
                painter.drawText(back, Qt.AlignmentFlag.AlignCenter, word)
                painter.setFont(font)
    # marks: diamonds for events, circles for quotes, filled as one path per kind
    events, quotes = QPainterPath(), QPainterPath()
    radius = line * 0.32
    labels: list[tuple[float, float, float, str]] = []
    for index in shown:
        top = layout.lane_top(index)
        y = top + height - band - height * 0.1
        free_from = -math.inf
        marks = lanes[index].marks
        for number, mark in enumerate(marks):
            day = mark.on.toordinal()
            if day < view.start - 1 or day > view.end + 1:
                continue
            x = layout.x(day)
            if mark.kind == "event":
                _diamond(events, x, y, radius * 1.2)
            else:
                quotes.addEllipse(QPointF(x, y), radius, radius)
            # a label above the mark if it fits before the next mark of the lane
            nxt = next((m for m in marks[number + 1 :] if m.on.toordinal() > day), None)
            room = (layout.x(nxt.on.toordinal()) if nxt else plot.right()) - x - line * 0.3
            wanted = line * (3 if mark.kind == "event" else 6)
            if x - radius > free_from and room > wanted:
                labels.append((x - radius, top, room, mark.label))
                free_from = x + min(room, metrics.horizontalAdvance(mark.label) + line * 0.3)
    painter.setPen(QPen(QColor("#ffffff"), line * 0.06))
    painter.setBrush(INK)
    painter.drawPath(events)
    painter.setPen(QPen(INK, line * 0.08))
    painter.setBrush(QColor("#ffffff"))
    painter.drawPath(quotes)
    if selected is not None and selected[0] in ("event", "quote"):
        for index in shown:
            for mark in lanes[index].marks:
                if (mark.kind, mark.id) == selected:
                    x = layout.x(mark.on.toordinal())
                    y = layout.lane_top(index) + height - band - height * 0.1
                    painter.setPen(QPen(AS_OF, line * 0.15))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawEllipse(QPointF(x, y), radius * 2.2, radius * 2.2)
    painter.setFont(small)
    painter.setPen(INK)
    small_metrics = QFontMetricsF(small, painter.device())
    for x, top, room, label in labels:
        text = small_metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
        painter.drawText(
            QRectF(x, top, room, height - band - height * 0.1 - radius),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            text,
        )
    painter.restore()

    # the day the view stands on
    if timeline.as_of is not None and view.start <= timeline.as_of.toordinal() <= view.end:
        x = layout.x(timeline.as_of.toordinal())
        pen = QPen(AS_OF, line * 0.12, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(
            QPointF(x, rect.top() + layout.axis_height * 0.55), QPointF(x, plot.bottom())
        )
        painter.setFont(_font(points, bold=True))
        words = f"as of {format_date(timeline.as_of)}"
        width = QFontMetricsF(painter.font(), painter.device()).horizontalAdvance(words) + line
        box = QRectF(x - width / 2, rect.top() + layout.axis_height * 0.55, width, line)
        box.moveLeft(max(plot.left(), min(box.left(), plot.right() - width)))
        painter.fillRect(box, QColor("#ffffff"))
        painter.setPen(AS_OF)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, words)
        painter.setFont(font)
    painter.setPen(QPen(GRID, 0))
    painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.right(), plot.top()))
    if not lanes:
        painter.setPen(MUTED)
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing dated on this topic yet")
    if legend:
        _timeline_legend(
            painter,
            QRectF(
                rect.left(),
                rect.bottom() - layout.legend_height,
                rect.width(),
                layout.legend_height,
            ),
            points,
        )
    painter.restore()
    return layout


def _timeline_legend(painter: QPainter, rect: QRectF, points: float) -> None:
    font = _font(points * 0.9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    line = metrics.height()
    x = rect.left() + line * 0.2
    y = rect.top() + (rect.height() - line) / 2
    for stance in ("opposes", "conditional", "supports", "unclear"):
        box = QRectF(x, y + line * 0.15, line * 1.6, line * 0.7)
        painter.fillRect(box, stance_colour(stance))
        pattern = STANCE_PATTERNS[stance]
        if pattern != Qt.BrushStyle.NoBrush:
            painter.fillRect(box, QBrush(QColor(255, 255, 255, 150), pattern))
        painter.setPen(QPen(INK, 0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        x = box.right() + line * 0.3
        word = stance_label(stance)
        painter.drawText(QPointF(x, y + metrics.ascent()), word)
        x += metrics.horizontalAdvance(word) + line
    path = QPainterPath()
    _diamond(path, x + line * 0.4, y + line / 2, line * 0.38)
    painter.setBrush(INK)
    painter.drawPath(path)
    painter.drawText(QPointF(x + line, y + metrics.ascent()), "event")
    x += line + metrics.horizontalAdvance("event") + line
    painter.setBrush(QColor("#ffffff"))
    painter.drawEllipse(QPointF(x + line * 0.4, y + line / 2), line * 0.3, line * 0.3)
    painter.drawText(QPointF(x + line, y + metrics.ascent()), "quote")


def timeline_hit(
    layout: TimelineLayout, timeline: Timeline, point: QPointF
) -> tuple[str, int] | None:
    """What is under `point`: ("event" | "quote", id) for a mark, ("position", id) for a span,
    or None."""
    index = layout.lane_at(point.y())
    if index is None or not 0 <= index < len(timeline.lanes) or point.x() < layout.plot.left():
        return None
    lane = timeline.lanes[index]
    height = layout.lane_height
    band = height * 0.42
    y = layout.lane_top(index) + height - band - height * 0.1
    reach = max(height * 0.25, 4.0)
    best, best_distance = None, reach
    for mark in lane.marks:
        distance = math.hypot(layout.x(mark.on.toordinal()) - point.x(), y - point.y())
        if distance <= best_distance:
            best, best_distance = (mark.kind, mark.id), distance
    if best is not None:
        return best
    day = layout.day_at(point.x())
    if y <= point.y() <= y + band:
        for span in lane.spans:
            end = span.end.toordinal() if span.end is not None else math.inf
            if span.start.toordinal() <= day < end:
                return ("position", span.position_id)
    return None


# -- the stakeholder map -------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayout:
    rect: QRectF
    plot: QRectF
    column_width: float
    row_height: float
    places: dict[int, QPointF]  # stakeholder id -> where its mark is
    radius: float
    rooms: dict[int, float]  # stakeholder id -> the width its label may take
    steps: dict[int, float]  # stakeholder id -> the height between rows of its cell

    def influence_at(self, y: float) -> int:
        level = 5 - int((y - self.plot.top()) // self.row_height)
        return max(1, min(5, level))

    def hit(self, point: QPointF) -> int | None:
        best, best_distance = None, self.radius * 1.6
        for stakeholder_id, place in self.places.items():
            distance = math.hypot(place.x() - point.x(), place.y() - point.y())
            if distance <= best_distance:
                best, best_distance = stakeholder_id, distance
        return best


def map_layout(
    rect: QRectF, chart: StakeholderMap, device=None, *, points: float = 8.0
) -> MapLayout:
    metrics = QFontMetricsF(_font(points), device)
    line = metrics.height()
    left = metrics.horizontalAdvance("Influence 5") + line
    top = line * 2.0
    bottom = line * 1.8
    plot = QRectF(
        rect.left() + left,
        rect.top() + top,
        max(1.0, rect.width() - left - line * 0.5),
        max(1.0, rect.height() - top - bottom),
    )
    column_width = plot.width() / len(MAP_STANCES)
    row_height = plot.height() / 5
    cells: dict[tuple[int, int], list[int]] = {}
    for point in chart.points:
        column = (
            MAP_STANCES.index(point.stance) if point.stance in MAP_STANCES else len(MAP_STANCES) - 1
        )
        level = point.influence or NO_INFLUENCE
        cells.setdefault((column, level), []).append(point.stakeholder_id)
    radius = line * 0.38
    places: dict[int, QPointF] = {}
    rooms: dict[int, float] = {}
    steps: dict[int, float] = {}
    for (column, level), ids in cells.items():
        cell = QRectF(
            plot.left() + column * column_width,
            plot.top() + (5 - level) * row_height,
            column_width,
            row_height,
        )
        # rows of marks in the cell, a label's room apart across; more across when crowded
        across = max(1, min(len(ids), int(cell.width() // (line * 9))))
        while math.ceil(len(ids) / across) * line * 1.2 > cell.height() and across < len(ids):
            across += 1
        rows = math.ceil(len(ids) / across)
        step_x = cell.width() / across
        step_y = cell.height() / (rows + 0.2)
        for number, stakeholder_id in enumerate(ids):
            row, col = divmod(number, across)
            places[stakeholder_id] = QPointF(
                cell.left() + step_x * col + radius * 1.8,
                cell.top() + step_y * (row + 0.6),
            )
            rooms[stakeholder_id] = step_x - radius * 3.6
            steps[stakeholder_id] = step_y
    return MapLayout(rect, plot, column_width, row_height, places, radius, rooms, steps)


def _shape(path: QPainterPath, shape: str, x: float, y: float, r: float) -> None:
    if shape == "square":
        path.addRect(QRectF(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8))
    elif shape == "triangle":
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(x, y - r * 1.1),
                    QPointF(x + r, y + r * 0.8),
                    QPointF(x - r, y + r * 0.8),
                    QPointF(x, y - r * 1.1),
                ]
            )
        )
    elif shape == "down":
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(x, y + r * 1.1),
                    QPointF(x + r, y - r * 0.8),
                    QPointF(x - r, y - r * 0.8),
                    QPointF(x, y + r * 1.1),
                ]
            )
        )
    elif shape == "diamond":
        _diamond(path, x, y, r * 1.2)
    elif shape == "hexagon":
        corners = [
            QPointF(x + r * math.cos(a * math.pi / 3), y + r * math.sin(a * math.pi / 3))
            for a in range(7)
        ]
        path.addPolygon(QPolygonF(corners))
    else:
        path.addEllipse(QPointF(x, y), r, r)


def paint_map(
    painter: QPainter,
    rect: QRectF,
    chart: StakeholderMap,
    *,
    points: float = 8.0,
    selected: int | None = None,
    dragging: tuple[int, float] | None = None,
    legend: bool = True,
) -> MapLayout:
    """Paint the map into `rect`: stance across (columns named), influence up (rows 1 to 5),
    each stakeholder a mark in its kind's colour and shape with its name where there is room.
    `dragging` (stakeholder id, y) draws that mark where the pointer holds it."""
    layout_rect = QRectF(rect)
    font = _font(points)
    metrics = QFontMetricsF(font, painter.device())
    line = metrics.height()
    legend_height = line * 1.6 if legend else 0.0
    layout_rect.setBottom(rect.bottom() - legend_height)
    layout = map_layout(layout_rect, chart, painter.device(), points=points)
    plot = layout.plot
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    painter.setFont(font)
    # columns: each stance's name above it, a faint wash of its colour and pattern
    for column, stance in enumerate(MAP_STANCES):
        box = QRectF(
            plot.left() + column * layout.column_width,
            plot.top(),
            layout.column_width,
            plot.height(),
        )
        wash = stance_colour(stance)
        wash.setAlpha(28)
        painter.fillRect(box, wash)
        painter.setPen(INK)
        title = stance_label(stance) if stance is not None else "No position"
        painter.drawText(
            QRectF(box.left(), rect.top(), box.width(), line * 1.6),
            Qt.AlignmentFlag.AlignCenter,
            title,
        )
        chip = QRectF(box.left(), plot.top() - line * 0.35, box.width(), line * 0.3)
        painter.fillRect(chip, stance_colour(stance))
        pattern = STANCE_PATTERNS.get(stance, Qt.BrushStyle.NoBrush)
        if pattern != Qt.BrushStyle.NoBrush:
            painter.fillRect(chip, QBrush(QColor(255, 255, 255, 150), pattern))
    painter.setPen(QPen(GRID, 0))
    for column in range(len(MAP_STANCES) + 1):
        x = plot.left() + column * layout.column_width
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
    for level in range(6):
        y = plot.top() + level * layout.row_height
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
    painter.setPen(INK)
    for level in range(1, 6):
        y = plot.top() + (5 - level) * layout.row_height
        painter.drawText(
            QRectF(rect.left(), y, plot.left() - rect.left() - line * 0.3, layout.row_height),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"Influence {level}",
        )
    # marks, one path per kind
    by_kind: dict[str, QPainterPath] = {}
    hollow = QPainterPath()
    places = dict(layout.places)
    if dragging is not None and dragging[0] in places:
        places[dragging[0]] = QPointF(
            places[dragging[0]].x(), max(plot.top(), min(plot.bottom(), dragging[1]))
        )
    radius = layout.radius
    # labels only where a cell gives each mark a line and a label's room
    crowded = {
        stakeholder_id
        for stakeholder_id, room in layout.rooms.items()
        if room < line * 3 or layout.steps[stakeholder_id] < line * 1.1
    }
    for point in chart.points:
        place = places[point.stakeholder_id]
        shape = KIND_SHAPES.get(point.kind, "circle")
        path = hollow if point.influence is None else by_kind.setdefault(point.kind, QPainterPath())
        _shape(path, shape, place.x(), place.y(), radius)
        if point.influence is None:
            by_kind.setdefault(point.kind, QPainterPath())
    painter.setPen(QPen(INK, line * 0.05))
    for kind, path in by_kind.items():
        painter.setBrush(kind_colour(kind))
        painter.drawPath(path)
    painter.setBrush(QColor("#ffffff"))
    painter.drawPath(hollow)
    # names beside the marks where the cell leaves room
    painter.setFont(_font(points * 0.9))
    small = QFontMetricsF(painter.font(), painter.device())
    painter.setPen(INK)
    for point in chart.points:
        if point.stakeholder_id not in crowded:
            place = places[point.stakeholder_id]
            room = layout.rooms[point.stakeholder_id]
            name = point.name + (" *" if point.changed_on else "")
            text = small.elidedText(name, Qt.TextElideMode.ElideRight, max(room, line))
            painter.drawText(
                QPointF(place.x() + radius * 1.4, place.y() + small.ascent() / 2.5), text
            )
    if selected is not None and selected in places:
        place = places[selected]
        painter.setPen(QPen(AS_OF, line * 0.15))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(place, radius * 2, radius * 2)
    if not chart.points:
        painter.setPen(MUTED)
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No stakeholders on this topic yet")
    if legend:
        _map_legend(
            painter,
            QRectF(rect.left(), rect.bottom() - legend_height, rect.width(), legend_height),
            chart,
            points,
            any(p.changed_on for p in chart.points),
        )
    painter.restore()
    return layout


def _map_legend(
    painter: QPainter, rect: QRectF, chart: StakeholderMap, points: float, changed: bool
) -> None:
    font = _font(points * 0.9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    line = metrics.height()
    x = rect.left() + line * 0.2
    y = rect.top() + rect.height() / 2
    kinds = list(dict.fromkeys(point.kind for point in chart.points))
    for kind in kinds:
        path = QPainterPath()
        _shape(path, KIND_SHAPES.get(kind, "circle"), x + line * 0.4, y, line * 0.32)
        painter.setPen(QPen(INK, line * 0.05))
        painter.setBrush(kind_colour(kind))
        painter.drawPath(path)
        word = kind_label(kind)
        painter.setPen(INK)
        painter.drawText(QPointF(x + line, y + metrics.ascent() / 2.5), word)
        x += line + metrics.horizontalAdvance(word) + line * 0.8
    extra = []
    if any(point.influence is None for point in chart.points):
        extra.append("hollow: influence not recorded")
    if changed:
        extra.append("* position changed after this day")
    if extra:
        painter.setPen(MUTED)
        painter.drawText(QPointF(x, y + metrics.ascent() / 2.5), "; ".join(extra))


# -- in exported documents -----------------------------------------------------------------------


def figure_names(content) -> dict[str, object]:
    """The figures a briefing draws, by the name its HTML gives them (`figure:<name>`)."""
    from briefing.render.briefing import figure_timeline

    found: dict[str, object] = {}
    if content.stakeholder_map is not None:
        found["map"] = content.stakeholder_map
    if content.timeline is not None:
        found["timeline"] = figure_timeline(content.timeline)
    return found


def paint_figure(painter: QPainter, rect: QRectF, figure) -> None:
    painter.save()
    painter.fillRect(rect, QColor("#ffffff"))
    if isinstance(figure, Timeline):
        paint_timeline(painter, rect, figure)
    else:
        paint_map(painter, rect, figure)
    painter.restore()


def figure_svg(figure, width: int, height: int) -> bytes:
    """The figure as an SVG document of `width` x `height` CSS pixels: vectors and text."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtSvg import QSvgGenerator

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setResolution(96)
    generator.setTitle("Positions over time" if isinstance(figure, Timeline) else "Stakeholder map")
    painter = QPainter()
    if not painter.begin(generator):
        raise RuntimeError("Qt could not start an SVG drawing")
    try:
        paint_figure(painter, QRectF(0, 0, width, height), figure)
    finally:
        painter.end()
        buffer.close()
    return bytes(data.data())


class FigureHandler(QObject, QTextObjectInterface):
    """Paints the `figure:<name>` images of a QTextDocument with `paint_figure`, so that a PDF
    holds the drawing as vectors, at the width of the page's text (its height in proportion).
    Registered for the document's images; an image that is not a figure is drawn as Qt would."""

    def __init__(self, figures: dict[str, object], document, parent=None) -> None:
        super().__init__(parent)
        self.figures = figures
        self.document = document

    def _figure(self, fmt):
        from briefing.render.briefing import FIGURE_SCHEME

        name = fmt.toImageFormat().name()
        prefix = f"{FIGURE_SCHEME}:"
        return self.figures.get(name[len(prefix) :]) if name.startswith(prefix) else None

    def intrinsicSize(self, document, _position, fmt):
        from briefing.render.briefing import FIGURE_WIDTH

        image = fmt.toImageFormat()
        width = document.pageSize().width() or document.textWidth()
        if width <= 0:
            width = FIGURE_WIDTH
        scale = width / FIGURE_WIDTH
        height = image.height() if image.height() > 0 else FIGURE_WIDTH * 0.6
        # never taller than a page: Qt cannot split one line over two pages
        page = document.pageSize().height()
        size = QSizeF(width * 0.999, height * scale)
        if page > 0 and size.height() > page * 0.95:
            size = QSizeF(size.width(), page * 0.95)
        return size

    def drawObject(self, painter, rect, _document, _position, fmt):
        figure = self._figure(fmt)
        if figure is None:
            image = self.document.resource(
                QTextDocument.ResourceType.ImageResource, fmt.toImageFormat().name()
            )
            if isinstance(image, QImage) and not image.isNull():
                painter.drawImage(rect, image)
            return
        paint_figure(painter, QRectF(rect), figure)
