"""The "as of" control, the drawn timeline (History tab) and the stakeholder map (Map tab)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from briefing.core.undo import dump
from briefing.ui.cards import describe
from briefing.ui.editing import Editing
from briefing.ui.stakeholder_map import StakeholderMapWidget
from briefing.ui.timeline import TimelineWidget

D = dt.date


@pytest.fixture
def fill(monkeypatch):
    """Answer the next forms as a user would: `fill.append(function_of_the_form)`."""
    pending = []

    def exec_form(form) -> bool:
        handler = pending.pop(0)
        accepted = handler(form) is not False
        return accepted and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    return pending


def card(window, name):
    return next(
        window.cards.card(row)
        for row in range(window.cards.rowCount())
        if window.cards.card(row).name == name
    )


def type_as_of(window, text: str) -> None:
    field = window.as_of_field
    field.setText(text)
    field.editingFinished.emit()


def later_position(window, fill, name, stance, day, summary):
    window.select_stakeholder(name)

    def answer(form):
        form.stance.setCurrentIndex(form.stance.findData(stance))
        form.as_of.setText(day)
        form.summary.setPlainText(summary)

    fill.append(answer)
    window.editing.set_position()


def test_the_as_of_control_moves_cards_and_details_back_and_forth(window, demo_store, tmp_path):
    assert card(window, "IBM").stance == "opposes"
    type_as_of(window, "1 March 2020")
    assert window.as_of == D(2020, 3, 1)
    assert card(window, "IBM").stance is None
    assert card(window, "IBM").changed_on == D(2020, 6, 8)
    assert card(window, "Metropolitan Police").stance == "supports"
    assert "as of 1 March 2020" in window.windowTitle()
    window.select_stakeholder("Microsoft")
    text = window.detail.toPlainText()
    assert "As of 1 March 2020" in text and "changed on 9 June 2020" in text
    assert "Withholds its technology" in text  # the September 2019 position
    assert describe(card(window, "IBM")).endswith("First position on 8 June 2020.")
    window.grab().save(str(tmp_path / "window-as-of.png"))

    type_as_of(window, "2020-06-08")
    assert card(window, "IBM").stance == "opposes"
    assert card(window, "Microsoft").stance == "conditional"

    window.as_of_today.click()
    assert window.as_of is None and window.as_of_field.text() == ""
    assert card(window, "IBM").changed_on is None
    assert "As of" not in window.detail.toPlainText()


def test_a_date_that_is_not_one_is_refused_and_changes_nothing(window, demo_store):
    before = [window.cards.card(row) for row in range(window.cards.rowCount())]
    with demo_store.reading() as session:
        stored = dump(session)
    type_as_of(window, "31 February 2020")
    assert window.as_of is None
    assert "there is no 31 February 2020" in window.statusBar().currentMessage()
    assert "b42318" in window.as_of_field.styleSheet()
    assert [window.cards.card(row) for row in range(window.cards.rowCount())] == before
    with demo_store.reading() as session:
        assert dump(session) == stored


def test_the_timeline_draws_lanes_and_opens_what_is_clicked(window, qtbot, fill, tmp_path):
    window.show_side_tab(window.history)
    timeline: TimelineWidget = window.history.timeline
    qtbot.waitUntil(lambda: timeline.timeline is not None)
    assert [lane.name for lane in timeline.timeline.lanes][:3] == ["Amazon", "IBM", "Microsoft"]
    timeline.resize(900, 520)
    timeline.grab().save(str(tmp_path / "timeline.png"))

    # a click on Microsoft's September 2019 span selects that position in the list below
    timeline.repaint()
    layout = timeline._layout
    lane = next(i for i, ln in enumerate(timeline.timeline.lanes) if ln.name == "Microsoft")
    span = timeline.timeline.lanes[lane].spans[0]
    x = (layout.x(span.start.toordinal()) + layout.x(span.end.toordinal())) / 2
    y = layout.lane_top(lane) + layout.lane_height * 0.7
    assert timeline.hit(QPointF(x, y)) == ("position", span.position_id)
    QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))
    assert window.selected_stakeholder_id() == timeline.timeline.lanes[lane].stakeholder_id
    assert window.history.positions.currentItem().text().startswith("Conditional")
    assert "30 September 2019" in window.history.positions.currentItem().text()

    # an event opens its form
    amazon = timeline.timeline.lanes[0]
    event = next(m for m in amazon.marks if m.kind == "event")
    ex = layout.x(event.on.toordinal())
    ey = layout.lane_top(0) + layout.lane_height - layout.lane_height * 0.52
    seen = []
    fill.append(lambda form: seen.append(form.title.text()) or False)
    QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(ex), int(ey)))
    assert seen and seen[0].startswith("Amazon patents")

    # zoom and pan with keys change the days in view; Home shows everything again
    whole = timeline.view
    timeline.setFocus()
    QTest.keyClick(timeline, Qt.Key.Key_Plus)
    assert timeline.view.end - timeline.view.start < whole.end - whole.start
    QTest.keyClick(timeline, Qt.Key.Key_Right)
    assert timeline.view.start > whole.start
    QTest.keyClick(timeline, Qt.Key.Key_Home)
    assert timeline.view == whole


def test_the_map_follows_the_day_and_a_drag_sets_influence_undoably(
    window, qtbot, demo_store, tmp_path
):
    window.show_side_tab(window.map_panel)
    chart: StakeholderMapWidget = window.map_panel.map
    chart.resize(900, 600)
    qtbot.waitUntil(lambda: chart.chart is not None)
    ibm = chart.point(card(window, "IBM").id)
    assert (ibm.stance, ibm.influence) == ("opposes", 5)
    chart.repaint()
    start = chart._layout.places[ibm.stakeholder_id]
    # drag IBM's mark down to the row of influence 2
    target_y = chart._layout.plot.top() + chart._layout.row_height * 3.5
    QTest.mousePress(chart, Qt.MouseButton.LeftButton, pos=start.toPoint())
    # Pressing a mark selects its card, whose details are read while the window keeps running
    # its events (the store runner): the map may be laid out again at its real size meanwhile.
    target_y = chart._layout.plot.top() + chart._layout.row_height * 3.5
    for step in range(1, 6):
        y = start.y() + (target_y - start.y()) * step / 5
        QTest.mouseMove(chart, QPoint(int(start.x()), int(y)))
    QTest.mouseRelease(chart, Qt.MouseButton.LeftButton, pos=QPoint(int(start.x()), int(target_y)))
    assert chart.point(ibm.stakeholder_id).influence == 2
    assert window.undo_action.text() == "&Undo Set influence of IBM"
    chart.grab().save(str(tmp_path / "map-dragged.png"))
    window.undo_action.trigger()
    assert chart.point(ibm.stakeholder_id).influence == 5
    window.redo_action.trigger()
    assert chart.point(ibm.stakeholder_id).influence == 2

    # the keyboard does the same for the selected card's mark
    window.select_stakeholder("IBM")
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert chart.point(ibm.stakeholder_id).influence == 3

    type_as_of(window, "2020-03-01")
    assert chart.point(ibm.stakeholder_id).stance is None
    assert chart.point(card(window, "Metropolitan Police").id).stance == "supports"
    chart.grab().save(str(tmp_path / "map-as-of.png"))


def test_the_done_when_two_later_positions_and_the_day_moving(window, qtbot, fill, tmp_path):
    """The issue's "Done when", as a new user would: two later dated positions, the day moved
    back and forth, cards, map and timeline following."""
    later_position(
        window, fill, "IBM", "conditional", "2021-01-15", "Would sell again, with rules."
    )
    later_position(window, fill, "Liberty", "opposes", "2020-12-01", "Calls for an outright ban.")
    assert card(window, "IBM").stance == "conditional"
    window.show_side_tab(window.history)
    timeline = window.history.timeline
    ibm_lane = next(ln for ln in timeline.timeline.lanes if ln.name == "IBM")
    assert [s.stance for s in ibm_lane.spans] == ["opposes", "conditional"]
    for day, ibm, liberty in (
        ("2020-11-01", "opposes", "opposes"),
        ("2020-05-01", None, None),
        ("2021-02-01", "conditional", "opposes"),
    ):
        type_as_of(window, day)
        assert (card(window, "IBM").stance, card(window, "Liberty").stance) == (ibm, liberty)
        assert timeline.timeline.as_of == D.fromisoformat(day)
        window.show_side_tab(window.map_panel)
        point = window.map_panel.map.point(card(window, "IBM").id)
        assert point.stance == ibm
        window.show_side_tab(window.history)
    window.grab().save(str(tmp_path / "window-as-of.png"))
