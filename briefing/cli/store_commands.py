"""Commands that describe the store: `info`, `topics`, `stakeholders`."""

from __future__ import annotations

import argparse

from briefing.cli.common import (
    Commands,
    add_as_of_option,
    add_json_option,
    as_of_date,
    open_store_for,
    print_json,
)


def register(commands: Commands) -> None:
    add_json_option(commands.command("info", info, "show the store's path, schema and counts"))
    add_json_option(commands.command("topics", topics, "list topics"))
    sub = commands.command(
        "stakeholders", stakeholders, "list a topic's stakeholders with their latest stance"
    )
    sub.add_argument("--topic", metavar="NAME", help="the topic (default: the first one)")
    add_as_of_option(sub)
    add_json_option(sub)


def info(args: argparse.Namespace) -> int:
    from briefing.core.info import counts
    from briefing.store import encryption

    with open_store_for(args) as store:
        with store.reading() as session:
            numbers = counts(session)
        info = {
            "path": str(store.path),
            "schema_version": store.schema_version,
            "encrypted": encryption.is_encrypted(store.path),
            "counts": numbers,
        }
    if args.json:
        print_json(info)
    else:
        print(f"store:        {info['path']}")
        print(f"schema:       {info['schema_version']}")
        print(f"encrypted:    {'yes (SQLCipher 4)' if info['encrypted'] else 'no'}")
        for name, number in numbers.items():
            print(f"{name + ':':<14}{number}")
    return 0


def topics(args: argparse.Namespace) -> int:
    from briefing.core.lookup import list_topics

    with open_store_for(args) as store, store.reading() as session:
        found = list_topics(session)
    if args.json:
        print_json([{"id": t.id, "name": t.name, "description": t.description} for t in found])
    else:
        for topic in found:
            print(f"{topic.id:>4}  {topic.name}")
    return 0


def stakeholders(args: argparse.Namespace) -> int:
    from briefing.core.cards import topic_cards
    from briefing.core.dates import format_date
    from briefing.core.lookup import find_topic

    as_of = as_of_date(args)
    with open_store_for(args) as store, store.reading() as session:
        topic = find_topic(session, args.topic)
        cards = topic_cards(session, topic.id, as_of=as_of)
    if args.json:
        print_json(
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
                    **(
                        {"changed_on": card.changed_on.isoformat() if card.changed_on else None}
                        if as_of is not None
                        else {}
                    ),
                }
                for card in cards
            ]
        )
    else:
        if as_of is not None:
            print(f"as of {format_date(as_of)}")
        for card in cards:
            changed = ""
            if card.changed_on:
                word = "changed" if card.stance else "first position"
                changed = f" ({word} {format_date(card.changed_on)})"
            print(
                f"{card.id:>4}  {card.name:<34} {card.stance or '-':<12} {card.headline}{changed}"
            )
    return 0
