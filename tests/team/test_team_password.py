"""A team store whose server asks for a password: libpq's files first, then the desktop keyring,
then the terminal; never in the address, settings, messages or the log.

The server is the test cluster with a `scram-sha-256` line for the test's roles (`Team.
with_password`); the keyring is a real `keyring` backend that keeps passwords in a dict,
installed with `keyring.set_keyring` as a desktop's would be.
"""

from __future__ import annotations

import getpass
import logging
import sys

import pytest

from briefing.cli import main
from briefing.store import kept_secrets, open_store, team_login
from briefing.store.team_login import PasswordNeeded

SECRET = "violet-harbour-31-quills"


@pytest.fixture
def locked(team, capsys, monkeypatch, tmp_path):
    """A team store (no demo) whose owner's role has a password the server asks for; no
    ~/.pgpass (PGPASSFILE names a file that is not there) and no terminal."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert main(["--db", team.url(), "team", "setup", "--no-demo"]) == 0
    team.with_password(team.owner, SECRET)
    capsys.readouterr()
    _terminal(monkeypatch, None)
    return team


def _terminal(monkeypatch, answers: list[str] | None) -> list[str]:
    """A terminal that answers each password prompt with the next of `answers`; None: no
    terminal (a script, a service). The prompts shown, back."""
    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: answers is not None, raising=False)

    def typed(prompt: str = "") -> str:
        prompts.append(prompt)
        assert answers, "asked once more than the test expected"
        return answers.pop(0)

    monkeypatch.setattr(getpass, "getpass", typed)
    return prompts


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_without_a_terminal_the_command_says_how_to_give_the_password(locked, capsys, no_keyring):
    status, out, err = _run(capsys, "--db", locked.url(), "info")
    assert status == 3 and out == ""
    assert f"asks for {locked.owner}@" in err
    for way in (".pgpass", "service file", "team remember-password"):
        assert way in err
    assert "Traceback" not in err


def test_the_password_is_asked_on_a_terminal_and_a_wrong_one_again(
    locked, capsys, monkeypatch, no_keyring, caplog
):
    caplog.set_level(logging.DEBUG)
    prompts = _terminal(monkeypatch, ["not-it", SECRET])
    status, out, err = _run(capsys, "--db", locked.url(), "info")
    assert status == 0, err
    assert "schema:" in out
    assert len(prompts) == 2 and f"Password for {locked.owner}@" in prompts[0]
    assert "that password was refused" in err
    for shown in (out, err, caplog.text, *prompts):
        assert SECRET not in shown and "not-it" not in shown


def test_three_wrong_passwords_end_the_command_in_words(
    locked, capsys, monkeypatch, no_keyring, caplog
):
    caplog.set_level(logging.DEBUG)
    _terminal(monkeypatch, ["wrong-1", "wrong-2", "wrong-3"])
    status, out, err = _run(capsys, "--db", locked.url(), "team", "members")
    assert status == 3 and out == ""
    assert "refused the password" in err and ".pgpass" in err
    for word in ("wrong-1", "wrong-2", "wrong-3"):
        assert word not in err and word not in caplog.text


def test_pgpass_is_read_by_libpq_and_nothing_is_asked(locked, capsys, monkeypatch, tmp_path):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:{locked.database}:{locked.owner}:{SECRET}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    prompts = _terminal(monkeypatch, [])
    status, out, err = _run(capsys, "--db", locked.url(), "team", "members")
    assert status == 0, err
    assert prompts == []


def test_remember_password_keeps_it_and_every_command_then_uses_it(
    locked, capsys, monkeypatch, memory_keyring, caplog
):
    caplog.set_level(logging.DEBUG)
    _terminal(monkeypatch, ["not-it"])
    status, out, err = _run(capsys, "--db", locked.url(), "team", "remember-password")
    assert status == 3 and "refused" in err
    assert memory_keyring.kept == {}  # a refused password is not kept

    _terminal(monkeypatch, [SECRET])
    status, out, err = _run(capsys, "--db", locked.url(), "team", "remember-password")
    assert status == 0, err
    ((service, name),) = memory_keyring.kept
    assert service == kept_secrets.TEAM_PASSWORD
    assert name.startswith(f"{locked.owner}@") and name.endswith(f"/{locked.database}")
    assert name in out

    prompts = _terminal(monkeypatch, None)  # no terminal: the keyring's password opens it
    status, out, err = _run(capsys, "--db", locked.url(), "info")
    assert status == 0, err
    assert prompts == []

    status, out, err = _run(capsys, "--db", locked.url(), "team", "forget-password")
    assert status == 0 and "no longer keeps" in out
    assert memory_keyring.kept == {}
    status, out, err = _run(capsys, "--db", locked.url(), "team", "forget-password")
    assert status == 0 and "kept no password" in out
    status, _out, err = _run(capsys, "--db", locked.url(), "info")
    assert status == 3 and "remember-password" in err
    assert SECRET not in caplog.text


def test_a_kept_password_that_no_longer_works_is_asked_again(
    locked, capsys, monkeypatch, memory_keyring
):
    memory_keyring.kept[(kept_secrets.TEAM_PASSWORD, _key(locked))] = "an old one"
    prompts = _terminal(monkeypatch, [SECRET])
    status, out, err = _run(capsys, "--db", locked.url(), "info")
    assert status == 0, err
    assert len(prompts) == 1 and "keyring keeps" in err and "was refused" in err


def test_remember_password_needs_a_keyring_and_a_terminal(locked, capsys, monkeypatch, no_keyring):
    _terminal(monkeypatch, [SECRET])
    status, _out, err = _run(capsys, "--db", locked.url(), "team", "remember-password")
    assert status == 2 and "no desktop keyring" in err and ".pgpass" in err


def test_remember_password_without_a_terminal_is_refused(
    locked, capsys, monkeypatch, memory_keyring
):
    _terminal(monkeypatch, None)
    status, _out, err = _run(capsys, "--db", locked.url(), "team", "remember-password")
    assert status == 2 and "terminal" in err
    assert memory_keyring.kept == {}


def test_the_password_lives_in_memory_only(locked, monkeypatch, caplog):
    """Not in the address the store shows, not in the engine's address, and the change
    listener connects with it too."""
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PasswordNeeded) as refused:
        team_login.try_password(locked.url(), "wrong")
    assert refused.value.refused and "wrong" not in str(refused.value)
    assert team_login.try_password(locked.url(), SECRET).role == locked.owner
    with open_store(locked.url(), password=SECRET) as store:
        for shown in (store.path, str(store.engine.url), repr(store.engine)):
            assert SECRET not in shown
        heard = []
        listener = store.listen(heard.append)
        try:
            assert listener.connected.wait(10)
        finally:
            listener.stop()
    assert SECRET not in caplog.text


def test_an_address_with_a_password_is_still_refused(locked, capsys):
    address = locked.url().replace(f"{locked.owner}@", f"{locked.owner}:{SECRET}@")
    status, _out, err = _run(capsys, "--db", address, "info")
    assert status == 3 and "never holds a password" in err
    assert SECRET not in err


def _key(team) -> str:
    with pytest.raises(PasswordNeeded) as needed:
        team_login.try_password(team.url(), None)
    return needed.value.login.key


# -- the window's password dialog ----------------------------------------------------------------


def _login(team):
    with pytest.raises(PasswordNeeded) as needed:
        team_login.try_password(team.url(), None)
    return needed.value.login


def test_the_dialog_retries_a_wrong_password_and_remembers_when_asked(
    locked, qtbot, memory_keyring, tmp_path, caplog
):
    from briefing.ui.team_password import TeamPasswordDialog

    caplog.set_level(logging.DEBUG)
    login = _login(locked)
    dialog = TeamPasswordDialog(locked.url(), login)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.field.echoMode() == dialog.field.EchoMode.Password
    assert login.shown in dialog.findChildren(type(dialog.problem))[0].text()
    assert dialog.remember.isVisible() and not dialog.remember.isChecked()

    dialog.field.setText("not-it")
    dialog.open_button.click()
    assert dialog.isVisible() and dialog.result() == 0
    assert "refused that password" in dialog.problem.text()
    assert memory_keyring.kept == {}
    dialog.grab().save(str(tmp_path / "team-password-refused.png"))

    dialog.field.setText(SECRET)
    dialog.remember.setChecked(True)
    dialog.open_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.password == SECRET
    assert memory_keyring.kept == {(kept_secrets.TEAM_PASSWORD, login.key): SECRET}
    assert dialog.field.text() == ""
    assert SECRET not in caplog.text and "not-it" not in caplog.text


def test_the_dialog_keeps_nothing_unless_asked_and_hides_the_box_without_a_keyring(
    locked, qtbot, no_keyring
):
    from briefing.ui.team_password import TeamPasswordDialog

    dialog = TeamPasswordDialog(locked.url(), _login(locked))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.remember.isVisible()
    dialog.field.setText(SECRET)
    dialog.open_button.click()
    assert dialog.password == SECRET
    assert kept_secrets.kept(kept_secrets.TEAM_PASSWORD, _login(locked).key) is None


class _App:
    """Stands in for QApplication in `_run_team_window`: `exec` looks at the window shown and
    closes it, instead of running until the user quits."""

    def __init__(self) -> None:
        self.shown = []

    def exec(self) -> int:
        from PySide6.QtWidgets import QApplication

        from briefing.ui.main_window import MainWindow

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                self.shown.append(widget.store.role)
                widget.close()
        return 0


def test_the_window_asks_then_opens_and_cancel_closes_cleanly(
    locked, qtbot, monkeypatch, no_keyring, tmp_path
):
    from briefing.ui import app as app_module
    from briefing.ui import notes as notes_ui
    from briefing.ui.team_password import TeamPasswordDialog

    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *args: True)
    errors = []
    monkeypatch.setattr(app_module, "show_error", lambda title, message: errors.append(message))
    asked = []

    def cancel(address, login, why):
        asked.append(login.shown)
        return None

    monkeypatch.setattr(TeamPasswordDialog, "ask", classmethod(lambda cls, *a: cancel(*a)))
    app = _App()
    assert app_module._run_team_window(app, locked.url()) == 1
    assert asked and errors == [] and app.shown == []  # cancelled: no window, no error box

    monkeypatch.setattr(TeamPasswordDialog, "ask", classmethod(lambda cls, *a: SECRET))
    assert app_module._run_team_window(app, locked.url()) == 0
    assert app.shown == [locked.owner] and errors == []


def test_the_owners_backup_and_restore_take_the_kept_password(
    locked, capsys, monkeypatch, memory_keyring, tmp_path, caplog
):
    """pg_dump and pg_restore get the password in their own environment only."""
    import os

    caplog.set_level(logging.DEBUG)
    memory_keyring.kept[(kept_secrets.TEAM_PASSWORD, _key(locked))] = SECRET
    dump = tmp_path / "team.pgdump"
    status, out, err = _run(capsys, "--db", locked.url(), "backup", "--to", str(dump))
    assert status == 0, err
    assert dump.read_bytes()[:5] == b"PGDMP"
    status, out2, err2 = _run(capsys, "--db", locked.url(), "restore", str(dump), "--yes")
    assert status == 0, err2
    assert "PGPASSWORD" not in os.environ
    for shown in (out, err, out2, err2, caplog.text):
        assert SECRET not in shown


def test_the_export_process_opens_the_store_with_the_password_the_window_was_given(
    locked, tmp_path
):
    """The window's exports read the store again in their own process: that process gets the
    password the window was given on its standard input (as an encrypted store's key), so an
    export works without .pgpass; nothing is put in its environment or arguments."""
    from functools import partial

    from briefing.core import briefings as core
    from briefing.core.editing import StakeholderFields, add_stakeholder, create_topic
    from briefing.export.process import export_in_child, shut_down
    from briefing.store.database import password_given
    from briefing.store.team import open_team_store

    store = open_team_store(locked.url(), SECRET)
    try:
        with store.writing() as session:
            topic = create_topic(session, "Live facial recognition in Wales").id
            add_stakeholder(session, StakeholderFields("South Wales Police", "police"), topic)
        assert password_given(store.path) == SECRET
        out = tmp_path / "topic.md"
        content = partial(core.topic_content, topic_id=topic, include_private=False)
        assert export_in_child(None, out, "md", load=(store.path, content)) == out
        assert "South Wales Police" in out.read_text(encoding="utf-8")
    finally:
        store.close()
        shut_down()


def test_a_password_refusal_crosses_a_pipe_whole():
    """The export's child tells the window why it stopped by pickling the error."""
    import pickle

    needed = PasswordNeeded(
        "the server refused the password",
        team_login.Login("alice", "/tmp", "team", "5432"),
        refused=True,
    )
    again = pickle.loads(pickle.dumps(needed))
    assert (str(again), again.login, again.refused, again.cancelled) == (
        "the server refused the password",
        needed.login,
        True,
        False,
    )
