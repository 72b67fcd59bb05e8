"""A look-alike stakeholder name in the window: the form warns, naming the existing one, and
the stakeholder is added only after the user confirms."""

from __future__ import annotations

import pytest

from briefing.core.undo import dump
from briefing.ui import forms
from briefing.ui.editing import Editing

SPOOF = "I\u0412M"  # a Cyrillic Ve for the B


@pytest.fixture
def fill(monkeypatch):
    pending = []

    def exec_form(form) -> bool:
        return pending.pop(0)(form) is not False and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    return pending


def names(window):
    return [window.cards.card(r).name for r in range(window.cards.rowCount())]


def test_the_form_warns_about_a_look_alike_and_refuses_a_spoof(qtbot, demo_store, tmp_path):
    form = forms.StakeholderForm(demo_store)
    qtbot.addWidget(form)
    form.show()
    form.name.setText(SPOOF)
    assert "looks like the existing stakeholder 'IBM'" in form.status.text()
    assert form.status.text().startswith("Careful:") and form.ok.isEnabled()
    assert "U+0412 CYRILLIC CAPITAL LETTER VE where 'IBM' has 'B'" in form.status.text()
    form.grab().save(str(tmp_path / "form-look-alike.png"))
    form.name.setText("\u202eMBI")
    assert "RIGHT-TO-LEFT OVERRIDE" in form.status.text() and not form.ok.isEnabled()
    form.grab().save(str(tmp_path / "form-override.png"))


def test_a_look_alike_is_added_only_when_the_user_confirms(window, fill, monkeypatch, demo_store):
    asked = []
    answer = [False]
    monkeypatch.setattr(
        Editing, "ask", staticmethod(lambda parent, title, text: asked.append(text) or answer[0])
    )
    with demo_store.reading() as session:
        before = dump(session)
    fill.append(lambda form: form.name.setText(SPOOF))
    window.editing.new_stakeholder()
    assert "looks like the existing stakeholder 'IBM'" in asked[0]
    with demo_store.reading() as session:
        assert dump(session) == before
    answer[0] = True
    fill.append(lambda form: form.name.setText(SPOOF))
    window.editing.new_stakeholder()
    assert len(asked) == 2 and SPOOF in names(window) and "IBM" in names(window)
    # a name like no other is not asked about
    fill.append(lambda form: form.name.setText("Southern Co-op"))
    window.editing.new_stakeholder()
    assert len(asked) == 2 and "Southern Co-op" in names(window)
