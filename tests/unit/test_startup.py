"""Opening a store that needs no upgrade loads no migration machinery."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory

from briefing.paths import migrations_dir
from briefing.store import migrations


def test_the_revisions_read_from_the_files_are_alembics():
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    scripts = ScriptDirectory.from_config(config)
    assert migrations.head_revision() == scripts.get_current_head()
    assert migrations.first_revision() == list(scripts.walk_revisions())[-1].revision
    assert {s.revision for s in scripts.walk_revisions()} == set(migrations._revisions())
    assert not migrations.is_known("9999_from_the_future")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in done.stdout.split()}


def test_opening_a_current_store_imports_neither_alembic_nor_pypdf(demo_path):
    loaded = _loaded_after(
        "from briefing.store import open_store\n"
        "from briefing.core.cards import topic_cards\n"
        f"with open_store({str(demo_path)!r}) as store, store.reading() as session:\n"
        "    topic_cards(session, 1)\n"
    )
    assert "sqlalchemy" in loaded  # the probe did run
    assert "alembic" not in loaded and "pypdf" not in loaded


def test_a_new_store_is_still_built_by_the_migrations(tmp_path):
    loaded = _loaded_after(
        "from briefing.store import open_store\n"
        f"open_store({str(tmp_path / 'new.sqlite3')!r}).close()\n"
    )
    assert "alembic" in loaded


def test_the_window_libraries_loaded_before_qt_hold_no_qt_and_no_migrations():
    # The GUI imports its Qt-free libraries before PySide6 (whose import hook would read the
    # source of each one imported after it): they must really be Qt-free, and loading them
    # must not drag in what start-up avoids.
    loaded = _loaded_after("import briefing.cli\nbriefing.cli.load_first_window_libraries()\n")
    assert {"briefing", "markdown", "sqlalchemy"} <= loaded  # the probe did run
    assert not {"PySide6", "shiboken6", "alembic", "pypdf"} & loaded


def test_only_the_windows_own_options_skip_the_full_parser():
    from pathlib import Path

    from briefing.cli import _window_only

    assert vars(_window_only([])) == {}
    assert vars(_window_only(["--db", "a b.sqlite3", "--no-demo"])) == {
        "db": Path("a b.sqlite3"),
        "no_demo": True,
    }
    assert vars(_window_only(["--db=x.sqlite3"])) == {"db": Path("x.sqlite3")}
    # A team store's address stays an address: `Path` would make it "postgresql:/alice@...".
    team = "postgresql://alice@/coalition?host=/run/postgresql"
    assert vars(_window_only(["--db", team])) == {"db": team}
    assert vars(_window_only([f"--db={team}", "--no-demo"])) == {"db": team, "no_demo": True}
    for other in (
        ["search", "x"],
        ["--db"],
        ["--db", "--no-demo"],
        ["--help"],
        ["--version"],
        ["--encrypt"],
        ["gui"],
        ["--db="],
    ):
        assert _window_only(other) is None, other


def test_the_command_line_loads_no_sqlalchemy_before_it_knows_the_command():
    loaded = _loaded_after("import briefing.cli\nbriefing.cli._window_only(['--db', 'x'])\n")
    assert "briefing" in loaded and "sqlalchemy" not in loaded


def test_the_first_screens_libraries_hold_no_qt_and_no_sqlalchemy():
    loaded = _loaded_after(
        "import briefing.cli\nbriefing.cli.load_first_window_libraries(first_screen=True)\n"
    )
    assert "briefing" in loaded  # the probe did run
    assert not {"PySide6", "shiboken6", "sqlalchemy", "alembic", "pypdf"} & loaded


def test_what_loads_after_the_first_paint_bypasses_pysides_import_hook_and_restores_it():
    probe = (
        "import builtins, sys\n"
        "import briefing.cli as cli\n"
        "plain = builtins.__import__\n"
        "import PySide6.QtWidgets\n"
        "hook = builtins.__import__\n"
        "assert hook is not plain\n"
        "seen = []\n"
        "def watching(*args, **kwargs):\n"
        "    seen.append(args[0])\n"
        "    return hook(*args, **kwargs)\n"
        "builtins.__import__ = watching\n"
        "cli.load_after_first_paint()\n"
        "assert builtins.__import__ is watching, 'the hook is put back'\n"
        "missing = [m for m in cli._AFTER_FIRST_PAINT if m not in sys.modules]\n"
        "print(len(seen), missing, 'sqlalchemy.orm' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    # No import went through the hook while the window's modules loaded; all of them loaded.
    assert done.stdout.split() == ["0", "[]", "True"]


def test_the_window_opens_a_team_store_named_by_db_as_its_address(monkeypatch):
    """`briefing --db postgresql://...` (the README's way to open a team store's window) reaches
    the window with the address whole, and loads no first screen from a file of that name."""
    import briefing.cli
    import briefing.ui.app

    team = "postgresql://alice@/coalition?host=/run/postgresql"
    opened, screens = [], []
    monkeypatch.setattr(briefing.ui.app, "run", lambda location, demo: opened.append(location) or 0)
    monkeypatch.setattr(
        briefing.cli,
        "load_first_window_libraries",
        lambda first_screen=False: screens.append(first_screen),
    )
    assert briefing.cli.main(["--db", team]) == 0
    assert opened == [team] and screens == [False]
    monkeypatch.setenv("BRIEFING_DB", team)
    assert briefing.cli.main([]) == 0
    assert opened == [team, None] and screens == [False, False]
