"""The `briefing` command end to end, as a script or a user in a terminal would run it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from briefing import __version__
from briefing.cli import main

pytestmark = pytest.mark.both_databases


def run(env, *args, cwd=None):
    env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}  # no display of any kind
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_help_and_version_need_no_display(isolated_env, tmp_path):
    result = run(isolated_env, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "info" in result.stdout and "--db" in result.stdout
    result = run(isolated_env, "--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"briefing {__version__}"


def test_headless_commands_do_not_load_qt(empty_path, capsys):
    before = set(sys.modules)
    assert main(["--db", str(empty_path), "info"]) == 0
    loaded = {name for name in set(sys.modules) - before if name.startswith("PySide6")}
    assert loaded == set()


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_info_json_on_a_new_demo_store(isolated_env, tmp_path):
    db = tmp_path / "store.sqlite3"
    result = run(isolated_env, "info", "--json", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["path"] == str(db)
    assert info["schema_version"]
    counts = info["counts"]
    assert counts["topics"] == 1
    assert counts["stakeholders"] >= 8
    assert counts["positions"] >= 8
    assert counts["sources"] == 1
    assert counts["quotes"] >= 12
    assert counts["notes"] >= 1


@pytest.mark.sqlite_only(
    "a store file is made by opening it (a team store by 'team setup': tests/team)"
)
def test_no_demo_makes_an_empty_store(tmp_path, capsys):
    db = tmp_path / "empty.sqlite3"
    assert main(["--no-demo", "--db", str(db), "info", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert set(counts.values()) == {0}


def test_db_option_after_the_command_and_environment_variable(
    demo_path, empty_path, monkeypatch, capsys
):
    monkeypatch.setenv("BRIEFING_DB", str(demo_path))
    assert main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(demo_path)
    assert main(["info", "--json", "--db", str(empty_path)]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(empty_path)


@pytest.mark.sqlite_only("the default store is a file in the user's data folder")
def test_default_store_lives_in_the_user_data_folder(isolated_env, tmp_path):
    result = run(isolated_env, "info", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = json.loads(result.stdout)["path"]
    assert path.startswith(isolated_env["XDG_DATA_HOME"])


def test_topics_and_stakeholders(demo_path, capsys):
    assert main(["--db", str(demo_path), "topics", "--json"]) == 0
    topics = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in topics] == ["Police use of facial recognition"]

    assert main(["--db", str(demo_path), "stakeholders", "--json"]) == 0
    names = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert {"IBM", "Microsoft", "Amazon", "ACLU", "Liberty"} <= set(names)
    assert names["IBM"]["stance"] == "opposes"

    assert main(["--db", str(demo_path), "stakeholders"]) == 0
    assert "IBM" in capsys.readouterr().out


def test_unknown_topic_is_refused_with_the_closest_name(demo_path, capsys):
    assert main(["--db", str(demo_path), "stakeholders", "--topic", "police use of facial"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("briefing: no topic is named")
    assert "Police use of facial recognition" in error


def _bytes_and_neighbours(path):
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_a_text_file_is_refused_untouched(isolated_env, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a store")
    before = _bytes_and_neighbours(path)
    result = run(isolated_env, "--db", path, "info", cwd=tmp_path)
    assert result.returncode != 0
    assert "not a Briefing store" in result.stderr
    assert "Traceback" not in result.stderr
    assert _bytes_and_neighbours(path) == before


@pytest.mark.sqlite_only("what a file holds decides whether it opens")
def test_another_programs_database_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "music.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE tracks (title TEXT)")
    before = _bytes_and_neighbours(path)
    assert main(["--db", str(path), "info"]) == 3
    assert "another program" in capsys.readouterr().err
    assert _bytes_and_neighbours(path) == before


@pytest.mark.sqlite_only("writes the file's version row with sqlite3 (a team store's: tests/team)")
def test_a_newer_store_is_refused_untouched(demo_path, capsys):
    with sqlite3.connect(demo_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    connection.close()
    before = _bytes_and_neighbours(demo_path)
    assert main(["--db", str(demo_path), "info"]) == 3
    assert "newer version of Briefing" in capsys.readouterr().err
    assert _bytes_and_neighbours(demo_path) == before


@pytest.mark.parametrize("args", [["frobnicate"], ["info", "--bogus"]])
def test_bad_arguments_exit_non_zero(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2


def test_a_closed_pipe_ends_quietly(isolated_env, demo_path):
    # A reader that has already gone, as `briefing search the --json | head -0` leaves behind.
    reader = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE)
    reader.wait(timeout=60)
    env = {k: v for k, v in isolated_env.items() if k != "QT_QPA_PLATFORM"}
    writer = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(demo_path), "search", "the", "--json"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
    )
    reader.stdin.close()
    assert writer.returncode == 1
    assert writer.stderr == ""


def test_the_window_without_a_display_is_explained(isolated_env, tmp_path):
    result = run(isolated_env, "--db", tmp_path / "s.sqlite3", cwd=tmp_path)
    assert result.returncode == 1
    assert "no display" in result.stderr
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["quote", "add", "--source", "99999999999999999999", "--speaker", "IBM", "hello"],
        ["note", "add", "--on", "quote:\u00b2", "x"],
        ["note", "add", "--on", "stakeholder:99999999999999999999", "x"],
        ["quotes", "--source", "\u00b2"],
        ["search", "x", "--stakeholder", "\u00b2"],
        [
            "answer",
            "set",
            "--question",
            "99999999999999999999",
            "--stakeholder",
            "IBM",
            "--answer",
            "yes",
        ],
    ],
)
def test_ids_that_name_nothing_are_refused_in_words(demo_path, capsys, args):
    try:
        status = main(["--db", str(demo_path), *args])
    except SystemExit as exit_info:  # argparse refuses some before any command runs
        status = exit_info.code
    assert status == 2
    error = capsys.readouterr().err
    assert "briefing" in error and "Traceback" not in error


def test_an_argument_that_is_not_utf8_is_refused(demo_path, capsys):
    status = main(["--db", str(demo_path), "note", "add", "--on", "topic:1", "bad \udcff byte"])
    assert status == 2
    assert "not valid UTF-8" in capsys.readouterr().err
