"""Commands that edit the picture, and `compare`.

    briefing topic add NAME [--description TEXT] [--allow-similar]
    briefing stakeholder add NAME --kind KIND [--topic T] [--speaks-for ORG] [--influence 1-5]
                                  [--allow-similar]
    briefing stakeholder link NAME --topic T
    briefing position set STAKEHOLDER --topic T --stance STANCE --summary TEXT [--as-of DATE]
    briefing question add --topic T TEXT
    briefing answer set --question ID --stakeholder NAME --answer ANSWER [--quote ID]
    briefing event add --topic T --date DATE TITLE [--stakeholder NAME] [--source ID]
    briefing compare --topic T [--stakeholders A,B,...] [--as-of DATE] [--csv | --json]

Every `add`, `set` and `link` prints the id of the record it made or changed (with `--json`, an
object with `id`). Each runs in one transaction, so input refused by a use case changes nothing.
A name that looks like an existing one (other characters drawn alike: "I\u0412M" beside "IBM")
is refused with the existing name unless `--allow-similar` says it is meant.
"""

from __future__ import annotations

import argparse
import sys

from briefing.cli.common import (
    Commands,
    add_as_of_option,
    add_json_option,
    as_of_date,
    open_store_for,
    print_json,
    record_id,
)
from briefing.errors import BriefingError, InputError, SimilarName
from briefing.store.models import ANSWERS, STANCES, Stakeholder


def register(commands: Commands) -> None:
    topic = commands.group("topic", "add topics")
    sub = topic.command("add", topic_add, "add a topic")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--description", default="", metavar="TEXT")
    _allow_similar_option(sub)
    add_json_option(sub)

    stakeholder = commands.group("stakeholder", "add stakeholders, or put one on a topic")
    sub = stakeholder.command("add", stakeholder_add, "add a stakeholder")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--kind", required=True, help=f"one of {', '.join(Stakeholder.KINDS)}")
    sub.add_argument("--topic", metavar="T", help="the topic it takes part in")
    sub.add_argument("--speaks-for", metavar="ORG", help="the organisation a person speaks for")
    sub.add_argument("--influence", type=int, metavar="1-5", help="how much it weighs, 1 to 5")
    sub.add_argument("--description", default="", metavar="TEXT")
    _allow_similar_option(sub)
    add_json_option(sub)
    sub = stakeholder.command("link", stakeholder_link, "put an existing stakeholder on a topic")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--topic", required=True, metavar="T")
    add_json_option(sub)

    position = commands.group("position", "set stakeholders' positions")
    sub = position.command("set", position_set, "add a stakeholder's position as of a date")
    sub.add_argument("stakeholder", metavar="STAKEHOLDER")
    sub.add_argument("--topic", required=True, metavar="T")
    sub.add_argument("--stance", required=True, help=f"one of {', '.join(STANCES)}")
    sub.add_argument("--summary", required=True, metavar="TEXT", help="Markdown")
    sub.add_argument("--headline", default="", metavar="TEXT", help="one line for the card")
    sub.add_argument("--as-of", metavar="YYYY-MM-DD", help="default: today")
    add_json_option(sub)

    question = commands.group("question", "add comparison questions")
    sub = question.command("add", question_add, "add a question to a topic's comparison")
    sub.add_argument("--topic", required=True, metavar="T")
    sub.add_argument("text", metavar="TEXT")
    add_json_option(sub)

    answer = commands.group("answer", "set answers to comparison questions")
    sub = answer.command("set", answer_set, "set a stakeholder's answer to a question")
    sub.add_argument("--question", required=True, type=record_id, metavar="ID")
    sub.add_argument("--stakeholder", required=True, metavar="NAME")
    sub.add_argument("--answer", required=True, help=f"one of {', '.join(ANSWERS)}")
    sub.add_argument("--quote", type=record_id, metavar="ID", help="the quote that backs it")
    sub.add_argument("--comment", metavar="TEXT")
    add_json_option(sub)

    event = commands.group("event", "add events to a topic's timeline")
    sub = event.command("add", event_add, "add a dated event")
    sub.add_argument("--topic", required=True, metavar="T")
    sub.add_argument("--date", required=True, metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    sub.add_argument("title", metavar="TITLE")
    sub.add_argument("--stakeholder", metavar="NAME")
    sub.add_argument("--source", type=record_id, metavar="ID")
    add_json_option(sub)

    sub = commands.command("compare", compare, "compare stakeholders' answers on a topic")
    sub.add_argument("--topic", required=True, metavar="T")
    sub.add_argument(
        "--stakeholders",
        metavar="A,B,...",
        help="2 to 6 names (default: up to 6 that answered, the most influential first)",
    )
    form = sub.add_mutually_exclusive_group()
    add_as_of_option(sub)
    form.add_argument("--csv", action="store_true", help="print CSV")
    form.add_argument("--json", action="store_true", help="print JSON for scripts")


def _allow_similar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-similar",
        action="store_true",
        help="add the name even if it looks like an existing one (other characters drawn alike)",
    )


def _similar(error: Exception) -> BriefingError:
    return InputError(f"{error}; if it is meant, run the command again with --allow-similar")


def _report(args: argparse.Namespace, record_id: int | None) -> int:
    if args.json:
        print_json({"id": record_id})
    else:
        print(record_id)
    return 0


def topic_add(args: argparse.Namespace) -> int:
    from briefing.core.editing import create_topic

    try:
        with open_store_for(args) as store, store.writing() as session:
            edited = create_topic(
                session, args.name, args.description, allow_similar=args.allow_similar
            )
    except SimilarName as error:
        raise _similar(error) from None
    return _report(args, edited.id)


def stakeholder_add(args: argparse.Namespace) -> int:
    from briefing.core.editing import check_kind

    if problem := check_kind(args.kind):
        raise InputError(problem)
    try:
        with open_store_for(args) as store, store.writing() as session:
            edited = _stakeholder_add(session, args)
    except SimilarName as error:
        raise _similar(error) from None
    return _report(args, edited.id)


def _stakeholder_add(session, args: argparse.Namespace):
    from briefing.core.editing import StakeholderFields, add_stakeholder
    from briefing.core.lookup import find_stakeholder, find_topic

    topic_id = find_topic(session, args.topic).id if args.topic else None
    parent_id = find_stakeholder(session, args.speaks_for).id if args.speaks_for else None
    fields = StakeholderFields(
        name=args.name,
        kind=args.kind,
        description=args.description,
        parent_id=parent_id,
        influence=args.influence,
    )
    return add_stakeholder(session, fields, topic_id, allow_similar=args.allow_similar)


def stakeholder_link(args: argparse.Namespace) -> int:
    from briefing.core.editing import link_stakeholder
    from briefing.core.lookup import find_stakeholder, find_topic

    with open_store_for(args) as store, store.writing() as session:
        topic = find_topic(session, args.topic)
        edited = link_stakeholder(session, topic.id, find_stakeholder(session, args.name).id)
    return _report(args, edited.id)


def position_set(args: argparse.Namespace) -> int:
    import datetime as dt

    from briefing.core.editing import check_as_of, check_stance, set_position
    from briefing.core.lookup import find_stakeholder, find_topic
    from briefing.errors import InputError

    if problem := check_stance(args.stance):
        raise InputError(problem)
    as_of = dt.date.today()
    if args.as_of is not None:
        as_of, problem = check_as_of(args.as_of)
        if problem:
            raise InputError(problem)
    with open_store_for(args) as store, store.writing() as session:
        topic = find_topic(session, args.topic)
        stakeholder = find_stakeholder(session, args.stakeholder)
        edited = set_position(
            session, topic.id, stakeholder.id, args.stance, args.summary, as_of, args.headline
        )
    return _report(args, edited.id)


def question_add(args: argparse.Namespace) -> int:
    from briefing.core.editing import add_question
    from briefing.core.lookup import find_topic

    with open_store_for(args) as store, store.writing() as session:
        edited = add_question(session, find_topic(session, args.topic).id, args.text)
    return _report(args, edited.id)


def answer_set(args: argparse.Namespace) -> int:
    from briefing.core.editing import check_answer, set_answer
    from briefing.core.lookup import find_stakeholder
    from briefing.errors import InputError

    if problem := check_answer(args.answer):
        raise InputError(problem)
    with open_store_for(args) as store, store.writing() as session:
        stakeholder = find_stakeholder(session, args.stakeholder)
        edited = set_answer(
            session, args.question, stakeholder.id, args.answer, args.quote, args.comment
        )
    return _report(args, edited.id)


def event_add(args: argparse.Namespace) -> int:
    from briefing.core.editing import EventFields, add_event, check_event_date
    from briefing.core.lookup import find_stakeholder, find_topic
    from briefing.errors import InputError

    parsed, problem = check_event_date(args.date)
    if problem or parsed is None:
        raise InputError(problem or "bad date")
    occurred_on, precision = parsed
    with open_store_for(args) as store, store.writing() as session:
        topic = find_topic(session, args.topic)
        stakeholder_id = (
            find_stakeholder(session, args.stakeholder).id if args.stakeholder else None
        )
        fields = EventFields(args.title, occurred_on, precision, stakeholder_id, args.source)
        edited = add_event(session, topic.id, fields)
    return _report(args, edited.id)


def compare(args: argparse.Namespace) -> int:
    from briefing.core.compare import check_choice, comparison, default_choice
    from briefing.core.dates import format_date
    from briefing.core.lookup import find_stakeholder, find_topic
    from briefing.errors import InputError

    as_of = as_of_date(args)
    with open_store_for(args) as store, store.reading() as session:
        topic = find_topic(session, args.topic)
        if args.stakeholders:
            names = [name for name in args.stakeholders.split(",") if name.strip()]
            if problem := check_choice(len(names)):
                raise InputError(problem)
            chosen = [find_stakeholder(session, name).id for name in names]
        else:
            chosen = default_choice(session, topic.id, as_of=as_of)
            if problem := check_choice(len(chosen)):
                raise InputError(f"{topic.name}: {problem}; name them with --stakeholders")
        table = comparison(session, topic.id, chosen, as_of=as_of)
    if args.json:
        print_json(table.as_dict())
    elif args.csv:
        sys.stdout.write(table.as_csv())
    else:
        if as_of is not None:
            print(f"as of {format_date(as_of)}")
        rows = table.as_rows()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
    return 0
