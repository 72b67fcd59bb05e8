"""What every command module shares: registering commands, opening the store, printing JSON.

A command module (see `COMMAND_MODULES` in `briefing.cli`) defines `register(commands)` and adds
its commands with `commands.command(name, handler, help)`, or a group such as `quote add` with
`commands.group("quote", help).command("add", handler, help)`. A handler takes the parsed
arguments and returns the exit status; it raises `BriefingError` for anything the user must fix.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefing.paths import (
    DB_ENV,
    default_store,
    default_store_path,
    is_team_address,
    store_location,
)

Handler = Callable[[argparse.Namespace], int]


def common_options() -> argparse.ArgumentParser:
    # SUPPRESS lets the same options stand before or after the command's name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        type=store_location,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help=f"the store file, or a team store's address postgresql://ROLE@HOST/DB (default: "
        f"${DB_ENV}, else {default_store_path()})",
    )
    common.add_argument(
        "--no-demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="create a new store empty, without the demo topic",
    )
    common.add_argument(
        "--encrypt",
        action="store_true",
        default=argparse.SUPPRESS,
        help="create a new store encrypted with a passphrase",
    )
    common.add_argument(
        "--passphrase-file",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="read an encrypted store's passphrase from FILE (default: "
        "$BRIEFING_PASSPHRASE_FILE, else ask on the terminal)",
    )
    # Named so that argparse never reads "--passphrase WORDS" as "--passphrase-file WORDS".
    common.add_argument("--passphrase", nargs="?", action=_NoPassphrase, help=argparse.SUPPRESS)
    return common


class _NoPassphrase(argparse.Action):
    """A passphrase on the command line shows in `ps` and the shell's history: refused."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        parser.error(
            "a passphrase is never taken on the command line (other users see it in 'ps', "
            "the shell keeps it in its history): use --passphrase-file FILE, "
            "BRIEFING_PASSPHRASE_FILE, or type it when asked"
        )


class Commands:
    """Adds commands (and groups of commands) to an argparse parser."""

    def __init__(self, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
        self._common = common
        self._subparsers = parser.add_subparsers(dest=f"command_{id(parser)}", metavar="COMMAND")

    def command(self, name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        sub = self._subparsers.add_parser(name, parents=[self._common], help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    def group(self, name: str, help: str) -> Commands:
        sub = self._subparsers.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=lambda args, sub=sub: _usage(sub))
        return Commands(sub, self._common)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: a command is needed", file=sys.stderr)
    return 2


def open_store_for(args: argparse.Namespace):
    """The store that `--db`, BRIEFING_DB or the default names, created if need be."""
    from briefing.core.demo import load_demo
    from briefing.store import open_store

    path = getattr(args, "db", None) or default_store()
    if is_team_address(path):
        from briefing.cli.team import team_password

        # A team store: its owner creates it ('team setup'); its password, when libpq's files
        # give none, from the keyring or the terminal.
        return open_store(path, password=team_password(str(path)))
    if not getattr(args, "db", None):
        path.parent.mkdir(parents=True, exist_ok=True)
    seed = None if getattr(args, "no_demo", False) else load_demo
    key = _encryption(path, args)
    # The daily automatic backup is the window's (see briefing.ui.app): scripts that run a
    # command a minute should not copy the store, and `briefing backup` is there for them.
    store = open_store(path, seed=seed, encrypt_with=key)
    # A command lasts seconds and writes only through SQLite: the file it leaves is as sound as
    # the one it opened, checked or provably unchanged (see briefing.store.health).
    store.remember_on_close = True
    for notice in store.notices:  # a -wal file set aside
        print(f"briefing: {notice}", file=sys.stderr)
    return store


def store_file(args: argparse.Namespace, what: str) -> Path:
    """The store file a command that works on files names; a team store is refused in words."""
    from briefing.errors import InputError

    location = getattr(args, "db", None) or default_store()
    if is_team_address(location):
        raise InputError(
            f"{what} works on a store file; a team store on PostgreSQL is kept by its server "
            "(its owner backs it up with 'briefing --db ADDRESS backup --to FILE')"
        )
    return Path(location).expanduser()


def _encryption(path: Path, args: argparse.Namespace):
    """Unlock an encrypted store; with --encrypt, the key for a new one (else None)."""
    from briefing.cli.encryption import new_store_key, unlock_if_encrypted
    from briefing.errors import InputError
    from briefing.store import encryption

    new = not path.exists() or path.stat().st_size == 0
    if getattr(args, "encrypt", False):
        if new:
            return new_store_key(args)
        if not encryption.is_encrypted(path):
            raise InputError(
                f"--encrypt is for new stores; {path} exists: 'briefing encrypt' encrypts it"
            )
    if not new:
        unlock_if_encrypted(path, args)
    return None


def record_id(text: str) -> int:
    """An argparse type for ids: a whole number that can name a record, else a usage error."""
    from briefing.core.lookup import as_id

    value = as_id(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a record id (a whole number, 1 or more)")
    return value


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def add_as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="as things stood on that day: each stakeholder's latest position dated on or "
        "before it, the quotes said by then (2020-06-09 or 9 June 2020)",
    )


def as_of_date(args: argparse.Namespace):
    """The day `--as-of` names (None without it), read before the store is opened, so that a
    date that is not one changes nothing; InputError says what is wrong."""
    from briefing.core.dates import read_date

    text = getattr(args, "as_of", None)
    if text is None:
        return None
    return read_date(text)[0]
