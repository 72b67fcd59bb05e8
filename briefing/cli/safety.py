"""Commands that keep a store safe: `check`, `backup`, `backups`, `restore`.

On a team store (PostgreSQL) `check` runs the checks that make sense on a store its server keeps,
and `backup --to FILE` / `restore FILE` are its owner's, through pg_dump and pg_restore
(`briefing.store.team_care`); `backups` lists a store file's own backups only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefing.cli.common import Commands, add_json_option, print_json, store_file
from briefing.errors import InputError, StoreError
from briefing.paths import default_store, is_team_address


def register(commands: Commands) -> None:
    add_json_option(
        commands.command(
            "check",
            check,
            "check the store in full (SQLite, references, search index, sources, quotes, "
            "schema); exit 0 only when all pass; changes nothing",
        )
    )
    sub = commands.command("backup", backup, "back up the store now")
    sub.add_argument("--to", type=Path, metavar="FILE", help="write the backup to FILE")
    add_json_option(commands.command("backups", backups, "list the store's backups, newest first"))
    sub = commands.command(
        "restore", restore, "replace the store by a backup (the store is kept aside first)"
    )
    sub.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    sub.add_argument(
        "--yes",
        action="store_true",
        help="on a team store: replace every member's work by the backup without asking",
    )


def _team(args: argparse.Namespace) -> str | None:
    """The team store's address, or None for a store file."""
    location = getattr(args, "db", None) or default_store()
    return str(location) if is_team_address(location) else None


def _path(args: argparse.Namespace) -> Path:
    return store_file(args, f"'briefing {args.handler.__name__}'")


def _unlocked(args: argparse.Namespace) -> Path:
    """The store's path, its passphrase asked for first when it is encrypted."""
    from briefing.cli.encryption import unlock_if_encrypted

    path = _path(args)
    if path.is_file():
        unlock_if_encrypted(path, args)
    return path


def check(args: argparse.Namespace) -> int:
    from briefing.core.check import check_served_store, check_store

    if _team(args) is not None:
        from briefing.cli.common import open_store_for

        with open_store_for(args) as store:
            report = check_served_store(store)
    else:
        report = check_store(_unlocked(args))
    if args.json:
        print_json(report.as_json())
    else:
        print(f"store: {report.path}")
        for result in report.results:
            print(f"{result.name + ':':<16}{'ok' if result.ok else 'FAILED'}")
            for problem in result.problems:
                print(f"    {problem}")
            if result.count > len(result.problems):
                print(f"    ... {result.count - len(result.problems)} more")
        if not report.ok:
            print("The store did not pass every check; nothing was changed.")
    return 0 if report.ok else 1


def backup(args: argparse.Namespace) -> int:
    from briefing.store import open_store
    from briefing.store.backups import take_backup

    if (address := _team(args)) is not None:
        return _team_backup(args, address)
    path = _unlocked(args)
    with open_store(path, create=False) as store:
        made = take_backup(store, "manual", to=args.to)
    print(made)
    return 0


def backups(args: argparse.Namespace) -> int:
    from briefing.store.backups import list_backups

    found = list_backups(_path(args))
    if args.json:
        print_json([backup.as_json() for backup in found])
    else:
        if not found:
            print(f"no backups yet for {_path(args)}")
        for backup in found:
            taken = backup.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            print(f"{taken}  {backup.reason:<16} {backup.size / 1e6:8.1f} MB  {backup.path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    from briefing.cli.encryption import unlock_if_encrypted
    from briefing.store.backups import restore_backup
    from briefing.store.lock import holder_of

    if (address := _team(args)) is not None:
        return _team_restore(args, address)
    path = _unlocked(args)
    holder = holder_of(path)
    if holder is not None:
        raise StoreError(
            f"{path} is open in the app's window (process {holder}); close it, then restore"
        )
    if Path(args.file).is_file():
        unlock_if_encrypted(Path(args.file), args)  # a backup under another passphrase
    restored = restore_backup(path, args.file)
    print(f"restored {restored.store} from {restored.restored_from}")
    if restored.kept_aside is not None:
        print(f"the store it replaced is kept as {restored.kept_aside}")
    return 0


def _team_backup(args: argparse.Namespace, address: str) -> int:
    from briefing.cli.team import team_password
    from briefing.store import team_care

    if args.to is None:
        raise InputError(
            "a team store's backup is written where you say: briefing --db ADDRESS backup --to FILE"
        )
    made = team_care.backup(address, args.to, team_password(address))
    print(made.path)
    return 0


def _team_restore(args: argparse.Namespace, address: str) -> int:
    from briefing.cli.team import team_password
    from briefing.store import team, team_care

    password = team_password(address)
    revision = team_care.check_backup(address, args.file, password)
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError(
                "restoring a team store replaces every member's work since the backup: "
                "confirm with --yes; nothing was changed"
            )
        answer = input(
            f"Replace everything in the team store {team.shown(address)} by {args.file} "
            f"(schema {revision})? Every member's work since the backup is lost. Type yes: "
        )
        if answer.strip().lower() != "yes":
            print("nothing was changed")
            return 1
    restored = team_care.restore(address, args.file, password)
    print(f"restored {team.shown(address)} from {restored.restored_from}")
    return 0
