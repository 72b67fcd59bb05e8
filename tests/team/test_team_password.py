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

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from briefing.cli import main
from briefing.store import kept_secrets, open_store, team_login
from briefing.store.team_login import PasswordNeeded

SECRET = "violet-harbour-31-quills"


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, for this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError("nothing kept")


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


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
