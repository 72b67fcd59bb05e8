"""The app's log: failures recorded with their stack, never with the user's words."""

from __future__ import annotations

import logging

from briefing import logs
from briefing.cli import main

SECRETS = ("Meet R.", "private note")


def _raise_with_secret():
    # Built at run time, so that the source lines a traceback quotes do not hold the words.
    note, place = " ".join(SECRETS[1:]), "station"
    try:
        raise KeyError(f"the {note} about our source")
    except KeyError as inner:
        raise ValueError(f"INSERT ... parameters: ('{SECRETS[0]} at the {place}',)") from inner


def test_a_failure_is_logged_with_its_stack_and_without_its_message(tmp_path, monkeypatch):
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path / "log"))
    path = logs.setup_logging()
    assert path == tmp_path / "log" / "briefing.log"
    try:
        _raise_with_secret()
    except ValueError as error:
        logs.log_failure("saving a note", error)
    for handler in logs.logger.handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "saving a note failed" in text
    assert "_raise_with_secret" in text  # the frame a developer needs
    assert "builtins.KeyError (message withheld" in text  # the cause comes first
    assert "builtins.ValueError (message withheld" in text
    assert "Meet R." not in text and "private note" not in text


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(tmp_path, monkeypatch):
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path))
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    logs.setup_logging()
    try:
        for _ in range(200):
            logs.logger.error("x" * 100)
    finally:
        for handler in logs.logger.handlers:
            handler.flush()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files[0] == "briefing.log" and len(files) == 1 + logs.KEEP_FILES


def test_the_log_follows_its_folder_and_never_reaches_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path / "a"))
    logs.setup_logging()
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path / "b"))
    logs.setup_logging()
    handlers = [h for h in logs.logger.handlers if isinstance(h, logging.FileHandler)]
    assert [h.baseFilename for h in handlers] == [str(tmp_path / "b" / "briefing.log")]
    logs.logger.error("only in the file")
    assert "only in the file" not in capsys.readouterr().err


def test_an_unwritable_log_folder_is_no_reason_to_fail(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(logs.LOG_ENV, str(blocker / "log"))
    assert logs.setup_logging() is None


def test_a_bug_in_a_command_says_one_line_and_keeps_the_text_out_of_stderr(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(logs.LOG_ENV, str(tmp_path / "log"))
    monkeypatch.delenv("BRIEFING_DEBUG", raising=False)

    def broken(*args, **kwargs):
        _raise_with_secret()

    monkeypatch.setattr("briefing.core.info.counts", broken)
    status = main(["--db", str(tmp_path / "s.sqlite3"), "info"])
    err = capsys.readouterr().err
    assert status == 70
    assert err.count("\n") == 1 and "unexpected error (ValueError)" in err
    assert str(tmp_path / "log" / "briefing.log") in err
    assert "Meet R." not in err and "Traceback" not in err
    for handler in logs.logger.handlers:
        handler.flush()
    logged = (tmp_path / "log" / "briefing.log").read_text(encoding="utf-8")
    assert "_raise_with_secret" in logged and "Meet R." not in logged
