"""`briefing check`, `backup`, `backups`, `restore` end to end, and damaged stores in words."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys

import pytest


def run(env, *args):
    env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_check_passes_a_sound_store(isolated_env, demo_path, snapshot):
    before = snapshot(demo_path)
    result = run(isolated_env, "--db", demo_path, "check")
    assert result.returncode == 0, result.stderr
    assert "integrity:      ok" in result.stdout
    result = run(isolated_env, "--db", demo_path, "check", "--json")
    report = json.loads(result.stdout)
    assert report["ok"] is True and len(report["checks"]) == 7
    assert snapshot(demo_path) == before


def test_backup_backups_and_restore(isolated_env, demo_path, tmp_path):
    made = run(isolated_env, "--db", demo_path, "backup")
    assert made.returncode == 0, made.stderr
    backup = made.stdout.strip()
    added = run(isolated_env, "--db", demo_path, "note", "add", "--on", "topic:1", "later words")
    assert added.returncode == 0, added.stderr
    listed = json.loads(run(isolated_env, "--db", demo_path, "backups", "--json").stdout)
    assert backup in [b["path"] for b in listed]
    restored = run(isolated_env, "--db", demo_path, "restore", backup)
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    notes = run(isolated_env, "--db", demo_path, "notes")
    assert "later words" not in notes.stdout
    listed = json.loads(run(isolated_env, "--db", demo_path, "backups", "--json").stdout)
    assert listed[0]["reason"] == "before-restore"
    to = tmp_path / "copy.sqlite3"
    assert run(isolated_env, "--db", demo_path, "backup", "--to", to).returncode == 0
    assert to.exists()


def test_restore_is_refused_while_the_window_has_the_store_open(isolated_env, demo_path, snapshot):
    backup = run(isolated_env, "--db", demo_path, "backup").stdout.strip()
    lock = demo_path.with_name(demo_path.name + ".lock")
    lock.write_text(f"{os.getpid()}\nBriefing\n{socket.gethostname()}\n")
    before = snapshot(demo_path)
    result = run(isolated_env, "--db", demo_path, "restore", backup)
    assert result.returncode == 3
    assert "open in the app's window" in result.stderr
    assert snapshot(demo_path) == before


def test_restoring_a_file_that_is_not_a_backup_is_refused(isolated_env, demo_path, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    result = run(isolated_env, "--db", demo_path, "restore", bad)
    assert result.returncode == 3
    assert "cannot be restored: it is not a SQLite database" in result.stderr


def _damage_private_note(path, secret: str) -> None:
    connection = sqlite3.connect(path)
    connection.execute("UPDATE notes SET body = ?, private = 1 WHERE id = 1", (secret * 8,))
    connection.commit()
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'notes'"
    ).fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    (page,) = connection.execute("PRAGMA page_count").fetchone()
    connection.close()
    data = bytearray(path.read_bytes())
    # Overwrite 16 bytes in the middle of the private note's text, wherever it sits.
    at = bytes(data).find(secret.encode() * 8)
    assert at > 0 and page > root
    data[at + 40 : at + 56] = b"\xa5" * 16
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "command",
    [
        ["notes"],
        ["notes", "--json"],
        ["search", "Surveillance"],
        ["export", "out.md"],
        ["check"],
        ["info"],
    ],
)
def test_a_damaged_private_note_never_reaches_the_terminal(
    isolated_env, demo_path, tmp_path, command
):
    secret = "Whistleblower-Gamma-"
    _damage_private_note(demo_path, secret)
    result = run(isolated_env, "--db", demo_path, *command)
    assert "Traceback" not in result.stderr
    assert "Gamma" not in result.stderr
    if command[0] in ("notes", "check"):
        assert result.returncode != 0
    if command == ["check"]:
        assert "readable text" in result.stdout and "notes row 1" in result.stdout


def test_a_damaged_store_is_refused_by_every_command(isolated_env, demo_path, snapshot):
    connection = sqlite3.connect(demo_path)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'notes'"
    ).fetchone()
    connection.close()
    with open(demo_path, "r+b") as file:
        file.seek((root - 1) * 4096 + 8)
        file.write(b"\xa5" * 16)
    before = demo_path.read_bytes()
    for command in (["info"], ["notes"], ["note", "add", "--on", "topic:1", "x"], ["backup"]):
        result = run(isolated_env, "--db", demo_path, *command)
        assert result.returncode == 3, (command, result.stderr)
        assert "is damaged, so it was not opened" in result.stderr
        assert "Traceback" not in result.stderr
    assert demo_path.read_bytes() == before
    result = run(isolated_env, "--db", demo_path, "check")
    assert result.returncode == 1 and "integrity:      FAILED" in result.stdout
    assert demo_path.read_bytes() == before
