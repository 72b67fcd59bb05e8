"""The `briefing` command: the GUI by default, and headless commands for scripts.

Qt is imported only when the GUI starts, so `--help`, `--version` and every headless command run
without a display. Every command takes `--db PATH` (or the BRIEFING_DB variable) and `--no-demo`,
before or after the command's name. Bad input is reported on stderr in one line, with a non-zero
exit status, and changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.errors import BriefingError
from briefing.paths import DB_ENV, default_store_path

Command = Callable[[argparse.Namespace], int]


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS lets the same options stand before or after the command's name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help=f"the store file (default: ${DB_ENV}, else {default_store_path()})",
    )
    common.add_argument(
        "--no-demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="create a new store empty, without the demo topic",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Offline briefings on civil-liberties issues: stakeholders, verified quotes, "
        "notes. With no command, opens the app's window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Command, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("info", cmd_info, "show the store's path, schema version and counts")
    sub.add_argument("--json", action="store_true", help="print JSON")

    sub = command("topics", cmd_topics, "list topics")
    sub.add_argument("--json", action="store_true", help="print JSON")

    sub = command(
        "stakeholders", cmd_stakeholders, "list a topic's stakeholders with their latest stance"
    )
    sub.add_argument("--topic", metavar="NAME", help="the topic (default: the first one)")
    sub.add_argument("--json", action="store_true", help="print JSON")

    command("gui", cmd_gui, "open the app's window (the default)")
    return parser


def _open(args: argparse.Namespace):
    from briefing.core.demo import load_demo
    from briefing.store import open_store

    path = getattr(args, "db", None) or default_store_path()
    if not getattr(args, "db", None):
        path.parent.mkdir(parents=True, exist_ok=True)
    seed = None if getattr(args, "no_demo", False) else load_demo
    return open_store(path, seed=seed)


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def cmd_info(args: argparse.Namespace) -> int:
    from briefing.core.info import counts

    with _open(args) as store:
        with store.reading() as session:
            numbers = counts(session)
        info = {"path": str(store.path), "schema_version": store.schema_version, "counts": numbers}
    if args.json:
        _print_json(info)
    else:
        print(f"store:   {info['path']}")
        print(f"schema:  {info['schema_version']}")
        for name, number in numbers.items():
            print(f"{name + ':':<14}{number}")
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from briefing.core.cards import list_topics

    with _open(args) as store, store.reading() as session:
        topics = list_topics(session)
    if args.json:
        _print_json([{"id": t.id, "name": t.name, "description": t.description} for t in topics])
    else:
        for topic in topics:
            print(f"{topic.id:>4}  {topic.name}")
    return 0


def cmd_stakeholders(args: argparse.Namespace) -> int:
    from briefing.core.cards import find_topic, topic_cards

    with _open(args) as store, store.reading() as session:
        topic = find_topic(session, args.topic)
        cards = topic_cards(session, topic.id)
    if args.json:
        _print_json(
            [
                {
                    "id": card.id,
                    "name": card.name,
                    "kind": card.kind,
                    "stance": card.stance,
                    "as_of": card.as_of.isoformat() if card.as_of else None,
                    "headline": card.headline,
                    "quotes": card.quote_count,
                    "notes": card.note_count,
                }
                for card in cards
            ]
        )
    else:
        for card in cards:
            print(f"{card.id:>4}  {card.name:<34} {card.stance or '-':<12} {card.headline}")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from briefing.ui.app import run

    path = getattr(args, "db", None)
    return run(path, demo=not getattr(args, "no_demo", False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = getattr(args, "handler", cmd_gui)
    try:
        return handler(args)
    except BriefingError as error:
        print(f"briefing: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
