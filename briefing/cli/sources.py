"""Commands for sources and quotes: `import-source`, `sources`, `quote add|edit|delete`,
`source edit|delete`, `quotes`, `verify`.

`quote delete` and `source delete` first say what goes with the record; they delete only with
`--yes` (without it they exit 1, having changed nothing), so a script cannot delete by accident.

`verify` exits 0 only when every quote matches its source (exactly or but for typography), every
source still matches its sha256, and no two sources report the same words differently; else 1,
so that a script (or CI over a shared store) can stop on a misquote.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from briefing.cli.common import Commands, add_json_option, open_store_for, print_json, record_id


def register(commands: Commands) -> None:
    sub = commands.command(
        "import-source", import_source, "store a .txt, .md, .html or .pdf file as a source"
    )
    sub.add_argument("file", type=Path, metavar="FILE")
    sub.add_argument("--title", help="the title (default: the file's own, else its name)")
    sub.add_argument("--publisher", help="who published it")
    sub.add_argument("--author", help="who wrote it")
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="when it was published")
    sub.add_argument("--url", help="where it was published (kept as a reference, never fetched)")
    sub.add_argument(
        "--revision-of",
        type=record_id,
        metavar="ID",
        help="the source this file corrects or updates",
    )
    sub.add_argument(
        "--primary-for",
        action="append",
        default=[],
        metavar="NAME",
        help="the file is this stakeholder's own document (letter, statement, testimony); "
        "reports of their words are checked against it (repeatable)",
    )
    add_json_option(sub)

    add_json_option(commands.command("sources", sources, "list sources"))

    quote = commands.group("quote", "make quotes")
    sub = quote.command("add", quote_add, "anchor words of a source as a quote")
    sub.add_argument("--source", required=True, metavar="ID", help="the source's id")
    sub.add_argument("--speaker", required=True, metavar="NAME", help="who said the words")
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="when the words were said")
    sub.add_argument(
        "--occurrence",
        type=int,
        metavar="N",
        help="which occurrence of the words, when they stand more than once (1 = first)",
    )
    sub.add_argument(
        "--reported",
        action="store_true",
        help="the words are the source's own about the speaker, not words the speaker said",
    )
    sub.add_argument("--json", action="store_true", help="print JSON for scripts")
    sub.add_argument("text", metavar="TEXT", help="the words, as the source has them")

    sub = quote.command("edit", quote_edit, "correct a quote's speaker, date, attribution or tags")
    sub.add_argument("id", type=record_id, metavar="ID", help="the quote's id")
    sub.add_argument("--speaker", metavar="NAME", help="who said the words")
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="when the words were said ('' clears)")
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--reported", action="store_true", help="the source's words about them")
    which.add_argument("--direct", action="store_true", help="the speaker's own words")
    sub.add_argument(
        "--tag", action="append", metavar="T", help="a tag (repeat; replaces the quote's tags)"
    )
    sub.add_argument("--no-tags", action="store_true", help="remove every tag")
    add_json_option(sub)
    sub = quote.command("delete", quote_delete, "delete a quote (says first what goes with it)")
    sub.add_argument("id", type=record_id, metavar="ID", help="the quote's id")
    sub.add_argument("--yes", action="store_true", help="delete it: without this, only say")
    add_json_option(sub)

    source = commands.group("source", "correct or delete sources")
    sub = source.command("edit", source_edit, "correct a source's details (never its text)")
    sub.add_argument("id", type=record_id, metavar="ID", help="the source's id")
    sub.add_argument("--title", help="its title")
    sub.add_argument("--publisher", help="who published it")
    sub.add_argument("--author", help="who wrote it")
    sub.add_argument("--url", help="its web address (kept as a reference, never fetched)")
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="when it was published ('' clears)")
    add_json_option(sub)
    sub = source.command("delete", source_delete, "delete a source and its quotes")
    sub.add_argument("id", type=record_id, metavar="ID", help="the source's id")
    sub.add_argument("--yes", action="store_true", help="delete it: without this, only say")
    add_json_option(sub)

    sub = commands.command("quotes", quotes, "list quotes with their check")
    sub.add_argument("--source", metavar="ID", help="only this source's quotes")
    sub.add_argument("--speaker", metavar="NAME", help="only this stakeholder's quotes")
    add_json_option(sub)

    add_json_option(
        commands.command(
            "verify", verify, "check every quote against its source and across sources"
        )
    )


def import_source(args: argparse.Namespace) -> int:
    from briefing.core.dates import parse_date
    from briefing.core.lookup import find_stakeholder
    from briefing.core.primary import mark_primary
    from briefing.core.sources import import_source as run
    from briefing.core.sources import read_file

    published = parse_date(args.date) if args.date else None
    extracted = read_file(args.file)  # refuse a bad file before the store is opened
    with open_store_for(args) as store, store.writing() as session:
        # An unknown name refuses the import before it starts.
        owners = [find_stakeholder(session, name).name for name in args.primary_for]
        imported = run(
            session,
            args.file,
            title=args.title,
            publisher=args.publisher,
            author=args.author,
            published=published,
            url=args.url,
            revision_of=args.revision_of,
            extracted=extracted,
        )
        if args.primary_for:
            mark_primary(session, imported.id, args.primary_for)
    if args.json:
        facts = {"id": imported.id, "title": imported.title, "sha256": imported.sha256}
        print_json(facts | ({"primary_for": owners} if owners else {}))
    else:
        print(imported.id)
    return 0


def sources(args: argparse.Namespace) -> int:
    from briefing.core.primary import primary_owners
    from briefing.core.sources import list_sources

    with open_store_for(args) as store, store.reading() as session:
        # `sources` is where a changed text is reported: it checks every text, one at a time.
        found = list_sources(session, check=True)
        owners = primary_owners(session)
    if args.json:
        print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "publisher": s.publisher,
                    "author": s.author,
                    "url": s.url,
                    "date": s.published.isoformat() if s.published else None,
                    "kind": s.kind,
                    "sha256": s.sha256,
                    "quotes": s.quote_count,
                    "revision_of": s.revision_of_id,
                    "intact": s.intact,
                    # Whose own document this is (their letter, statement): [] for a report.
                    "primary_for": owners.get(s.id, []),
                }
                for s in found
            ]
        )
        return 0
    for s in found:
        when = s.published.isoformat() if s.published else "undated"
        warning = "  CHANGED SINCE IMPORT" if not s.intact else ""
        primary = f" \u00b7 primary document of {', '.join(owners[s.id])}" if s.id in owners else ""
        print(
            f"{s.id:>4}  {s.title}  \u00b7 {s.publisher or '-'} \u00b7 {when} \u00b7 "
            f"{s.quote_count} quote(s) \u00b7 sha256 {s.sha256[:12]}{primary}{warning}"
        )
    return 0


def quote_add(args: argparse.Namespace) -> int:
    from briefing.core.dates import parse_date
    from briefing.core.quotes import add_quote

    said_on = parse_date(args.date) if args.date else None
    with open_store_for(args) as store, store.writing() as session:
        added = add_quote(
            session,
            args.source,
            args.text,
            args.speaker,
            said_on,
            occurrence=args.occurrence,
            attribution="reported" if args.reported else "direct",
        )
    if args.json:
        print_json({"id": added.id, "start": added.start, "end": added.end})
    else:
        print(added.id)
    return 0


def _conflicts_json(check) -> list[dict]:
    return [{"quote_id": c.quote_id, "diff": c.comparison.diff} for c in check.conflicts]


def _primary_json(check) -> dict | None:
    from briefing.core.primary import REWORDED

    primary = check.primary
    if primary is None:
        return None
    return {
        "source_id": primary.source_id,
        "source": primary.source_title,
        "primary_for": primary.owner,
        "start": primary.passage.start,
        "end": primary.passage.end,
        "text": primary.passage.text,
        "kind": REWORDED if primary.reworded else primary.comparison.kind,
        "diff": primary.diff,  # [-the quote's words-] {+the primary document's+}
    }


def _check_json(check) -> dict:
    return {
        "id": check.id,
        "source_id": check.source_id,
        "source": check.source_title,
        "speaker": check.speaker,
        "attribution": check.attribution,  # "reported": the source's words about the speaker
        "text": check.text,
        "start": check.start,
        "end": check.end,
        "page": check.page,
        "date": check.said_on.isoformat() if check.said_on else None,
        "status": check.verification.status,
        "diff": check.verification.diff,
        "source_intact": check.source_intact,
        "conflicts": _conflicts_json(check),
        # Quotes of other sources with the same words: kind "same" or "typography".
        "agreements": [
            {"quote_id": a.quote_id, "kind": a.comparison.kind} for a in check.agreements
        ],
        # The closest passage of the speaker's primary document (their own letter), if any.
        "primary": _primary_json(check),
        "reworded": check.reworded,
    }


def quotes(args: argparse.Namespace) -> int:
    from briefing.core.lookup import find_stakeholder
    from briefing.core.quotes import check_quotes
    from briefing.core.sources import find_source
    from briefing.render.quote_check import attributed_to

    with open_store_for(args) as store, store.reading() as session:
        source_id = find_source(session, args.source).id if args.source else None
        speaker_id = find_stakeholder(session, args.speaker).id if args.speaker else None
        checks = check_quotes(session, source_id=source_id, speaker_id=speaker_id)
    if args.json:
        print_json([_check_json(c) for c in checks])
        return 0
    for c in checks:
        page = f", p. {c.page}" if c.page else ""
        print(f"{c.id:>4}  \u201c{c.text}\u201d")
        print(
            f"      \u2014 {attributed_to(c)}, {c.source_title or 'source removed'}"
            f"{page} \u00b7 {c.verification.status}"
        )
    return 0


def verify(args: argparse.Namespace) -> int:
    from briefing.core.quotes import check_quotes
    from briefing.render.quote_check import attributed_to

    with open_store_for(args) as store, store.reading() as session:
        checks = check_quotes(session, passages=True)
    if args.json:
        print_json(
            [
                _check_json(c)
                | {
                    # The closest passage of each other source, found by word alignment.
                    "passages": [
                        {
                            "source_id": p.source_id,
                            "start": p.start,
                            "end": p.end,
                            "share": p.share,
                            "same_words": p.same_words,
                        }
                        for p in c.passages
                    ]
                }
                for c in checks
            ]
        )
    else:
        for c in checks:
            line = (
                f"{c.id:>4}  {c.verification.status:<10}  {attributed_to(c)}: \u201c{c.text}\u201d"
            )
            print(line)
            if not c.source_intact:
                print(f"      source {c.source_id} has changed since it was imported (sha256)")
            if c.verification.diff:
                print(f"      differs from its source: {c.verification.diff}")
            for conflict in c.conflicts:
                print(
                    f"      conflicts with quote {conflict.quote_id} "
                    f"({conflict.source_title}): {conflict.comparison.diff}"
                )
            if c.primary is not None and c.primary.reworded:
                print(f"      {c.primary.sentence()}")
                print(f"      word diff: {c.primary.diff}")
            for agreement in c.agreements:
                how = "word for word" if agreement.comparison.kind == "same" else "except for"
                print(
                    f"      agrees {how}{' typography' if how == 'except for' else ''} with quote "
                    f"{agreement.quote_id} ({agreement.source_title})"
                )
        bad = sum(not c.ok for c in checks)
        print(f"{len(checks)} quote(s) checked, {bad} with a problem")
    return 0 if all(c.ok for c in checks) else 1


def _optional_date(text: str | None):
    """--date: a date, '' for none; the sentinel `...` when not given."""
    from briefing.core.dates import parse_date

    if text is None:
        return ...
    return parse_date(text) if text.strip() else None


def quote_edit(args: argparse.Namespace) -> int:
    from briefing.core.corrections import edit_quote, quote_details
    from briefing.errors import InputError

    fields: dict = {}
    if args.speaker is not None:
        fields["speaker"] = args.speaker
    said_on = _optional_date(args.date)
    if said_on is not ...:
        fields["said_on"] = said_on
    if args.reported or args.direct:
        fields["attribution"] = "reported" if args.reported else "direct"
    if args.tag and args.no_tags:
        raise InputError("give --tag or --no-tags, not both")
    if args.tag or args.no_tags:
        fields["tags"] = args.tag or []
    if not fields:
        raise InputError(
            "nothing to change: give --speaker, --date, --reported/--direct, --tag or --no-tags"
        )
    with open_store_for(args) as store, store.writing() as session:
        edit_quote(session, args.id, **fields)
        details = quote_details(session, args.id)
    if args.json:
        print_json(
            {
                "id": details.id,
                "speaker": details.speaker,
                "date": details.said_on.isoformat() if details.said_on else None,
                "attribution": details.attribution,
                "tags": list(details.tags),
            }
        )
    else:
        when = details.said_on.isoformat() if details.said_on else "undated"
        tags = ", ".join(details.tags) or "no tags"
        print(
            f"quote {details.id}: {details.speaker} \u00b7 {when} \u00b7 {details.attribution}"
            f" \u00b7 {tags}"
        )
    return 0


def _delete(args, what: str, dependents, delete) -> int:
    import sys

    with open_store_for(args) as store:
        with store.reading() as session:
            going = dependents(session, args.id)
        if args.yes:
            with store.writing() as session:
                delete(session, args.id)
    if args.json:
        print_json({"id": args.id, "deleted": bool(args.yes), **going.as_dict()})
    elif args.yes:
        print(f"deleted {what} {args.id}. {going.words()}")
    else:
        print(f"{what} {args.id}: {going.words()}")
        print(f"nothing was deleted: add --yes to delete {what} {args.id}", file=sys.stderr)
    return 0 if args.yes else 1


def quote_delete(args: argparse.Namespace) -> int:
    from briefing.core.corrections import delete_quote, quote_dependents

    return _delete(args, "quote", quote_dependents, delete_quote)


def source_edit(args: argparse.Namespace) -> int:
    from briefing.core.corrections import edit_source, source_details
    from briefing.errors import InputError

    fields = {
        name: getattr(args, name)
        for name in ("title", "publisher", "author", "url")
        if getattr(args, name) is not None
    }
    published = _optional_date(args.date)
    if published is not ...:
        fields["published"] = published
    if not fields:
        raise InputError(
            "nothing to change: give --title, --publisher, --author, --url or --date "
            "(a source's text is never edited)"
        )
    with open_store_for(args) as store, store.writing() as session:
        edit_source(session, args.id, **fields)
        details = source_details(session, args.id)
    if args.json:
        print_json(
            {
                "id": details.id,
                "title": details.title,
                "publisher": details.publisher,
                "author": details.author,
                "url": details.url,
                "date": details.published.isoformat() if details.published else None,
            }
        )
    else:
        when = details.published.isoformat() if details.published else "undated"
        print(
            f"source {details.id}: {details.title} \u00b7 {details.publisher or '-'} \u00b7 {when}"
        )
    return 0


def source_delete(args: argparse.Namespace) -> int:
    from briefing.core.corrections import delete_source, source_dependents

    return _delete(args, "source", source_dependents, delete_source)
