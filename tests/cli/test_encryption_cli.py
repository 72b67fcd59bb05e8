"""`briefing encrypt`, `decrypt`, `passphrase`, `--encrypt` and where a passphrase may come from.

A passphrase comes from `--passphrase-file`, BRIEFING_PASSPHRASE_FILE or a terminal prompt that
does not echo; there is no option that takes it on the command line.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time

MARK = "KOALAPRIVATEWORDS"
SECRET = "tea at the embassy"


def run(env, *args, **extra):
    env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
    env.update(extra.pop("more_env", {}))
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        **extra,
    )


def passphrase_file(tmp_path, name, words):
    path = tmp_path / "keys" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(words + "\n", encoding="utf-8")
    return path


def every_byte(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_encrypt_work_and_decrypt_from_the_command_line(isolated_env, demo_path, tmp_path):
    folder = demo_path.parent
    key = passphrase_file(tmp_path, "key.txt", SECRET)
    db = ("--db", demo_path)
    assert (
        run(isolated_env, *db, "note", "add", "--on", "topic:1", "--private", MARK).returncode == 0
    )
    assert run(isolated_env, *db, "backup").returncode == 0
    assert MARK.encode() in every_byte(folder)

    result = run(isolated_env, *db, "encrypt", "--passphrase-file", key)
    assert result.returncode == 0, result.stderr
    assert "encrypted its 1 backup(s)" in result.stdout and "see the README" in result.stdout
    assert MARK.encode() not in every_byte(folder)

    # Without the passphrase: refused in words.
    result = run(isolated_env, *db, "info")
    assert result.returncode == 2 and "--passphrase-file" in result.stderr

    env = {"BRIEFING_PASSPHRASE_FILE": str(key)}
    found = run(isolated_env, *db, "search", MARK, "--json", more_env=env)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)
    assert run(isolated_env, *db, "check", more_env=env).returncode == 0
    described = run(isolated_env, *db, "info", "--json", more_env=env)
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["encrypted"] is True
    assert "encrypted:    yes" in run(isolated_env, *db, "info", more_env=env).stdout
    made = run(isolated_env, *db, "backup", more_env=env)
    assert made.returncode == 0, made.stderr
    restored = run(isolated_env, *db, "restore", made.stdout.strip(), more_env=env)
    assert restored.returncode == 0, restored.stderr
    out = tmp_path / "out" / "topic.md"
    out.parent.mkdir()
    exported = run(isolated_env, *db, "export", out, "--format", "md", more_env=env)
    assert exported.returncode == 0, exported.stderr
    assert "IBM" in out.read_text(encoding="utf-8")  # an export is a readable file, as asked
    assert MARK.encode() not in every_byte(folder)

    new_key = passphrase_file(tmp_path, "new.txt", "a different one")
    changed = run(isolated_env, *db, "passphrase", "--new-passphrase-file", new_key, more_env=env)
    assert changed.returncode == 0, changed.stderr
    assert run(isolated_env, *db, "info", more_env=env).returncode == 3  # the old one no more
    plain = run(isolated_env, *db, "decrypt", "--passphrase-file", new_key)
    assert plain.returncode == 0, plain.stderr
    assert demo_path.read_bytes()[:16] == b"SQLite format 3\x00"
    assert json.loads(run(isolated_env, *db, "info", "--json").stdout)["encrypted"] is False
    assert MARK in run(isolated_env, *db, "notes").stdout


def test_a_wrong_passphrase_changes_nothing(isolated_env, demo_path, tmp_path, snapshot):
    key = passphrase_file(tmp_path, "key.txt", SECRET)
    assert run(isolated_env, "--db", demo_path, "encrypt", "--passphrase-file", key).returncode == 0
    wrong = passphrase_file(tmp_path, "wrong.txt", "not it")
    before = snapshot(demo_path)
    for command in (
        ["info"],
        ["check"],
        ["backup"],
        ["decrypt"],
        ["note", "add", "--on", "topic:1", "x"],
    ):
        result = run(isolated_env, "--db", demo_path, *command, "--passphrase-file", wrong)
        assert result.returncode == 3, (command, result.stderr)
        assert "the passphrase does not open" in result.stderr
        assert "not it" not in result.stderr + result.stdout
    assert snapshot(demo_path) == before


def test_bad_passphrase_sources_are_refused_in_words(isolated_env, demo_path, tmp_path, snapshot):
    empty = passphrase_file(tmp_path, "empty.txt", "")
    before = snapshot(demo_path)
    result = run(isolated_env, "--db", demo_path, "encrypt", "--passphrase-file", empty)
    assert result.returncode == 2 and "is empty" in result.stderr
    missing = run(
        isolated_env, "--db", demo_path, "encrypt", "--passphrase-file", tmp_path / "nope"
    )
    assert missing.returncode == 2 and "cannot read the passphrase file" in missing.stderr
    long = passphrase_file(tmp_path, "long.txt", "x" * 5000)
    result = run(isolated_env, "--db", demo_path, "encrypt", "--passphrase-file", long)
    assert result.returncode == 2 and "longer than" in result.stderr
    # No option takes the passphrase itself: it would show in `ps` and the shell's history.
    result = run(isolated_env, "--db", demo_path, "encrypt", "--passphrase", SECRET)
    assert result.returncode == 2 and "never taken on the command line" in result.stderr
    assert SECRET not in result.stderr
    # --encrypt is for a new store.
    result = run(isolated_env, "--db", demo_path, "--encrypt", "info", "--passphrase-file", long)
    assert result.returncode == 2 and "--encrypt is for new stores" in result.stderr
    assert snapshot(demo_path) == before


def _on_a_terminal(env, args, answers):
    """Run briefing with a terminal of its own; type `answers` at its prompts."""
    env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
    main, terminal = pty.openpty()

    def own_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [sys.executable, "-m", "briefing", *map(str, args)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        preexec_fn=own_terminal,
    )
    os.close(terminal)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.rstrip().endswith(b":"):
                os.write(main, pending.pop(0).encode() + b"\n")
                seen += b"<typed>"
        elif child.poll() is not None:
            break
    child.wait(timeout=60)
    os.close(main)
    return child.returncode, seen.decode(errors="replace")


def test_a_new_store_encrypted_with_the_passphrase_typed_at_a_prompt(isolated_env, tmp_path):
    path = tmp_path / "new.sqlite3"
    status, seen = _on_a_terminal(
        isolated_env, ["--db", path, "--encrypt", "info"], [SECRET, SECRET]
    )
    assert status == 0, seen
    assert "Passphrase for the new store:" in seen and "The same passphrase again:" in seen
    assert SECRET not in seen  # no echo
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    status, seen = _on_a_terminal(isolated_env, ["--db", path, "stakeholders"], [SECRET])
    assert status == 0, seen
    assert "Passphrase for new.sqlite3:" in seen and "IBM" in seen and SECRET not in seen
    status, seen = _on_a_terminal(isolated_env, ["--db", path, "info"], ["wrong"])
    assert status == 3 and "does not open" in seen
