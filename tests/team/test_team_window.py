"""The window on a team store: another member's changes reach it within a second and the cards
update in place; a server that goes away loses nothing typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from briefing.core.demo import load_demo
from briefing.core.editing import StakeholderFields, edit_stakeholder
from briefing.core.notes import note_snapshot
from briefing.store import open_store
from briefing.store import team as team_store
from briefing.store.models import Position, Quote, Stakeholder
from briefing.ui import corrections, note_editor
from briefing.ui import notes as notes_ui
from briefing.ui.editing import Editing

WAIT = 20_000  # waits for a state; the within-a-second claim is the listener's poll (0.25 s)


@pytest.fixture(autouse=True)
def close_without_asking(monkeypatch):
    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *args: True)


def _card(window, stakeholder_id):
    return window.cards.card(window.cards.row_of(stakeholder_id))


def test_another_members_change_updates_the_card_in_place(team, qtbot, tmp_path, open_window):
    team_store.setup(team.url(), load_demo)
    alice, bob = team.role("alice"), team.role("bob")
    team_store.add_member(team.url(), alice)
    team_store.add_member(team.url(), bob)
    store = open_store(team.url(alice))
    window = open_window(store)
    try:
        assert window.listener is not None
        qtbot.waitUntil(window.listener.connected.is_set, timeout=WAIT)
        before = window.cards.ids()
        assert 1 in before
        with open_store(team.url(bob)) as other, other.writing() as session:
            found = session.get(Stakeholder, 1)
            fields = StakeholderFields("IBM (Bob renamed it)", found.kind, found.description)
            edit_stakeholder(session, 1, fields)
        qtbot.waitUntil(lambda: _card(window, 1).name == "IBM (Bob renamed it)", timeout=WAIT)
        assert sorted(window.cards.ids()) == sorted(before)  # the same cards, one renamed
        window.grab().save(str(tmp_path / "team-window.png"))
    finally:
        window.close()
        store.close()


def test_a_lost_server_keeps_what_is_typed_and_saves_it_when_back(
    own_team, qtbot, tmp_path, monkeypatch, open_window
):
    team = own_team
    team_store.setup(team.url(), load_demo)
    monkeypatch.setattr(note_editor, "RETRY_FIRST_MS", 100)
    store = open_store(team.url())
    window = open_window(store)
    try:
        window.notes_panel.editor._retry_after = 100
        assert window.select_stakeholder("IBM")
        window.side_tabs.setCurrentWidget(window.notes_panel)
        panel = window.notes_panel
        panel.new_button.click()
        qtbot.keyClicks(panel.editor.source, "Before the outage")
        assert panel.editor.flush()
        note_id = panel.editor.note_id

        team.cluster.stop("fast")
        qtbot.keyClicks(panel.editor.source, " and during it")
        panel.editor.flush()
        qtbot.waitUntil(lambda: "cannot be reached" in panel.editor.status.text(), timeout=WAIT)
        assert panel.editor.has_unsaved_changes
        assert panel.editor.source.toPlainText() == "Before the outage and during it"
        window.grab().save(str(tmp_path / "server-lost.png"))

        team.cluster.start()
        qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
        with store.reading() as session:
            assert note_snapshot(session, note_id).body == "Before the outage and during it"
    finally:
        window.close()
        store.close()


def test_a_lost_server_is_said_in_a_banner_and_forms_keep_their_text(
    own_team, qtbot, tmp_path, monkeypatch, open_window
):
    """The server stops while a form is open: the save is refused in words, the form comes back
    as typed, the window says the server cannot be reached, and once it is back the same form
    saves and the banner goes. For the stakeholder, position and quote forms."""
    team = own_team
    team_store.setup(team.url(), load_demo)
    alice = team.role("alice")
    team_store.add_member(team.url(), alice)
    store = open_store(team.url(alice))
    window = open_window(store)
    pending = []

    def exec_form(form) -> bool:
        return pending.pop(0)(form) is not False and form.ok.isEnabled()

    monkeypatch.setattr(Editing, "exec_form", staticmethod(exec_form))
    banner = window.server_banner
    try:
        qtbot.waitUntil(window.listener.connected.is_set, timeout=WAIT)
        assert banner.isHidden()
        assert window.select_stakeholder("IBM")
        with store.reading() as session:
            ibm = session.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
            quote_id = session.scalars(
                select(Quote.id).where(Quote.speaker_id == ibm).order_by(Quote.id)
            ).first()
        shots = []

        def typed_then_lost(change):
            def handler(form):
                change(form)
                team.cluster.stop("fast")

            return handler

        def kept_then_back(check, name):
            def handler(form):
                check(form)
                assert not form.lost_note.isHidden()
                assert "cannot be reached" in form.lost_note.text()
                qtbot.waitUntil(banner.isVisible, timeout=WAIT)
                if not shots:
                    window.grab().save(str(tmp_path / "server-lost-banner.png"))
                    shots.append(name)
                form.grab().save(str(tmp_path / f"server-lost-{name}.png"))
                team.cluster.start()

            return handler

        # The stakeholder form.
        pending.append(
            typed_then_lost(lambda f: f.description.setPlainText("Typed during the outage"))
        )
        pending.append(
            kept_then_back(
                lambda f: f.description.toPlainText() == "Typed during the outage" or 1 / 0,
                "stakeholder",
            )
        )
        window.editing.edit_stakeholder()
        assert not pending
        qtbot.waitUntil(banner.isHidden, timeout=WAIT)
        with store.reading() as session:
            assert session.get(Stakeholder, ibm).description == "Typed during the outage"

        # The position form.
        def position(form):
            form.headline.setText("Headline typed during the outage")
            form.summary.setPlainText("Summary typed during the outage")

        def position_kept(form):
            assert form.headline.text() == "Headline typed during the outage"
            assert form.summary.toPlainText() == "Summary typed during the outage"

        pending.append(typed_then_lost(position))
        pending.append(kept_then_back(position_kept, "position"))
        window.editing.set_position()
        assert not pending
        qtbot.waitUntil(banner.isHidden, timeout=WAIT)
        with store.reading() as session:
            assert session.scalars(
                select(Position.summary).where(Position.headline.like("%during the outage"))
            ).all() == ["Summary typed during the outage"]

        # The quote's dialog.
        asked = []

        def ask(cls, parent, details, speakers, *stale):
            asked.append(stale)
            if len(asked) == 1:
                team.cluster.stop("fast")
                return {"speaker": ibm, "said_on": None, "attribution": "direct",
                        "tags": ["typed-during-the-outage"]}  # fmt: skip
            assert stale[0].lost and "cannot be reached" in stale[0].message
            assert details.tags == ("typed-during-the-outage",)  # the dialog shows it as typed
            qtbot.waitUntil(banner.isVisible, timeout=WAIT)
            team.cluster.start()
            return {"speaker": ibm, "said_on": details.said_on, "attribution": "direct",
                    "tags": list(details.tags)}  # fmt: skip

        monkeypatch.setattr(corrections.QuoteEditDialog, "ask", classmethod(ask))
        assert corrections.edit_quote(window, quote_id)
        assert len(asked) == 2
        qtbot.waitUntil(banner.isHidden, timeout=WAIT)
        with store.reading() as session:
            assert [t.name for t in session.get(Quote, quote_id).tags] == [
                "typed-during-the-outage"
            ]
        window.grab().save(str(tmp_path / "server-back.png"))
    finally:
        window.close()
        store.close()


def test_a_read_that_found_the_server_gone_is_not_a_crash_dialog(qtbot, monkeypatch):
    """What escapes a slot because the server went away (a panel's refresh) is logged, not
    shown as "Something went wrong": the banner says it, and all is read again when it is back.
    Any other error still is."""
    import sys

    from briefing.ui import failures

    shown = []
    monkeypatch.setattr(failures, "show_failure", lambda *args: shown.append(args[1]))
    failures.install_excepthook()
    try:
        lost = team_store.ServerLost("the team store's server cannot be reached")
        sys.excepthook(type(lost), lost, None)
        qtbot.wait(50)
        assert shown == []
        other = RuntimeError("a bug")
        sys.excepthook(type(other), other, None)
        qtbot.waitUntil(lambda: shown == ["Something went wrong"], timeout=WAIT)
    finally:
        failures.uninstall_excepthook()
