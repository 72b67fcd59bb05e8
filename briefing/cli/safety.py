"""Commands that keep a store safe: `check`, `backup`, `backups`, `restore`."""

from __future__ import annotations

import argparse
from pathlib import Path

from briefing.cli.common import Commands, add_json_option, print_json, store_file
from briefing.errors import StoreError


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
    from briefing.core.check import check_store

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
