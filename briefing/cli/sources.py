"""Commands for sources and quotes: `import-source`, `sources`, `quote add`, `quotes`, `verify`.

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
        found = list_sources(session)
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
