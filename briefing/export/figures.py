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

Only the lanes and marks in view are drawn (a lane's marks found by bisection over their days),
and in vector output marks of one kind are filled as one path, so a topic of a thousand lanes
and ten thousand marks paints quickly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QStaticText,
    QTransform,
)

from briefing.core.dates import format_date
from briefing.core.timeline import MAP_STANCES, NO_INFLUENCE, StakeholderMap, Timeline
from briefing.render import palette
from briefing.render.briefing import STANCE_COLOURS
from briefing.render.detail import kind_label, stance_label

# -- colours and patterns: the one place to look them up -----------------------------------------

KIND_COLOURS = palette.KIND
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


@functools.lru_cache(maxsize=8)
def _bold(points: float) -> QFont:
    """The bold font of the "as of" label, made once per size (drawn on every frame)."""
    return _font(points, bold=True)


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


# -- drawing many things quickly ----------------------------------------------------------------
#
# On a screen or an image (Qt's raster engine) the words that scrolling, zooming and dragging
# draw again and again (lane names, stance words, labels) are elided and laid out once, as
# QStaticText, then stamped; each mark is stamped from a small image of its kind drawn once, at
# whole pixels. Every mark and word in view is still drawn on every paint. On a PDF or an SVG
# the same things are drawn as plain text and paths, so that they stay text and vectors.

_STATIC: dict[tuple, QStaticText] = {}
_ELIDED: dict[tuple, str] = {}
_METRICS: dict[tuple, QFontMetricsF] = {}
_CACHE_LIMIT = 60_000


def _font_key(font: QFont) -> tuple:
    """What tells the figures' fonts apart, cheaply (QFont.key() costs as much as a lookup)."""
    return (font.family(), font.pointSizeF(), font.bold())


def _fast(painter: QPainter) -> bool:
    engine = painter.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.Raster


def _metrics(font: QFont, dpi: int) -> QFontMetricsF:
    key = (_font_key(font), dpi)
    found = _METRICS.get(key)
    if found is None:
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        image.setDotsPerMeterX(round(dpi / 0.0254))
        image.setDotsPerMeterY(round(dpi / 0.0254))
        found = _METRICS[key] = QFontMetricsF(font, image)
    return found


_WIDTHS: dict[tuple, float] = {}


def _width(metrics: QFontMetricsF, text: str) -> float:
    """The width of one of the few words drawn on every span (stance words), measured once."""
    key = (id(metrics), text)
    found = _WIDTHS.get(key)
    if found is None:
        found = _WIDTHS[key] = metrics.horizontalAdvance(text)
    return found


def _elided(font: QFont, dpi: int, text: str, width: float) -> str:
    key = (_font_key(font), dpi, text, int(width))
    found = _ELIDED.get(key)
    if found is None:
        if len(_ELIDED) > _CACHE_LIMIT:
            _ELIDED.clear()
        found = _ELIDED[key] = _metrics(font, dpi).elidedText(
            text, Qt.TextElideMode.ElideRight, width
        )
    return found


def _text(
    painter: QPainter, x: float, top: float, height: float, text: str, font: QFont, fast: bool
) -> None:
    """`text` from `x`, centred in the band `top` to `top + height`, in the painter's font."""
    if not text:
        return
    if not fast:
        painter.drawText(
            QRectF(x, top, 1e5, height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        return
    key = (_font_key(font), text)
    static = _STATIC.get(key)
    if static is None:
        if len(_STATIC) > _CACHE_LIMIT:
            _STATIC.clear()
        static = _STATIC[key] = QStaticText(text)
        static.setTextFormat(Qt.TextFormat.PlainText)
        static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
        static.prepare(QTransform(), font)
    painter.drawStaticText(QPointF(x, top + (height - static.size().height()) / 2), static)


_LAID_OUT: dict[tuple, dict] = {}


def _texts(
    painter: QPainter,
    font: QFont,
    dpi: int,
    fast: bool,
    items: list[tuple[float, float, float, str, float]],
) -> None:
    """Many words in the painter's font and pen: each item is (x, top, height, text, width),
    the text elided to `width` and centred in the band `top` to `top + height` as `_text` does.
    On a screen each (text, width) is elided and laid out once, then stamped: one lookup and
    one call per word while scrolling, zooming or dragging."""
    if not fast:
        for x, top, height, text, width in items:
            _text(painter, x, top, height, _elided(font, dpi, text, width), font, False)
        return
    key = (_font_key(font), dpi)
    cache = _LAID_OUT.get(key)
    if cache is None or len(cache) > _CACHE_LIMIT:
        cache = _LAID_OUT[key] = {}
    draw = painter.drawStaticText
    for x, top, height, text, width in items:
        found = cache.get((text, int(width)))
        if found is None:
            elided = _elided(font, dpi, text, width)
            static = None
            if elided:
                static = QStaticText(elided)
                static.setTextFormat(Qt.TextFormat.PlainText)
                static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
                static.prepare(QTransform(), font)
            found = cache[(text, int(width))] = (
                static,
                static.size().height() if static is not None else 0.0,
            )
        static, text_height = found
        if static is not None:
            draw(QPointF(x, top + (height - text_height) / 2), static)


_DAYS: dict[str, tuple] = {}


def _lane_days(timeline: Timeline) -> tuple[list[list[int]], list[list[int | None]], list[list]]:
    """Each lane's marks as day numbers, for each mark the day of the next mark on a later
    day (None for the last), and each lane's spans as (start day, end day or None, stance,
    position id), kept for the last timeline drawn."""
    cached = _DAYS.get("last")
    if cached is not None and cached[0] is timeline:
        return cached[1], cached[2], cached[3]
    days = [[mark.on.toordinal() for mark in lane.marks] for lane in timeline.lanes]
    following: list[list[int | None]] = []
    for lane_days in days:
        after: list[int | None] = [None] * len(lane_days)
        later: int | None = None
        for number in range(len(lane_days) - 1, -1, -1):
            after[number] = later
            if number == 0 or lane_days[number - 1] != lane_days[number]:
                later = lane_days[number]
        following.append(after)
    spans = [
        [
            (
                span.start.toordinal(),
                span.end.toordinal() if span.end is not None else None,
                span.stance,
                span.position_id,
            )
            for span in lane.spans
        ]
        for lane in timeline.lanes
    ]
    _DAYS["last"] = (timeline, days, following, spans)
    return days, following, spans


_SPRITES: dict[tuple, QImage] = {}
_TILES: dict[str | None, QBrush] = {}


def _stance_tile(stance: str | None) -> QBrush:
    """A brush of the stance's colour with its pattern over it, as a tile (screens only)."""
    brush = _TILES.get(stance)
    if brush is None:
        # opaque (no alpha channel): Qt copies such a tile rather than blending it
        tile = QImage(8, 8, QImage.Format.Format_RGB32)
        tile.fill(stance_colour(stance))
        pattern = STANCE_PATTERNS.get(stance, Qt.BrushStyle.NoBrush)
        if pattern != Qt.BrushStyle.NoBrush:
            painter = QPainter(tile)
            painter.fillRect(QRectF(0, 0, 8, 8), QBrush(QColor(255, 255, 255, 150), pattern))
            painter.end()
            brush = QBrush(tile)
        else:  # no pattern: the plain colour, which fills quicker than a tile of it
            brush = QBrush(stance_colour(stance))
        _TILES[stance] = brush
    return brush


def _chip(
    stance: str | None, font: QFont, metrics: QFontMetricsF, dpi: int, line: float, band: float
) -> QImage:
    """The stance's word on its colour, as drawn on a wide span (screens only)."""
    word = stance_label(stance)
    width, height = _width(metrics, word) + line * 0.4, band * 0.76
    key = ("chip", stance, width, height, dpi)
    chip = _SPRITES.get(key)
    if chip is None:
        chip = QImage(math.ceil(width), math.ceil(height), QImage.Format.Format_RGB32)
        chip.fill(stance_colour(stance))
        chip.setDotsPerMeterX(round(dpi / 0.0254))
        chip.setDotsPerMeterY(round(dpi / 0.0254))
        chip_painter = QPainter(chip)
        chip_painter.setFont(font)
        chip_painter.setPen(stance_text_colour(stance))
        chip_painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, word)
        chip_painter.end()
        _SPRITES[key] = chip
    return chip


def _sprite(kind: str, radius: float, line: float) -> QImage:
    """A mark drawn once into a small image, to be stamped wherever such a mark goes."""
    key = (kind, round(radius, 2), round(line, 2))
    found = _SPRITES.get(key)
    if found is None:
        size = int(math.ceil(radius * 3.2)) | 1
        found = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        found.fill(Qt.GlobalColor.transparent)
        painter = QPainter(found)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        centre = QPointF(size / 2, size / 2)
        path = QPainterPath()
        if kind == "event":
            _diamond(path, centre.x(), centre.y(), radius * 1.2)
            painter.setPen(QPen(QColor("#ffffff"), line * 0.06))
            painter.setBrush(INK)
        else:
            path.addEllipse(centre, radius, radius)
            painter.setPen(QPen(INK, line * 0.08))
            painter.setBrush(QColor("#ffffff"))
        painter.drawPath(path)
        painter.end()
        found = _SPRITES[key] = found
    return found


def _marks(
    painter: QPainter,
    events: list[tuple[float, float]],
    quotes: list[tuple[float, float]],
    radius: float,
    line: float,
    fast: bool,
) -> None:
    """Events as dark diamonds, quotes as hollow circles."""
    if fast:
        for kind, places in (("event", events), ("quote", quotes)):
            if places:
                sprite = _sprite(kind, radius, line)
                # the raster engine puts an untransformed image on whole pixels anyway;
                # whole numbers spare a QPointF per mark
                half = sprite.width() / 2 - 0.5
                draw = painter.drawImage
                device = painter.device()
                if painter.worldTransform().isIdentity() and device.devicePixelRatioF() == 1:
                    for x, y in places:
                        draw(int(x - half), int(y - half), sprite)
                else:
                    for x, y in places:
                        draw(QPointF(x - half - 0.5, y - half - 0.5), sprite)
        return
    diamonds, circles = QPainterPath(), QPainterPath()
    for x, y in events:
        _diamond(diamonds, x, y, radius * 1.2)
    for x, y in quotes:
        circles.addEllipse(QPointF(x, y), radius, radius)
    painter.setPen(QPen(QColor("#ffffff"), line * 0.06))
    painter.setBrush(INK)
    if not diamonds.isEmpty():  # an empty path is invalid SVG
        painter.drawPath(diamonds)
    painter.setPen(QPen(INK, line * 0.08))
    painter.setBrush(QColor("#ffffff"))
    if not circles.isEmpty():
        painter.drawPath(circles)


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
    metrics = _metrics(_font(points), device.logicalDpiX()) if device is not None else None
    line = metrics.height() if metrics else points * 1.6
    widest = _widest_name(timeline, metrics) if metrics else 0
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


_WIDEST: dict[str, tuple] = {}


def _widest_name(timeline: Timeline, metrics: QFontMetricsF) -> float:
    """The widest of the first 200 lane names (the gutter's width), kept for the last timeline
    and font measured: scrolling and zooming lay the same timeline out on every frame."""
    key = (metrics.height(), metrics.averageCharWidth())
    cached = _WIDEST.get("last")
    if cached is not None and cached[0] is timeline and cached[1] == key:
        return cached[2]
    widest = max(
        (metrics.horizontalAdvance(lane.name) for lane in timeline.lanes[:200]), default=0.0
    )
    _WIDEST["last"] = (timeline, key, widest)
    return widest


def timeline_height(timeline: Timeline, width: float, device=None, *, points: float = 8.0) -> float:
    """The height that shows every lane of `timeline` at `width`."""
    layout = timeline_layout(
        QRectF(0, 0, width, 1000), timeline, whole_view(timeline), device, points=points
    )
    return layout.axis_height + layout.legend_height + layout.lane_height * len(timeline.lanes)


@functools.lru_cache(maxsize=64)
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
            count = first.year * 12 + first.month - 1 + index
            year, month = divmod(count, 12)
            if count % step == 0:  # evenly spaced across years, not restarting each January
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
    metrics = _metrics(font, painter.device().logicalDpiX())
    line = metrics.height()
    plot = layout.plot
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    # clip to whole pixels: a fractional clip is a path, and every fill through it is slow
    painter.setClipRect(rect.toAlignedRect(), Qt.ClipOperation.IntersectClip)
    painter.setFont(font)

    # the axis: ticks across the top, faint lines down the plot
    label_width = metrics.horizontalAdvance("Sep 2020") * 1.6
    ticks = _ticks(view.start, view.end, plot.width(), label_width)
    painter.setPen(QPen(GRID, 0))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    grid_top = rect.top() + layout.axis_height * 0.6
    painter.drawLines(
        [
            QLineF(round(layout.x(day)), grid_top, round(layout.x(day)), plot.bottom())
            for day, _label in ticks
        ]
    )
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(INK)
    fast = _fast(painter)
    tick_top = rect.top() + layout.axis_height * 0.6 - line
    tick_labels = [(layout.x(day) + line * 0.2, tick_top, line, label, 1e5) for day, label in ticks]
    _texts(painter, font, painter.device().logicalDpiX(), fast, tick_labels)

    lanes = timeline.lanes
    shown = layout.visible_lanes(len(lanes))
    height = layout.lane_height
    gutter = QRectF(rect.left(), plot.top(), plot.left() - rect.left(), plot.height())
    painter.save()
    painter.setClipRect(
        QRectF(rect.left(), plot.top(), rect.width(), plot.height()).toAlignedRect(),
        Qt.ClipOperation.IntersectClip,
    )
    dpi = painter.device().logicalDpiX()
    # lane shading and names
    shades = [
        QRectF(rect.left(), layout.lane_top(index), rect.width(), height)
        for index in shown
        if index % 2
    ]
    if shades:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LANE_SHADE)
        painter.drawRects(shades)
        painter.restore()
    painter.setFont(font)
    plot_top, view_top = plot.top(), view.top
    name_x, name_width = rect.left() + line * 0.2, gutter.width() - line * 0.5
    for muted in (False, True):  # one pen for the stakeholders' names, one for the rest
        names = [
            (name_x, plot_top + (index - view_top) * height, height, lanes[index].name, name_width)
            for index in shown
            if (lanes[index].stakeholder_id is None) is muted
        ]
        if names:
            painter.setPen(MUTED if muted else INK)
            _texts(painter, font, dpi, fast, names)
    right_end = view.end
    # stance spans: colour, then the stance's pattern, then an outline; one call each per
    # stance for all the spans in view
    painter.setClipRect(plot.toAlignedRect(), Qt.ClipOperation.IntersectClip)
    band = height * 0.42
    boxes: dict[str | None, list[QRectF]] = {}
    words: list[tuple[QRectF, str | None]] = []
    chosen_box = None
    # x = origin + day * scale, worked out once rather than per span or mark
    scale = plot.width() / (view.end - view.start)
    origin = plot.left() - view.start * scale
    lane_days, lane_next, lane_spans = _lane_days(timeline)
    far_left, far_right = plot.left() - 2, plot.right() + 2
    wide_enough = line * 6
    chosen_position = selected[1] if selected is not None and selected[0] == "position" else None
    for index in shown:
        y = plot_top + (index - view_top) * height + height - band - height * 0.1
        for start, end, stance, position_id in lane_spans[index]:
            if end is None:
                end = right_end
            if end < view.start or start > view.end:
                continue
            left = max(far_left, origin + start * scale)
            width = max(1.0, min(far_right, origin + end * scale) - left)
            box = QRectF(left, y, width, band)
            found = boxes.get(stance)
            if found is None:
                boxes[stance] = [box]
            else:
                found.append(box)
            if position_id == chosen_position:
                chosen_box = box
            if width > wide_enough:
                words.append((box, stance))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    for stance, rects in boxes.items():
        if fast:  # colour and pattern in one pass: a tile of both, drawn once
            painter.setBrush(_stance_tile(stance))
            painter.drawRects(rects)
            continue
        painter.setBrush(stance_colour(stance))
        painter.drawRects(rects)
        pattern = STANCE_PATTERNS.get(stance, Qt.BrushStyle.NoBrush)
        if pattern != Qt.BrushStyle.NoBrush:
            painter.setBrush(QBrush(QColor(255, 255, 255, 150), pattern))
            painter.drawRects(rects)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(INK, 0))
    for rects in boxes.values():
        painter.drawRects(rects)
    if chosen_box is not None:
        painter.setPen(QPen(AS_OF, line * 0.15))
        painter.drawRect(chosen_box)
    painter.setFont(small)
    small_metrics = _metrics(small, dpi)
    chips: dict[str | None, QImage] = {}
    whole = painter.worldTransform().isIdentity() and painter.device().devicePixelRatioF() == 1
    chip_dx, chip_dy = line * 0.3, band * 0.12
    for box, stance in words:
        if fast:  # the same few chips on every span: each drawn once, then stamped
            chip = chips.get(stance)
            if chip is None:
                chip = chips[stance] = _chip(stance, small, small_metrics, dpi, line, band)
            x, y = box.left() + chip_dx, box.top() + chip_dy
            if whole:  # on whole pixels, as the raster engine puts an untransformed image
                painter.drawImage(int(x + 0.5), int(y + 0.5), chip)
            else:
                painter.drawImage(QPointF(x, y), chip)
            continue
        word = stance_label(stance)
        back = QRectF(
            box.left() + chip_dx, box.top() + chip_dy, _width(small_metrics, word) + line * 0.4,
            band * 0.76,
        )  # fmt: skip
        painter.fillRect(back, stance_colour(stance))
        painter.setPen(stance_text_colour(stance))
        _text(painter, back.left() + line * 0.2, back.top(), back.height(), word, small, fast)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    # marks: diamonds for events, circles for quotes, each kind drawn in one call
    events: list[tuple[float, float]] = []
    quotes: list[tuple[float, float]] = []
    radius = line * 0.32
    labels: list[tuple[float, float, float, str, float]] = []
    first, last = view.start - 1, view.end + 1
    right = plot.right()
    gap = line * 0.3
    # labels only where they have room to say something: events first, quotes with more room
    wanted = {"event": line * 9, "quote": line * 18}
    label_height = height - band - height * 0.1 - radius
    for index in shown:
        top = plot_top + (index - view_top) * height
        y = top + height - band - height * 0.1
        label_top = top + label_height - line
        free_from = -math.inf
        marks = lanes[index].marks
        days = lane_days[index]
        following = lane_next[index]
        # the lane's marks in view, found by halving (the days are in order)
        for number in range(bisect.bisect_left(days, first), bisect.bisect_right(days, last)):
            mark = marks[number]
            x = origin + days[number] * scale
            (events if mark.kind == "event" else quotes).append((x, y))
            # a label above the mark if it fits before the next mark of the lane
            later = following[number]
            room = (origin + later * scale if later is not None else right) - x - gap
            if room > wanted[mark.kind] and x - radius > free_from:
                labels.append((x - radius, label_top, line, mark.label, room))
                free_from = x + room
    _marks(painter, events, quotes, radius, line, fast)
    if selected is not None and selected[0] in ("event", "quote"):
        for index in shown:
            for mark in lanes[index].marks:
                if (mark.kind, mark.id) == selected:
                    x = layout.x(mark.on.toordinal())
                    y = layout.lane_top(index) + height - band - height * 0.1
                    painter.setPen(QPen(AS_OF, line * 0.15))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawEllipse(QPointF(x, y), radius * 2.2, radius * 2.2)
    painter.setPen(INK)
    _texts(painter, small, dpi, fast, labels)
    painter.restore()

    # the day the view stands on
    if timeline.as_of is not None and view.start <= timeline.as_of.toordinal() <= view.end:
        x = layout.x(timeline.as_of.toordinal())
        pen = QPen(AS_OF, max(1.0, round(line * 0.12)), Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.drawLine(
            QPointF(round(x), rect.top() + layout.axis_height * 0.55),
            QPointF(round(x), plot.bottom()),
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        bold = _bold(points)
        painter.setFont(bold)
        words = f"as of {format_date(timeline.as_of)}"
        text_width = _width(_metrics(bold, dpi), words)
        width = text_width + line
        box = QRectF(x - width / 2, rect.top() + layout.axis_height * 0.55, width, line)
        box.moveLeft(max(plot.left(), min(box.left(), plot.right() - width)))
        painter.fillRect(box, Qt.GlobalColor.white)
        painter.setPen(AS_OF)
        _text(painter, box.left() + line / 2, box.top(), box.height(), words, bold, fast)
        painter.setFont(font)
    painter.setPen(QPen(GRID, 0))
    painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.right(), plot.top()))
    if not lanes:
        painter.setPen(MUTED)
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing dated on this topic yet")
    if legend:
        band = QRectF(
            rect.left(), rect.bottom() - layout.legend_height, rect.width(), layout.legend_height
        )
        if fast:  # the same legend on every frame: drawn once into an image, then stamped
            key = ("legend", round(band.width()), round(band.height()), points)
            image = _SPRITES.get(key)
            if image is None:
                image = QImage(
                    round(band.width()), round(band.height()), QImage.Format.Format_ARGB32
                )
                image.fill(Qt.GlobalColor.transparent)
                image.setDevicePixelRatio(1.0)
                image.setDotsPerMeterX(painter.device().physicalDpiX() * 10000 // 254)
                image.setDotsPerMeterY(painter.device().physicalDpiY() * 10000 // 254)
                legend_painter = QPainter(image)
                legend_painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                _timeline_legend(legend_painter, QRectF(0, 0, band.width(), band.height()), points)
                legend_painter.end()
                _SPRITES[key] = image
            painter.drawImage(band.topLeft(), image)
        else:
            _timeline_legend(painter, band, points)
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
            rooms[stakeholder_id] = step_x - radius * 4.6
            steps[stakeholder_id] = step_y
    return MapLayout(rect, plot, column_width, row_height, places, radius, rooms, steps)


_MAP_CACHE: dict[str, tuple] = {}


_LAYER: dict[str, tuple] = {}
_LABELLED: dict[str, tuple] = {}


def _labelled(chart, layout, line: float) -> list:
    """The points whose cell leaves room for a name (a crowded cell shows its marks alone;
    zooming in makes room), kept for the last map and layout."""
    cached = _LABELLED.get("last")
    if cached is not None and cached[0] is chart and cached[1] is layout:
        return cached[2]
    found = [
        point
        for point in chart.points
        if layout.rooms[point.stakeholder_id] >= line * 5
        and layout.steps[point.stakeholder_id] >= line * 1.1
    ]
    _LABELLED["last"] = (chart, layout, found)
    return found


def _map_stamps(chart, layout, radius: float, line: float) -> list[tuple]:
    """(stakeholder id, left, top, image) of each mark, on whole pixels as the raster engine
    puts an untransformed image, kept for the last map and layout (not the drawing: each
    repaint stamps every mark again)."""
    key = (layout, radius, line)
    cached = _LAYER.get("last")
    if cached is not None and cached[0] is chart and cached[1] == key:
        return cached[2]
    stamps = []
    for point in chart.points:
        sprite = _map_sprite(point.kind, point.influence is None, radius, line)
        place = layout.places[point.stakeholder_id]
        half = sprite.width() / 2
        stamps.append(
            (
                point.stakeholder_id,
                int(place.x() - half + 0.5),
                int(place.y() - half + 0.5),
                sprite,
            )
        )
    _LAYER["last"] = (chart, key, stamps)
    return stamps


def _map_sprite(kind: str, hollow: bool, radius: float, line: float) -> QImage:
    key = ("map", kind, hollow, round(radius, 2), round(line, 2))
    found = _SPRITES.get(key)
    if found is None:
        size = int(math.ceil(radius * 3.2)) | 1
        found = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        found.fill(Qt.GlobalColor.transparent)
        painter = QPainter(found)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = QPainterPath()
        _shape(path, KIND_SHAPES.get(kind, "circle"), size / 2, size / 2, radius)
        painter.setPen(QPen(INK, line * 0.05))
        painter.setBrush(QColor("#ffffff") if hollow else kind_colour(kind))
        painter.drawPath(path)
        painter.end()
        _SPRITES[key] = found
    return found


def _map_layout_and_paths(rect: QRectF, chart: StakeholderMap, device, points: float):
    """The map's layout and a path of marks per (kind, hollow), kept for the last map and size
    drawn: a drag or a hover repaints the same map many times."""
    key = (rect.x(), rect.y(), rect.width(), rect.height(), device.logicalDpiX(), points)
    cached = _MAP_CACHE.get("last")
    if cached is not None and cached[0] is chart and cached[1] == key:
        return cached[2], cached[3]
    layout = map_layout(rect, chart, device, points=points)
    paths: dict[tuple[str, bool], QPainterPath] = {}
    for point in chart.points:
        place = layout.places[point.stakeholder_id]
        path = paths.setdefault((point.kind, point.influence is None), QPainterPath())
        _shape(path, KIND_SHAPES.get(point.kind, "circle"), place.x(), place.y(), layout.radius)
    _MAP_CACHE["last"] = (chart, key, layout, paths)
    return layout, paths


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
    layout, kind_paths = _map_layout_and_paths(layout_rect, chart, painter.device(), points)
    plot = layout.plot
    fast = _fast(painter)
    dpi = painter.device().logicalDpiX()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setClipRect(rect.toAlignedRect(), Qt.ClipOperation.IntersectClip)
    painter.setFont(font)
    # columns: each stance's name above it, a faint wash of its colour and pattern
    for column, stance in enumerate(MAP_STANCES):
        box = QRectF(
            plot.left() + column * layout.column_width,
            plot.top(),
            layout.column_width,
            plot.height(),
        )
        # a faint wash of the stance's colour, mixed with white beforehand: an opaque fill
        # is many times quicker than blending one over the page
        colour = stance_colour(stance)
        wash = QColor(
            round(255 - (255 - colour.red()) * 0.11),
            round(255 - (255 - colour.green()) * 0.11),
            round(255 - (255 - colour.blue()) * 0.11),
        )
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
    # marks, one path per kind (laid out once per map and size, see _map_layout_and_paths)
    places = layout.places
    radius = layout.radius
    by_kind = dict(kind_paths)
    if dragging is not None and dragging[0] in places:
        moved = next(p for p in chart.points if p.stakeholder_id == dragging[0])
        places = dict(places)
        places[moved.stakeholder_id] = QPointF(
            places[moved.stakeholder_id].x(), max(plot.top(), min(plot.bottom(), dragging[1]))
        )
        key = (moved.kind, moved.influence is None)
        if not fast:  # on a screen the marks are stamped where `places` says
            path = QPainterPath()
            for point in chart.points:
                if (point.kind, point.influence is None) == key:
                    place = places[point.stakeholder_id]
                    shape = KIND_SHAPES.get(point.kind, "circle")
                    _shape(path, shape, place.x(), place.y(), radius)
            by_kind[key] = path
    if fast:  # on a screen: each mark stamped from a small image of its kind
        stamps = _map_stamps(chart, layout, radius, line)
        draw = painter.drawImage
        device = painter.device()
        whole = painter.worldTransform().isIdentity() and device.devicePixelRatioF() == 1
        moving = dragging[0] if dragging is not None else None
        for stakeholder_id, x, y, sprite in stamps:
            if whole and stakeholder_id != moving:
                draw(x, y, sprite)
            else:  # transformed, or where the pointer holds it: placed as Qt places it
                place = places[stakeholder_id]
                half = sprite.width() / 2
                draw(QPointF(place.x() - half, place.y() - half), sprite)
    else:
        painter.setPen(QPen(INK, line * 0.05))
        for (kind, hollow), path in by_kind.items():
            if not path.isEmpty():  # an empty path is invalid SVG
                painter.setBrush(QColor("#ffffff") if hollow else kind_colour(kind))
                painter.drawPath(path)
    # names beside the marks where the cell leaves room
    label_font = _font(points * 0.9)
    painter.setFont(label_font)
    painter.setPen(INK)
    rooms = layout.rooms
    names = []
    for point in _labelled(chart, layout, line):
        place = places[point.stakeholder_id]
        name = point.name + " *" if point.changed_on else point.name
        room = max(rooms[point.stakeholder_id], line)
        names.append((place.x() + radius * 2.2, place.y() - line / 2, line, name, room))
    _texts(painter, label_font, dpi, fast, names)
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
            _map_facts(chart)[2],
        )
    painter.restore()
    return layout


_FACTS: dict[str, tuple] = {}


def _map_facts(chart: StakeholderMap) -> tuple[list[str], bool, bool]:
    """The kinds on the map in order, whether any influence is unrecorded and whether any
    position changed after the day, kept for the last map (its legend says them)."""
    cached = _FACTS.get("last")
    if cached is not None and cached[0] is chart:
        return cached[1]
    facts = (
        list(dict.fromkeys(point.kind for point in chart.points)),
        any(point.influence is None for point in chart.points),
        any(point.changed_on for point in chart.points),
    )
    _FACTS["last"] = (chart, facts)
    return facts


def _map_legend(
    painter: QPainter, rect: QRectF, chart: StakeholderMap, points: float, changed: bool
) -> None:
    font = _font(points * 0.9)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    line = metrics.height()
    x = rect.left() + line * 0.2
    y = rect.top() + rect.height() / 2
    kinds, hollow, _changed = _map_facts(chart)
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
    if hollow:
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
