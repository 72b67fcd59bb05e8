"""Forms at the keyboard: first field focused, Tab in screen order, Enter saves or says what is
missing, Escape cancels; the one date field replaces a whole date and refuses wrong ones."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialog

from briefing.ui import forms
from briefing.ui.datefield import DateField, locale_day_first


def _forms(store):
    return [
        forms.TopicForm(store),
        forms.StakeholderForm(store),
        forms.PositionForm("IBM", None, dt.date(2024, 1, 1)),
        forms.QuestionForm(store, 1),
        forms.EventForm([("IBM", 1)], []),
        forms.ChooseStakeholderForm([("IBM", 1)]),
    ]


def test_every_form_opens_in_its_first_field_and_tabs_in_screen_order(qtbot, demo_store):
    for form in _forms(demo_store):
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        qtbot.waitUntil(lambda f=form: QApplication.focusWidget() is f._inputs[0])
        seen = [QApplication.focusWidget()]
        for _ in range(len(form._inputs) + 1):
            form.focusNextChild()
            seen.append(QApplication.focusWidget())
        assert seen[: len(form._inputs)] == form._inputs, form.windowTitle()
        assert seen[len(form._inputs)] is form.ok or not form.ok.isEnabled()
        form.close()


def test_enter_saves_a_valid_form_and_names_what_is_missing_otherwise(qtbot, demo_store):
    form = forms.StakeholderForm(demo_store)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.name.hasFocus())
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    assert form.isVisible() and form.result() != QDialog.DialogCode.Accepted
    assert form.status.text().startswith("Not saved yet: the stakeholder needs a name")
    assert form.name.hasFocus()
    qtbot.keyClicks(form.name, "Southern Co-op")
    with qtbot.waitSignal(form.accepted):
        qtbot.keyClick(form.name, Qt.Key.Key_Return)
    assert form.values().name == "Southern Co-op"

    form = forms.TopicForm(demo_store)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.name, "Protest policing")
    with qtbot.waitSignal(form.rejected):
        qtbot.keyClick(form.name, Qt.Key.Key_Escape)


def test_typing_a_whole_date_replaces_the_old_one(qtbot):
    form = forms.PositionForm("IBM", "opposes", dt.date(2024, 1, 1))
    qtbot.addWidget(form)
    form.show()
    form.headline.setText("Stopped selling")
    form.as_of.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: form.as_of.selectedText() == "2024-01-01")
    qtbot.keyClicks(form.as_of, "2019-01-24")
    assert form.values()[2] == dt.date(2019, 1, 24)
    form.as_of.selectAll()
    qtbot.keyClicks(form.as_of, "9 June 2020")
    assert form.values()[2] == dt.date(2020, 6, 9)
    form.as_of.setText("31/2/2020")
    assert "there is no 31 February 2020" in form.status.text() and not form.ok.isEnabled()


def test_events_take_month_and_year_and_the_locale_orders_day_and_month(qtbot):
    form = forms.EventForm([("IBM", 1)], [])
    qtbot.addWidget(form)
    form.show()
    form.title.setText("Moratorium")
    form.date.setText("June 2020")
    assert (form.values().occurred_on, form.values().precision) == (dt.date(2020, 6, 1), "month")
    form.date.setText("2019")
    assert form.values().precision == "year"
    form.date.setText("Junly 2020")
    assert "is not a date" in form.status.text()

    assert locale_day_first(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    assert not locale_day_first(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    field = DateField()
    qtbot.addWidget(field)
    field.day_first = False
    field.setText("6/9/2020")
    assert field.date() == (dt.date(2020, 6, 9), "day")
    field.setText("9/6/2020")
    field.day_first = True
    assert field.date() == (dt.date(2020, 6, 9), "day")


@pytest.mark.parametrize("text", ["2020-13-01", "yesterday", "2020"])
def test_a_position_date_that_is_not_a_day_is_refused(qtbot, text):
    form = forms.PositionForm("IBM", "opposes", dt.date(2024, 1, 1))
    qtbot.addWidget(form)
    form.show()
    form.headline.setText("x")
    form.as_of.setText(text)
    assert not form.ok.isEnabled() and text in form.status.text()
