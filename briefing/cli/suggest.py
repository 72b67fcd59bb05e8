"""`suggest-quotes`: the words a source puts in quotation marks, offered as quotes with speakers.

    briefing suggest-quotes SOURCE_ID [--json]
    briefing suggest-quotes SOURCE_ID --accept 1 --accept 3 [--speaker 2=NAME] [--topic T]

Listing changes nothing. `--accept N` (repeatable) makes suggestion N a quote, anchored at its
offsets, in one transaction: a speaker who is not yet a stakeholder is made one (on `--topic`,
if given) and the output says so. A number that is not a suggestion, one already made a quote,
or one whose sentence names no speaker (unless `--speaker N=NAME` gives one) is refused and
nothing is stored.
"""

from __future__ import annotations

import argparse

from briefing.cli.common import Commands, open_store_for, print_json, record_id
from briefing.errors import InputError


def register(commands: Commands) -> None:
    sub = commands.command(
        "suggest-quotes",
        suggest_quotes,
        "list the quotations of a source with their speakers; --accept makes them quotes",
    )
    sub.add_argument("source", metavar="SOURCE_ID", help="the source's id")
    sub.add_argument(
        "--accept",
        action="append",
        type=record_id,
        default=[],
        metavar="N",
        help="make suggestion N a quote (repeatable)",
    )
    sub.add_argument(
        "--speaker",
        action="append",
        default=[],
        metavar="N=NAME",
        help="the speaker of suggestion N, where the sentence names none or the wrong one",
    )
    sub.add_argument("--topic", metavar="T", help="the topic a new speaker joins")
    sub.add_argument("--json", action="store_true", help="print JSON for scripts")


def _speakers(values: list[str]) -> dict[int, str]:
    speakers: dict[int, str] = {}
    for value in values:
        number, sep, name = value.partition("=")
        if not sep or not number.strip().isdigit() or not name.strip():
            raise InputError(f"--speaker {value!r}: write it as N=NAME, e.g. --speaker 2=IBM")
        speakers[int(number)] = name.strip()
    return speakers


def _suggestion_json(s) -> dict:
    return {
        "number": s.number,
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "speaker": s.speaker,  # as the source writes it, or null
        "stakeholder_id": s.stakeholder_id,  # the stakeholder it names, or null: a new one
        "stakeholder": s.stakeholder,
        "quote_id": s.quote_id,  # already a quote
    }


def suggest_quotes(args: argparse.Namespace) -> int:
    from briefing.core.lookup import find_topic
    from briefing.core.suggestions import accept_suggestions
    from briefing.core.suggestions import suggest_quotes as run

    speakers = _speakers(args.speaker)
    if speakers and not args.accept:
        raise InputError("--speaker goes with --accept: say which suggestions to make quotes")
    if args.accept:
        with open_store_for(args) as store, store.writing() as session:
            topic_id = find_topic(session, args.topic).id if args.topic else None
            accepted, _ = accept_suggestions(
                session, args.source, args.accept, speakers=speakers, topic_id=topic_id
            )
            names = {a.speaker_id: _name(session, a.speaker_id) for a in accepted}
        if args.json:
            print_json(
                [
                    {
                        "number": a.number,
                        "quote_id": a.quote_id,
                        "speaker_id": a.speaker_id,
                        "speaker": names[a.speaker_id],
                        "new_speaker": a.new_speaker,
                    }
                    for a in accepted
                ]
            )
        else:
            for a in accepted:
                new = " (new stakeholder)" if a.new_speaker else ""
                print(f"suggestion {a.number} -> quote {a.quote_id}, {names[a.speaker_id]}{new}")
        return 0

    with open_store_for(args) as store, store.reading() as session:
        found = run(session, args.source)
    if args.json:
        print_json([_suggestion_json(s) for s in found])
        return 0
    for s in found:
        if s.quote_id is not None:
            who = f"already quote {s.quote_id}"
        elif s.stakeholder:
            who = s.stakeholder if s.stakeholder == s.speaker else f"{s.speaker} = {s.stakeholder}"
        elif s.speaker:
            who = f"{s.speaker} (not yet a stakeholder: accepting makes one)"
        else:
            who = "no speaker named (give one with --speaker N=NAME)"
        print(f"{s.number:>3}  [{s.start}:{s.end}]  \u201c{' '.join(s.text.split())}\u201d")
        print(f"     \u2014 {who}")
    print(f"{len(found)} suggestion(s); accept with --accept N")
    return 0


def _name(session, stakeholder_id: int) -> str:
    from briefing.store.models import Stakeholder

    return session.get(Stakeholder, stakeholder_id).name
