"""The `briefing` command: the GUI by default, and headless commands for scripts.

Qt is imported only when the GUI starts, so `--help`, `--version` and every headless command run
without a display. Every command takes `--db PATH` (or the BRIEFING_DB variable) and `--no-demo`,
before or after the command's name. Bad input is reported on stderr in one line, with a non-zero
exit status (2 for bad input, 3 for a store that cannot be used), and changes nothing.

Commands live in the modules of `COMMAND_MODULES`, one module per area.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from briefing import __version__
from briefing.cli.common import Commands, Handler, common_options
from briefing.errors import BriefingError, unreadable_store_message

COMMAND_MODULES = (
    "briefing.cli.store_commands",
    "briefing.cli.editing",
    "briefing.cli.search",
    "briefing.cli.export",
    "briefing.cli.sources",
    "briefing.cli.notes",
    "briefing.cli.packs",
    "briefing.cli.safety",
    "briefing.cli.encryption",
    "briefing.cli.suggest",
    "briefing.cli.team",
)


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Offline briefings on civil-liberties issues: stakeholders, verified quotes, "
        "notes. With no command, opens the app's window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = Commands(parser, common)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    commands.command("gui", gui, "open the app's window (the default)")
    return parser


# The first window's modules that have no Qt in them, imported before Qt is: once PySide6 is
# imported, its `__feature__` import hook reads the source text of every module imported after
# it (`inspect.getsource`, to see whether it names PySide6): some 90 modules and 10-25 ms of
# start-up. A module missing here only costs that; one listed here that the window stops
# needing costs its import.
_FIRST_WINDOW_LIBRARIES = (
    "briefing.core.cards",
    "briefing.core.briefings",
    "briefing.core.compare",
    "briefing.core.corrections",
    "briefing.core.demo",
    "briefing.core.editing",
    "briefing.core.info",
    "briefing.core.notes",
    "briefing.core.packs",
    "briefing.core.search",
    "briefing.core.sources",
    "briefing.core.undo",
    "briefing.export",
    "briefing.logs",
    "briefing.render.detail",
    "briefing.render.markdown",
    "briefing.render.quote_check",
    "briefing.render.search",
    "briefing.store.backups",
    "briefing.store.lock",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "markdown.extensions.abbr",
    "markdown.extensions.attr_list",
    "markdown.extensions.fenced_code",
    "markdown.extensions.footnotes",
    "markdown.extensions.sane_lists",
    "markdown.extensions.tables",
    "_strptime",
)


# The same for a window opened on its first screen (`briefing.store.first_screen`), which
# paints before the store's libraries load: only what that first paint needs.
_FIRST_SCREEN_LIBRARIES = (
    "briefing.core.card_records",
    "briefing.core.changes",
    "briefing.core.dates",
    "briefing.errors",
    "briefing.logs",
    "briefing.render.labels",
    "briefing.render.palette",
    "briefing.store.first_screen",
    "briefing.store.lock",
    "briefing.text",
)


def load_first_window_libraries(*, first_screen: bool = False) -> None:
    for name in _FIRST_SCREEN_LIBRARIES if first_screen else _FIRST_WINDOW_LIBRARIES:
        importlib.import_module(name)


# Python's own `__import__`, kept before PySide6 replaces it with its `__feature__` hook.
_PLAIN_IMPORT = builtins.__import__

# What the window loads after a first screen's paint (the store's libraries, every feature's
# module; `MainWindow.attach`). Imported without PySide6's hook (`load_after_first_paint`).
_AFTER_FIRST_PAINT = (
    *_FIRST_WINDOW_LIBRARIES,
    "briefing.store.backups",
    "briefing.store.encryption",
    "briefing.core.lookup",
    "briefing.ui.passphrase",
    "briefing.ui.operations",
    "briefing.ui.store_runner",
    "briefing.ui.panel",
    "briefing.ui.editing",
    "briefing.ui.search",
    "briefing.ui.notes",
    "briefing.ui.sources",
    "briefing.ui.backups",
    "briefing.ui.briefings",
    "briefing.ui.packs",
    "briefing.ui.stakeholder_map",
    "briefing.ui.compare",
    "briefing.ui.history",
    "briefing.ui.store_encryption",
    "briefing.ui.timeline",
)


def load_after_first_paint() -> None:
    """Import what the window needs once its first screen has painted, with Python's own
    import rather than PySide6's hook (measured: the window takes input 0.1-0.2 s sooner and
    holds 15 MB less, the hook reading the source text of each module). None of the app's
    modules uses PySide6's `__feature__` switches, which is all the hook is for. A module
    missing here is imported later, through the hook: slower, never wrong."""
    hook = builtins.__import__
    if hook is _PLAIN_IMPORT:
        return load_first_window_libraries()
    builtins.__import__ = _PLAIN_IMPORT
    try:
        for name in _AFTER_FIRST_PAINT:
            importlib.import_module(name)
    finally:
        builtins.__import__ = hook


def prepare_gui(args: argparse.Namespace) -> None:
    """Load, before Qt, the Qt-free libraries the first window needs (idempotent). A store the
    first screen can read paints first and loads its libraries after that paint; any other is
    opened before the window: its libraries first (above)."""
    from briefing.paths import default_store, is_team_address
    from briefing.store.first_screen import readable_now

    location = getattr(args, "db", None) or default_store()
    load_first_window_libraries(
        first_screen=not is_team_address(location) and readable_now(Path(location).expanduser())
    )


def gui(args: argparse.Namespace) -> int:
    prepare_gui(args)
    from briefing.ui.app import run

    return run(getattr(args, "db", None), demo=not getattr(args, "no_demo", False))


def _undecodable(argv: Sequence[str]) -> str | None:
    """An argument the terminal passed in another encoding than UTF-8 (Python keeps its bytes as
    lone surrogates, which no store or file can hold)."""
    for argument in argv:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            return argument.encode("utf-8", "backslashreplace").decode("ascii")
    return None


def _window_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options of `briefing`, `briefing --db PATH` and `--no-demo`, which open the window,
    read without building every command's parser (which loads every command's libraries); None
    for anything else, which the full parser reads. `--db` is read as the parser reads it: a
    store file's path, or a team store's address (which a `Path` would mangle)."""
    from briefing.paths import store_location

    args = argparse.Namespace()
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        if word == "--no-demo":
            args.no_demo = True
        elif word.startswith("--db=") and len(word) > 5:
            args.db = store_location(word[5:])
        elif word == "--db" and rest and not rest[0].startswith("-"):
            args.db = store_location(rest.pop(0))
        else:
            return None
    return args


def _database_errors() -> tuple[type[BaseException], ...]:
    """What a store that cannot be read raises (loaded when one was raised, not at start)."""
    from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

    from briefing.store.encryption import errors as store_errors  # sqlite3's, and SQLCipher's

    return (*store_errors("DatabaseError"), SQLAlchemyDatabaseError, UnicodeDecodeError)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (bad := _undecodable(argv)) is not None:
        print(f"briefing: the argument {bad!r} is not valid UTF-8 text", file=sys.stderr)
        return 2
    args = _window_only(argv) or build_parser().parse_args(argv)
    handler: Handler = getattr(args, "handler", gui)
    try:
        status = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's shutdown
        return status
    except BriefingError as error:
        print(f"briefing: {error}", file=sys.stderr)
        return error.exit_code
    except _database_errors() as error:
        # SQLite's message can quote the record it failed on (a private note's words, with
        # "Could not decode to UTF-8"): say what happened, never what the record holds.
        print(f"briefing: {unreadable_store_message(error)}", file=sys.stderr)
        return 3
    except PermissionError as error:
        print(f"briefing: {error.filename}: permission denied", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`briefing quotes | head`): say nothing more, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        # A bug. Its message may quote the store (a database error carries a private note being
        # saved), so stderr gets one line and the log the stack, without the message.
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        from briefing.logs import log_failure, log_path, setup_logging

        setup_logging()
        log_failure(f"the command handler {handler.__qualname__}", error)
        print(
            f"briefing: unexpected error ({type(error).__name__}); nothing more was changed. "
            f"The details are in the log: {log_path()}",
            file=sys.stderr,
        )
        return 70  # EX_SOFTWARE
