"""`briefing note add` and `briefing notes`, as a script would use them."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases


def test_add_prints_the_id_and_notes_lists_it(demo_path, capsys):
    db = str(demo_path)
    args = ["--db", db, "note", "add", "--on", "stakeholder:ibm", "--tag", "call", "--private"]
    assert main([*args, "# Ask IBM\n- about resellers"]) == 0
    note_id = int(capsys.readouterr().out.strip())

    assert main(["--db", db, "notes", "--on", "stakeholder:IBM", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["id"] == note_id  # newest first
    assert listed[0]["private"] is True
    assert listed[0]["tags"] == ["call"]
    assert listed[0]["on"]["kind"] == "stakeholder"
    assert listed[0]["body"] == "# Ask IBM\n- about resellers"
    assert all(n["attached_to"] == "IBM" for n in listed)

    assert main(["--db", db, "notes"]) == 0
    out = capsys.readouterr().out
    assert f"{note_id:>4}" in out and "PRIVATE on IBM #call" in out and "Ask IBM" in out


def test_text_from_standard_input_and_json(demo_path, capsys, monkeypatch):
    text = "Line one\n\u05d0 right-to-left \u202e\nLine three\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["--db", str(demo_path), "note", "add", "--on", "topic:1", "--json", "-"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert set(added) == {"id", "uuid"}
    assert main(["--db", str(demo_path), "notes", "--json", "--on", "topic:1"]) == 0
    bodies = {n["id"]: n["body"] for n in json.loads(capsys.readouterr().out)}
    assert bodies[added["id"]] == text  # stored as typed; rendering strips the override


def test_the_installed_command_reads_a_pipe(isolated_env, demo_path, tmp_path):
    env = {k: v for k, v in isolated_env.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(demo_path), "note", "add"]
        + ["--on", "quote:1", "-"],
        input="From a pipe",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()


@pytest.fixture
def notes_table(outside_sql):
    def read(locator):
        return [
            outside_sql(locator, statement)
            for statement in (
                "SELECT * FROM notes ORDER BY id",
                "SELECT * FROM note_tags ORDER BY 1, 2",
                "SELECT name FROM tags ORDER BY name",
            )
        ]

    return read


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--on", "stakeholder:IMB", "x"], "did you mean 'IBM'"),
        (["--on", "answer:1", "x"], "KIND one of topic, stakeholder"),
        (["--on", "IBM", "x"], "should be KIND:NAME_OR_ID"),
        (["--on", "quote:99999", "x"], "no quote with id"),
        (["--on", "stakeholder:IBM", "   "], "needs some text"),
        (["--on", "stakeholder:IBM", "--tag", "", "x"], "tag cannot be empty"),
        (["--on", "stakeholder:IBM", "--tag", "a,b", "x"], "comma"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(demo_path, capsys, args, message, notes_table):
    before = notes_table(demo_path)
    assert main(["--db", str(demo_path), "note", "add", *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith("briefing: ") and message in error
    assert error.count("\n") == 1
    assert notes_table(demo_path) == before


def test_standard_input_that_is_not_text_is_refused(demo_path, capsys, monkeypatch, notes_table):
    before = notes_table(demo_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe binary")))
    assert main(["--db", str(demo_path), "note", "add", "--on", "topic:1", "-"]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    assert notes_table(demo_path) == before


def test_notes_on_an_unknown_record(demo_path, capsys):
    assert main(["--db", str(demo_path), "notes", "--on", "source:No such report"]) == 2
    assert "no source is called" in capsys.readouterr().err


def test_note_alone_asks_for_a_command(demo_path, capsys):
    assert main(["--db", str(demo_path), "note"]) == 2
    assert "a command is needed" in capsys.readouterr().err
