"""Drawing the timeline and the map of a big topic: `python tests/benchmarks/bench_timeline.py`.

A topic of 1,000 stakeholders (names in many scripts, each with an influence and 3 dated
positions) and 10,000 dated marks (5 events and 5 quotes each, over ten years), built through the
app's own store code and read with `core.timeline` as the window reads it. Then, in the same run
and on the same QImage, each round draws

- the timeline: every lane once, a window-sized frame (1600 x 900) at a time, scrolled down
  through all 1,000 lanes, with `export.figures.paint_timeline` (the window's and the exports'
  painting: axis, names, stance spans with patterns and words, marks, labels, the "as of" line);
- the map: the 1,000 stakeholders on one frame with `export.figures.paint_map`, 10 times (a map
  is redrawn on every step of a drag);

against the baseline: the same frames, each with one plain `QPainter.fillRect` per thing drawn
(a lane's name, each of its spans and each of its marks; each stakeholder on the map).

Times are the drawing thread's CPU time (`time.thread_time`), so that other work on a shared
machine does not count as drawing; rounds are interleaved. Prints per case the median time per
round and per frame, then `ratio` (figures / rectangles, target at most 3.0) last. Not collected
by pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter  # noqa: E402

from briefing.core.timeline import stakeholder_map, topic_timeline  # noqa: E402
from briefing.export.figures import (  # noqa: E402
    TimelineView,
    paint_map,
    paint_timeline,
    timeline_layout,
    whole_view,
)
from briefing.store import open_store  # noqa: E402
from briefing.store.models import (  # noqa: E402
    STANCES,
    Event,
    Position,
    Quote,
    Source,
    Stakeholder,
    Topic,
)

STAKEHOLDERS = 1_000
POSITIONS = 3
EVENTS = 5
QUOTES = 5
WIDTH, HEIGHT = 1600, 900
MAP_REPEATS = 10
SCRIPTS = [
    "Organisation {n}",
    "Организация {n}",
    "Οργανισμός {n}",
    "منظمة {n}",
    "ארגון {n}",
    "संगठन {n}",
    "組織 {n}",
    "조직 {n}",
    "องค์กร {n}",
    "Tổ chức {n}",
]


def build(path: Path, seed: int = 17) -> None:
    rng = random.Random(seed)
    start = dt.date(2014, 1, 1)

    def day() -> dt.date:
        return start + dt.timedelta(days=rng.randrange(0, 3650))

    def populate(session) -> None:
        topic = Topic(name="Big topic")
        session.add(topic)
        text = " ".join(f"word{n}" for n in range(20_000))
        source = Source(title="Big source", text=text, sha256="0" * 64, published=day())
        session.add(source)
        people = []
        for n in range(STAKEHOLDERS):
            person = Stakeholder(
                name=SCRIPTS[n % len(SCRIPTS)].format(n=n),
                kind=Stakeholder.KINDS[n % len(Stakeholder.KINDS)],
                influence=1 + n % 5,
            )
            people.append(person)
        topic.stakeholders.extend(people)
        session.flush()
        for person in people:
            for _ in range(POSITIONS):
                session.add(
                    Position(
                        stakeholder_id=person.id,
                        topic_id=topic.id,
                        stance=rng.choice(STANCES),
                        headline="A position",
                        as_of=day(),
                    )
                )
            for number in range(EVENTS):
                session.add(
                    Event(
                        topic_id=topic.id,
                        stakeholder_id=person.id,
                        occurred_on=day(),
                        precision="day",
                        title=f"Event {number} of {person.name}: hearing, letter or report",
                    )
                )
            for _ in range(QUOTES):
                at = rng.randrange(0, len(text) - 40)
                at = text.index(" ", at) + 1
                end = text.index(" ", at + 12)
                session.add(
                    Quote(
                        source=source,
                        start=at,
                        end=end,
                        text=text[at:end],
                        speaker_id=person.id,
                        said_on=day(),
                    )
                )

    open_store(path, seed=populate).close()


def frames(timeline, image: QImage) -> list[TimelineView]:
    """The views that scroll a window-sized frame down through every lane."""
    painter = QPainter(image)
    layout = timeline_layout(QRectF(0, 0, WIDTH, HEIGHT), timeline, whole_view(timeline), image)
    painter.end()
    per_frame = max(1, int(layout.plot.height() // layout.lane_height))
    whole = whole_view(timeline)
    return [
        TimelineView(whole.start, whole.end, top)
        for top in range(0, len(timeline.lanes), per_frame)
    ]


def draw_timeline(image: QImage, timeline, views) -> int:
    drawn = 0
    for view in views:
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        layout = paint_timeline(painter, QRectF(0, 0, WIDTH, HEIGHT), timeline, view)
        painter.end()
        drawn += len(layout.visible_lanes(len(timeline.lanes)))
    return drawn


def rects_timeline(image: QImage, timeline, views) -> int:
    """The baseline: a plain rectangle for every name, span and mark of the same frames."""
    drawn = 0
    colour = QColor("#6e7781")
    for view in views:
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        layout = timeline_layout(QRectF(0, 0, WIDTH, HEIGHT), timeline, view, image)
        height = layout.lane_height
        for index in layout.visible_lanes(len(timeline.lanes)):
            lane = timeline.lanes[index]
            top = layout.lane_top(index)
            painter.fillRect(QRectF(2, top + 2, layout.plot.left() - 4, height - 4), colour)
            for span in lane.spans:
                left = layout.x(span.start.toordinal())
                right = layout.x(span.end.toordinal()) if span.end else layout.plot.right()
                painter.fillRect(QRectF(left, top + height / 2, right - left, height / 3), colour)
            for mark in lane.marks:
                x = layout.x(mark.on.toordinal())
                painter.fillRect(QRectF(x - 3, top + height / 2 - 3, 6, 6), colour)
            drawn += 1
        painter.end()
    return drawn


def draw_map(image: QImage, chart) -> None:
    for _ in range(MAP_REPEATS):
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        paint_map(painter, QRectF(0, 0, WIDTH, HEIGHT), chart)
        painter.end()


def rects_map(image: QImage, chart) -> None:
    colour = QColor("#0969da")
    rng = random.Random(3)
    places = [(rng.uniform(0, WIDTH - 8), rng.uniform(0, HEIGHT - 8)) for _ in chart.points]
    for _ in range(MAP_REPEATS):
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        for (x, y), _point in zip(places, chart.points, strict=True):
            painter.fillRect(QRectF(x, y, 8, 8), colour)
        painter.end()


def timed(function, *args) -> float:
    """CPU time of this thread: on a shared machine, waiting for a core is not drawing."""
    began = time.thread_time()
    function(*args)
    return time.thread_time() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.db"
        began = time.perf_counter()
        build(path)
        built = time.perf_counter() - began
        with open_store(path) as store, store.reading() as session:
            began = time.perf_counter()
            timeline = topic_timeline(session, 1, as_of=dt.date(2019, 6, 1))
            read_timeline = time.perf_counter() - began
            began = time.perf_counter()
            chart = stakeholder_map(session, 1, as_of=dt.date(2019, 6, 1))
            read_map = time.perf_counter() - began
    marks = sum(len(lane.marks) for lane in timeline.lanes)
    spans = sum(len(lane.spans) for lane in timeline.lanes)
    print(
        f"topic: {len(timeline.lanes)} lanes, {marks} marks, {spans} stance spans, "
        f"{len(chart.points)} on the map (built in {built:.1f} s)"
    )
    print(f"read: timeline {read_timeline * 1000:.0f} ms, map {read_map * 1000:.0f} ms")
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    views = frames(timeline, image)
    # warm-up: fonts, glyph caches
    draw_timeline(image, timeline, views[:2])
    draw_map(image, chart)
    rects_timeline(image, timeline, views[:2])
    rects_map(image, chart)
    results: dict[str, list[float]] = {
        "timeline": [],
        "timeline rects": [],
        "map": [],
        "map rects": [],
    }
    for _ in range(args.rounds):  # interleaved, so that both see the same machine
        results["timeline"].append(timed(draw_timeline, image, timeline, views))
        results["timeline rects"].append(timed(rects_timeline, image, timeline, views))
        results["map"].append(timed(draw_map, image, chart))
        results["map rects"].append(timed(rects_map, image, chart))
    image.save(str(Path(tempfile.gettempdir()) / "bench_timeline_last_frame.png"))
    median = {name: statistics.median(times) for name, times in results.items()}
    print(f"{args.rounds} rounds, {len(views)} timeline frames of {WIDTH}x{HEIGHT} per round")
    for name, value in median.items():
        count = len(views) if name.startswith("timeline") else MAP_REPEATS
        print(
            f"{name:<16} {value * 1000:8.1f} ms per round, {value * 1000 / count:6.2f} ms per frame"
        )
    print(f"timeline ratio: {median['timeline'] / median['timeline rects']:.2f}")
    print(f"map ratio: {median['map'] / median['map rects']:.2f}")
    ratio = (median["timeline"] + median["map"]) / (median["timeline rects"] + median["map rects"])
    assert math.isfinite(ratio)
    print(f"ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
