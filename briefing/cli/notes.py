"""Commands for notes: `note add` for quick capture and scripts, `notes` to list them.

    briefing note add --on stakeholder:IBM --tag follow-up "Ask about resellers"
    echo "Long note" | briefing note add --on topic:1 --private -
    briefing notes --on stakeholder:IBM --json

`note add` prints the new note's id (with `--json`, an object with its id and uuid). `notes`
lists private notes too, marked as such: this is the advocate's own store, read on their own
machine; only exports and shared files leave private notes out.
"""

from __future__ import annotations

import argparse
import sys

from briefing.cli.common import Commands, add_json_option, open_store_for, print_json
from briefing.errors import InputError


def register(commands: Commands) -> None:
    note = commands.group("note", "write notes")
    add = note.command("add", add_note, "attach a Markdown note to a record")
    add.add_argument(
        "--on",
        required=True,
        metavar="KIND:NAME_OR_ID",
        help="the record: topic, stakeholder, position, quote, source or briefing, "
        "by name or id (stakeholder:IBM, quote:12)",
    )
    add.add_argument("--private", action="store_true", help="keep it out of exports and shares")
    add.add_argument(
        "--tag", action="append", default=[], metavar="T", help="a tag (repeat for more)"
    )
    add.add_argument("text", metavar="TEXT", help="the note in Markdown; - reads standard input")
    add_json_option(add)

    notes = commands.command("notes", list_notes, "list notes, newest first")
    notes.add_argument("--on", metavar="KIND:NAME_OR_ID", help="only the notes on this record")
    add_json_option(notes)


def _read_text(text: str) -> str:
    if text != "-":
        return text
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"standard input is not UTF-8 text (byte {error.start} cannot be read)"
        ) from error


def add_note(args: argparse.Namespace) -> int:
    from briefing.core import notes
    from briefing.core.lookup import resolve_target

    text = _read_text(args.text)
    if not text.strip():
        raise InputError("a note needs some text")
    tags = notes.clean_tags(args.tag)  # refuse bad tags before opening (or creating) a store
    with open_store_for(args) as store, store.writing() as session:
        target = resolve_target(session, args.on)
        added = notes.add_note(session, target, text, private=args.private, tags=tags)
    if args.json:
        print_json({"id": added.id, "uuid": added.uuid})
    else:
        print(added.id)
    return 0


def list_notes(args: argparse.Namespace) -> int:
    from briefing.core import notes
    from briefing.core.lookup import resolve_target

    with open_store_for(args) as store, store.reading() as session:
        target = resolve_target(session, args.on) if args.on else None
        found = notes.list_notes(session, target)
    if args.json:
        print_json(
            [
                {
                    "id": note.id,
                    "uuid": note.uuid,
                    "on": None
                    if note.target is None
                    else {"kind": note.target[0], "id": note.target[1]},
                    "attached_to": note.attached_to,
                    "detached_from": note.detached_from,
                    "private": note.private,
                    "tags": list(note.tags),
                    "created_at": note.created_at.isoformat(),
                    "updated_at": note.updated_at.isoformat(),
                    "body": note.body,
                }
                for note in found
            ]
        )
        return 0
    attached = [note for note in found if not note.detached]
    detached = [note for note in found if note.detached]
    for note in attached:
        _print_note(note, f"on {note.attached_to}")
    if detached:
        # A team store keeps notes whose record another member deleted (0013_detached_notes).
        if attached:
            print()
        print("Detached notes (the record they were on was deleted by another member):")
        for note in detached:
            _print_note(note, f"was on {note.detached_from}")
    return 0


def _print_note(note, on: str) -> None:
    flag = "PRIVATE " if note.private else ""
    tags = "".join(f" #{tag}" for tag in note.tags)
    when = note.created_at.strftime("%Y-%m-%d %H:%M")
    print(f"{note.id:>4}  {when}  {flag}{on}{tags}")
    print(f"      {note.title}")
