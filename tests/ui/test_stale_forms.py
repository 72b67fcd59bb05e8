"""A form open in the window while the command line changes the same record.

The CLI may write while the window is open. Every form that changes a record saves with the
version it was filled at: when the record changed meanwhile, the save is refused, nothing is
written, and the form comes back with what the user typed and a sentence saying so, offering to
reload the other version or to save over it knowingly. Each test looks at the store after each
step: the refused save changes nothing; only the user's explicit choice overwrites.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from briefing.cli import main
from briefing.core import briefings as briefings_core
from briefing.core import editing
from briefing.core.undo import dump
from briefing.store import open_store
from briefing.store.models import Answer, Event, Question, Quote, Source, Stakeholder
from briefing.ui import corrections
from briefing.ui.compare import open_comparison
from briefing.ui.editing import Editing


def everything(window):
    with window.store.reading() as session:
        return dump(session)


def cli(window, *args) -> None:
    assert main(["--db", str(window.store.path), *map(str, args)]) == 0


def elsewhere(window, change) -> None:
    """Another writer on the same file: a second store, as another process has it."""
    with open_store(window.store.path) as other, other.writing() as session:
        change(session)


@pytest.fixture
def forms(monkeypatch, qtbot):
    """Play the user at each form: `forms.append(function_of_the_form)`; the form's widgets are
    kept between showings, as a dialog shown again keeps them."""
    pending = _Pending()
    shown = pending.shown

    def exec_form(form) -> bool:
        qtbot.waitUntil(lambda: not getattr(form, "loading", False))  # the user acts on it filled
        shown.append(form)
        return pending.pop(0)(form) is not False and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    return pending


class _Pending(list):
    """What the user will do at each next form, and the forms shown so far."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list = []


def _description(window, name="IBM") -> str:
    with window.store.reading() as session:
        return session.scalars(
            select(Stakeholder.description).where(Stakeholder.name == name)
        ).one()


@pytest.mark.parametrize("choice", ["save anyway", "reload", "cancel"])
def test_edit_stakeholder_while_another_writer_changes_it(window, forms, tmp_path, choice):
    window.select_stakeholder("IBM")

    def type_and_meanwhile(form):
        form.description.setPlainText("My careful words about IBM")
        elsewhere(
            window,
            lambda s: (
                s.scalars(select(Stakeholder).where(Stakeholder.name == "IBM"))
                .one()
                .__setattr__("description", "Written by the other writer")
            ),
        )

    after_other: list = []

    def shown_again(form):
        after_other.append(everything(window))
        # What the user typed is still there, and the form says what happened, in words.
        assert form.description.toPlainText() == "My careful words about IBM"
        assert form.is_stale and not form.reload_button.isHidden()
        assert "changed elsewhere" in form.stale_note.text()
        assert "what you typed is kept" in form.stale_note.text()
        assert form.ok.text() == "Save &anyway"
        form.show()
        form.grab().save(str(tmp_path / "stale-stakeholder-form.png"))
        form.hide()
        if choice == "reload":
            form.reload_button.click()
            assert form.description.toPlainText() == "Written by the other writer"
            assert not form.is_stale
            form.description.setPlainText("Merged: the other writer's words, and mine")
            return True
        return choice == "save anyway"

    forms.extend([type_and_meanwhile, shown_again])
    window.editing.edit_stakeholder()
    assert len(forms.shown) == 2  # shown again after the refusal, not closed
    expected = {
        "save anyway": "My careful words about IBM",
        "reload": "Merged: the other writer's words, and mine",
        "cancel": "Written by the other writer",
    }[choice]
    assert _description(window) == expected
    if choice == "cancel":
        assert everything(window) == after_other[0]  # the refused save wrote nothing


def test_rename_topic_refused_then_saved_knowingly(window, forms):
    topic = window.topics.currentText()

    def type_and_meanwhile(form):
        form.name.setText("My name for it")
        elsewhere(window, lambda s: editing.rename_topic(s, window.topic_id, "Their name"))

    seen = []

    def shown_again(form):
        seen.append(form.name.text())
        assert "The topic was changed elsewhere" in form.stale_note.text()
        return True

    forms.extend([type_and_meanwhile, shown_again])
    window.editing.rename_topic()
    assert seen == ["My name for it"]
    assert window.topics.currentText() == "My name for it" != topic


def test_a_position_the_cli_set_for_the_same_day_is_not_replaced(window, forms):
    window.select_stakeholder("IBM")
    topic_name = window.topics.currentText()
    today = dt.date.today().isoformat()

    def type_and_meanwhile(form):
        form.summary.setPlainText("Mine: IBM left the market")
        cli(window, "position", "set", "IBM", "--topic", topic_name, "--stance", "supports",
            "--summary", "From the command line", "--as-of", today)  # fmt: skip

    def shown_again(form):
        assert "made elsewhere" in form.stale_note.text()
        assert form.summary.toPlainText() == "Mine: IBM left the market"
        form.reload_button.click()  # the CLI's position, to merge with
        assert form.summary.toPlainText() == "From the command line"
        assert form.stance.currentData() == "supports"
        return False  # the user keeps the CLI's version

    forms.extend([type_and_meanwhile, shown_again])
    window.editing.set_position()
    with window.store.reading() as session:
        ibm = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
        latest = editing.stakeholder_positions(session, window.topic_id, ibm)[0]
        assert (latest.summary, latest.stance) == ("From the command line", "supports")


def test_edit_event_deleted_elsewhere_says_so_and_keeps_the_words(window, forms):
    history = window.history
    window.side_tabs.setCurrentWidget(history)
    history.events.setCurrentRow(0)
    with window.store.reading() as session:
        event_id = session.scalars(select(Event.id).order_by(Event.occurred_on, Event.id)).first()

    def type_and_meanwhile(form):
        form.title.setText("My better title")
        cli_delete = lambda s: s.delete(s.get(Event, event_id))  # noqa: E731
        elsewhere(window, cli_delete)

    def shown_again(form):
        assert "deleted elsewhere" in form.stale_note.text()
        assert form.title.text() == "My better title"
        assert form.reload_button.isHidden()  # nothing to reload
        return False

    forms.extend([type_and_meanwhile, shown_again])
    history.edit_event.click()
    assert len(forms.shown) == 2


def test_edit_question_from_the_comparison(window, forms):
    window.grid.selectAll()
    forms.append(lambda picker: True)  # the first six stakeholders
    compare = open_comparison(window.context)
    model = compare.model
    compare.view.setCurrentIndex(model.index(0, 0))
    question_id = model.question_id(0)

    def type_and_meanwhile(form):
        form.text.setText("Mine?")
        elsewhere(window, lambda s: s.get(Question, question_id).__setattr__("text", "Theirs?"))

    def shown_again(form):
        assert form.is_stale and form.text.text() == "Mine?"
        return True

    forms.extend([type_and_meanwhile, shown_again])
    compare.rename_question()
    with window.store.reading() as session:
        assert session.get(Question, question_id).text == "Mine?"


def test_an_answer_set_from_the_cli_is_not_replaced_from_a_stale_table(window, forms, monkeypatch):
    warned = []
    monkeypatch.setattr("briefing.ui.compare.warn", lambda parent, title, text: warned.append(text))
    window.grid.selectAll()
    forms.append(lambda picker: True)  # the first six stakeholders
    compare = open_comparison(window.context)
    model = compare.model
    index = model.index(0, 0)
    question_id, stakeholder_id = model.question_id(0), model.stakeholder_id(0)
    with window.store.reading() as session:
        name = session.get(Stakeholder, stakeholder_id).name
    cli(window, "answer", "set", "--question", question_id, "--stakeholder", name,
        "--answer", "partly", "--comment", "From the command line")  # fmt: skip
    before = everything(window)
    shown = model.cell(index).answer  # as the table shows it, from before the CLI's answer
    mine = next(a for a in ("yes", "no", "unknown") if a != shown)
    assert not model.setData(index, mine, Qt.ItemDataRole.EditRole)
    assert everything(window) == before
    assert "changed elsewhere" in warned[-1] or "made elsewhere" in warned[-1]
    assert "The table now shows it" in warned[-1]
    assert model.index(0, 0).data().startswith("Partly")  # the table was read again
    # Chosen again from what the table now shows, the answer is saved.
    assert model.setData(model.index(0, 0), mine, Qt.ItemDataRole.EditRole)
    with window.store.reading() as session:
        answer = session.scalars(
            select(Answer).where(
                Answer.question_id == question_id, Answer.stakeholder_id == stakeholder_id
            )
        ).one()
        assert answer.answer == mine and answer.comment == "From the command line"


def test_edit_quote_while_the_cli_retags_it(window, monkeypatch, tmp_path):
    window.side_tabs.setCurrentWidget(window.sources_panel)
    panel = window.sources_panel
    with window.store.reading() as session:
        quote_id = session.scalars(select(Quote.id).order_by(Quote.id)).first()
        liberty = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "Liberty")).one()
    panel.quote_list.setCurrentIndex(panel.quotes.index(panel.quotes.row_of(quote_id), 0))
    calls = []

    def ask(cls, parent, details, speakers, stale=None):
        calls.append((details, stale))
        if stale is None:
            cli(window, "quote", "edit", quote_id, "--tag", "Überwachung")
            return {
                "speaker": liberty,
                "said_on": None,
                "attribution": "reported",
                "tags": ["mine"],
            }
        # Shown again: the user's choices are what the dialog starts from, and it says why.
        assert details.speaker_id == liberty and details.tags == ("mine",)
        assert "changed elsewhere" in stale.message and stale.reload is not None
        dialog = corrections.QuoteEditDialog(parent, details, speakers, stale)
        dialog.grab().save(str(tmp_path / "stale-quote-dialog.png"))
        assert dialog.tags.text() == "mine"
        dialog.reload_button.click()
        assert dialog.tags.text() == "Überwachung"  # the other version, to merge with
        dialog.tags.setText("Überwachung, mine")
        dialog.speaker.setCurrentIndex(dialog.speaker.findData(liberty))
        return dialog.fields()

    monkeypatch.setattr(corrections.QuoteEditDialog, "ask", classmethod(ask))
    panel.edit_quote_button.click()
    assert len(calls) == 2
    with window.store.reading() as session:
        quote = session.get(Quote, quote_id)
        assert sorted(t.name for t in quote.tags) == ["mine", "Überwachung"]
        assert quote.speaker_id == liberty


def test_edit_source_refused_changes_nothing_until_the_user_says(window, monkeypatch):
    window.side_tabs.setCurrentWidget(window.sources_panel)
    panel = window.sources_panel
    with window.store.reading() as session:
        source_id = session.scalars(select(Source.id)).first()
    after_cli = []

    def ask(cls, parent, details, stale=None):
        if stale is None:
            cli(window, "source", "edit", source_id, "--publisher", "From the command line")
            after_cli.append(everything(window))
            return {
                "title": details.title,
                "publisher": "Mine",
                "author": details.author,
                "url": details.url,
                "published": details.published,
            }
        assert everything(window) == after_cli[0]  # the refused save wrote nothing
        assert details.publisher == "Mine"
        return None  # the user cancels: the other version stays

    monkeypatch.setattr(corrections.SourceEditDialog, "ask", classmethod(ask))
    panel.edit_source_button.click()
    assert everything(window) == after_cli[0]


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_briefing_composer_keeps_the_typed_introduction(window, choice):
    panel = window.briefings
    window.side_tabs.setCurrentWidget(panel)
    panel.new_title.setText("For the committee")
    panel.create()
    briefing_id = panel.current_id()
    asked = []
    panel.resolve_stale = lambda message: asked.append(message) or choice
    panel.introduction.setPlainText("My introduction, typed in the window")
    elsewhere(
        window,
        lambda s: briefings_core.update_briefing(s, briefing_id, introduction="Their introduction"),
    )
    panel.save_fields()
    assert asked and "changed elsewhere" in asked[0]
    with window.store.reading() as session:
        saved = briefings_core.get_briefing(session, briefing_id).introduction
    if choice == "mine":
        assert saved == "My introduction, typed in the window"
    else:
        assert saved == "Their introduction"
        assert panel.introduction.toPlainText() == "Their introduction"


def test_briefing_order_changed_elsewhere_is_not_overwritten(window, monkeypatch):
    warned = []
    monkeypatch.setattr(
        "briefing.ui.briefings.QMessageBox.warning",
        lambda parent, title, text: warned.append(text),
    )
    panel = window.briefings
    window.side_tabs.setCurrentWidget(panel)
    panel.choose_notes = lambda labels: []
    panel.new_title.setText("For the committee")
    panel.create()
    for name in ("IBM", "Microsoft"):
        window.select_stakeholder(name)
        panel.add_stakeholder()
    briefing_id = panel.current_id()
    shown = [panel.items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(2)]
    with window.store.reading() as session:
        items = [i.id for i in briefings_core.briefing_items(session, briefing_id)]
    elsewhere(window, lambda s: briefings_core.remove_item(s, items[0]))
    before = everything(window)
    panel.items.setCurrentRow(0)
    panel.move(1)
    assert everything(window) == before
    assert warned and "changed elsewhere" in warned[0]
    assert panel.items.count() == 1  # shown as it is now
    assert shown == items
