"""SIGKILL at each step of encrypt, decrypt and a passphrase change: old store or new, whole.

As in `test_killed_midway.py`, the real code runs in a child process that kills itself (no
clean-up, no finally) at one step: inside SQLCipher's export, after the export before its check,
before the rename, after the rename before the plain file is overwritten, between the store and
its backups. Afterwards the store is either exactly the old one or exactly the new one, passes
the full check, every backup is whole in one form or the other, and running the command again
finishes the job and leaves no temporary file and no marker in any file.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefing.core.check import check_store
from briefing.store import encryption
from briefing.store.backups import list_backups, take_backup

KILL = "os.kill(os.getpid(), signal.SIGKILL)"
OLD, NEW = "old passphrase", "new passphrase"
MARKER = "WOMBATPRIVATEMARK"

STEPS = {
    # A progress handler kills SQLCipher's export of the store mid-way.
    "exporting": f"""
_cipher = encryption._cipher
class _Module:
    def __getattr__(self, name):
        return getattr(_cipher(), name)
    def connect(self, *args, **kwargs):
        connection = _cipher().connect(*args, **kwargs)
        if str(args[0]).endswith("/demo.sqlite3?mode=ro"):  # the store's export, no other
            connection.set_progress_handler(lambda: {KILL}, 50)
        return connection
encryption._cipher = lambda: _Module()
""",
    "checking": f"encryption._check = lambda path, key: {KILL}",
    "renaming": (
        f"encryption.os = types.SimpleNamespace(**{{**vars(os), 'replace': lambda a, b: {KILL}}})"
    ),
    "overwriting": f"encryption._overwrite = lambda descriptor: {KILL}",
    # Backups are converted first, the store last: killed after the first backup.
    "backups": f"""
_convert_file = encryption.convert_file
_done = []
def dying(path, *args):
    if _done:
        {KILL}
    _done.append(path)
    return _convert_file(path, *args)
encryption.convert_file = dying
""",
}


def run_child(body: str, patch: str) -> None:
    code = "\n".join(
        [
            "import os, signal, sys, types",
            "from pathlib import Path",
            "from briefing.store import encryption",
            patch,
            textwrap.dedent(body),
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=180)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()


def contents(path: Path, passphrase: str | None) -> list:
    if passphrase is None:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    else:
        key = encryption.derive(passphrase, path.read_bytes()[:16])
        connection = encryption.connect(path, key, options="?mode=ro&immutable=1")
    try:
        rows = []
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " ORDER BY name"
        ):
            found = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            rows.append((name, sorted(found, key=repr)))
        return rows
    finally:
        connection.close()


def form_of(path: Path, passphrases: tuple[str | None, str | None]) -> str | None:
    """Which of the two passphrases (None: plain) opens the file."""
    if not encryption.is_encrypted(path):
        return None
    for passphrase in passphrases:
        if passphrase is not None and encryption.opens(
            path, encryption.derive(passphrase, path.read_bytes()[:16])
        ):
            return passphrase
    raise AssertionError(f"{path.name} opens with neither passphrase")


def with_marker(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO notes (uuid, body, private, topic_id, created_at, updated_at) "
        f"VALUES ('n-m', 'words {MARKER}', 1, 1, '2024-01-01', '2024-01-01')"
    )
    connection.commit()
    connection.close()


CASES = {
    # action: (passphrase before, passphrase after, what the child runs)
    "encrypt": (None, NEW, f"encryption.encrypt_store(PATH, {NEW!r})"),
    "decrypt": (OLD, None, f"encryption.unlock(PATH, {OLD!r}); encryption.decrypt_store(PATH)"),
    "rekey": (
        OLD,
        NEW,
        f"encryption.unlock(PATH, {OLD!r}); encryption.change_passphrase(PATH, {NEW!r})",
    ),
}


def _steps(action: str) -> list[str]:
    # Only encryption replaces a plain file, so only it overwrites one.
    return [step for step in STEPS if step != "overwriting" or action == "encrypt"]


@pytest.mark.parametrize(
    ("action", "step"), [(action, step) for action in CASES for step in _steps(action)]
)
def test_killed_while_converting(demo_path, action, step):
    encryption.forget_all()
    before_form, after_form, body = CASES[action]
    with_marker(demo_path)
    take_backup(demo_path, "manual")
    take_backup(demo_path, "manual")
    expected = contents(demo_path, None)
    if before_form is not None:
        encryption.encrypt_store(demo_path, before_form)
        encryption.forget_all()
    run_child(f"PATH = Path({str(demo_path)!r})\n{body}", STEPS[step])

    forms = (before_form, after_form)
    form = form_of(demo_path, forms)
    assert contents(demo_path, form) == expected
    if form is not None:
        encryption.unlock(demo_path, form)
    assert check_store(demo_path).ok
    for backup in list_backups(demo_path):  # each backup whole, in one form or the other
        assert contents(backup.path, form_of(backup.path, forms)) == expected
    encryption.forget_all()

    # The same command run again finishes the job (the store done already: nothing to do).
    if form != after_form:
        namespace = {"encryption": encryption, "PATH": demo_path}
        exec(textwrap.dedent(body), namespace)
    assert form_of(demo_path, forms) == after_form
    assert [form_of(b.path, forms) for b in list_backups(demo_path)] == [after_form] * 2
    assert [p.name for p in demo_path.parent.rglob("*") if ".tmp-" in p.name] == []
    if after_form is not None:
        for file in demo_path.parent.rglob("*"):
            assert not file.is_file() or MARKER.encode() not in file.read_bytes(), file.name
