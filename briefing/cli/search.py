"""`briefing search QUERY`: the search box's engine (briefing.core.search) for scripts."""

from __future__ import annotations

import argparse

from briefing.cli.common import Commands, add_json_option, open_store_for, print_json


def register(commands: Commands) -> None:
    from briefing.core.search_kinds import DEFAULT_LIMIT, KINDS, MAX_LIMIT
    from briefing.store.models import STANCES

    sub = commands.command(
        "search",
        search,
        'search stakeholders, positions, quotes, sources and notes ("phrases", OR, NOT, prefix*)',
    )
    sub.add_argument("query", metavar="QUERY", help="words to find; any text is accepted")
    sub.add_argument("--kind", action="append", choices=KINDS, help="only this kind (repeatable)")
    sub.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N results, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
    )
    sub.add_argument("--stakeholder", metavar="NAME_OR_ID", help="only records about them")
    sub.add_argument("--tag", metavar="TAG", help="only quotes, notes and sources with this tag")
    sub.add_argument("--stance", choices=STANCES, help="only stakeholders holding this stance")
    sub.add_argument("--from", dest="date_from", metavar="DATE", help="dated on or after DATE")
    sub.add_argument("--to", dest="date_to", metavar="DATE", help="dated on or before DATE")
    sub.add_argument("--no-private", action="store_true", help="leave private notes out")
    add_json_option(sub)


def search(args: argparse.Namespace) -> int:
    from briefing.core.dates import parse_date
    from briefing.core.lookup import find_stakeholder
    from briefing.core.search import KIND_TITLES, SearchFilters, group_by_kind
    from briefing.core.search import search as run_search

    with open_store_for(args) as store, store.reading() as session:
        stakeholder_id = None
        if args.stakeholder is not None:
            stakeholder_id = find_stakeholder(session, args.stakeholder).id
        filters = SearchFilters(
            kinds=frozenset(args.kind or ()),
            stakeholder_id=stakeholder_id,
            tag=args.tag,
            stance=args.stance,
            date_from=parse_date(args.date_from) if args.date_from else None,
            date_to=parse_date(args.date_to) if args.date_to else None,
            include_private=not args.no_private,
        )
        hits = run_search(session, args.query, filters, limit=args.limit)
    if args.json:
        print_json([hit.as_dict() for hit in hits])
        return 0
    if not hits:
        print("nothing found")
    for kind, found in group_by_kind(hits):
        print(f"{KIND_TITLES[kind]}:")
        for hit in found:
            print(f"  {kind}:{hit.id}  {hit.title}" + (f"  ({hit.detail})" if hit.detail else ""))
            print(f"      {_bracketed(hit.snippet, hit.highlights)}")
    return 0


def _bracketed(snippet: str, highlights) -> str:
    """The snippet on one line with the matched words in [brackets]."""
    parts, position = [], 0
    for start, end in highlights:
        parts += [snippet[position:start], "[", snippet[start:end], "]"]
        position = end
    parts.append(snippet[position:])
    return " ".join("".join(parts).split())
