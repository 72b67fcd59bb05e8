"""`briefing pack export` and `briefing pack import`: share a topic as one file, merge one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from briefing.cli.common import Commands, add_json_option, open_store_for, print_json


def register(commands: Commands) -> None:
    group = commands.group("pack", "share a topic as one file (a pack), and merge packs")
    out = group.command(
        "export",
        export,
        "write a topic (or a briefing with its topic) to one file a colleague can import",
    )
    out.add_argument("out", type=Path, metavar="OUT", help="the pack to write (.briefingpack)")
    which = out.add_mutually_exclusive_group()
    which.add_argument(
        "--topic", metavar="NAME", help="a topic, by name or id (default: the first)"
    )
    which.add_argument(
        "--briefing", metavar="TITLE", help="a briefing (by title or id), with its topic"
    )
    out.add_argument(
        "--include-private",
        action="store_true",
        help="include private notes, marked private in the pack (default: left out)",
    )
    out.add_argument(
        "--pack-passphrase-file",
        type=Path,
        metavar="FILE",
        help="seal the pack with the passphrase in FILE (AES-256-GCM; needs the 'packs' "
        "extra): the colleague needs it to import the pack",
    )
    add_json_option(out)

    into = group.command(
        "import",
        import_,
        "merge a pack into the store: new records are added, the same ones skipped, "
        "records changed on both sides listed as conflicts",
    )
    into.add_argument("file", type=Path, metavar="FILE", help="the pack to import")
    into.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be added, skipped and in conflict, and change nothing",
    )
    into.add_argument(
        "--conflicts",
        choices=("keep-both", "keep-mine", "take-theirs"),
        default="keep-both",
        help="what to do with a record both stores changed: keep-both (default) keeps both "
        "versions of a dated position and mine of anything else; keep-mine; take-theirs",
    )
    into.add_argument(
        "--pack-passphrase-file",
        type=Path,
        metavar="FILE",
        help="the passphrase of a pack that has one (default: ask on the terminal)",
    )
    add_json_option(into)


def export(args: argparse.Namespace) -> int:
    from briefing.core.briefings import find_briefing
    from briefing.core.lookup import find_topic
    from briefing.core.packs import SUFFIX, export_pack
    from briefing.errors import InputError

    out: Path = args.out.expanduser()
    if out.suffix == "":
        out = out.with_name(out.name + SUFFIX)
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: the folder {out.parent} does not exist")
    passphrase = None
    if args.pack_passphrase_file is not None:
        from briefing.cli.encryption import _from_file

        passphrase = _from_file(args.pack_passphrase_file)
    with open_store_for(args) as store, store.reading() as session:
        briefing_id = None
        if args.briefing is not None:
            found = find_briefing(session, args.briefing)
            if found.topic_id is None:
                raise InputError(f"the briefing {found.title!r} has no topic to share with it")
            topic_id, briefing_id = found.topic_id, found.id
        else:
            topic_id = find_topic(session, args.topic).id
        done = export_pack(
            session,
            out,
            topic_id=topic_id,
            briefing_id=briefing_id,
            include_private=args.include_private,
            passphrase=passphrase,
        )
    if args.json:
        print_json(done.as_dict())
        return 0
    counts = done.counts
    what = f"the briefing {done.briefing!r} and " if done.briefing else ""
    private = " (with private notes, marked private)" if done.include_private else ""
    print(
        f"wrote {out}: {what}the topic {done.topic!r}: {counts['stakeholders']} stakeholders, "
        f"{counts['positions']} positions, {counts['quotes']} quotes, {counts['sources']} "
        f"sources, {counts['notes']} notes{private}"
    )
    return 0


def import_(args: argparse.Namespace) -> int:
    from briefing.cli.encryption import _from_file, _prompt
    from briefing.core.pack_format import is_sealed_pack
    from briefing.core.packs import RULE_WORDS, import_pack

    passphrase = None
    if args.pack_passphrase_file is not None:
        passphrase = _from_file(args.pack_passphrase_file)
    elif is_sealed_pack(args.file.expanduser()) and sys.stdin.isatty():
        passphrase = _prompt(f"Passphrase of the pack {args.file.name}: ", confirm=False)
    with open_store_for(args) as store:
        report = import_pack(
            store, args.file, rule=args.conflicts, dry_run=args.dry_run, passphrase=passphrase
        )
    if args.json:
        print_json(report.as_dict())
        return 0
    for line in describe(report, RULE_WORDS[report.rule]):
        print(line)
    return 0


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "nothing"
    return ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items()))


def describe(report, rule_words: str) -> list[str]:
    """The import report in lines a person reads."""
    would = "would be " if report.dry_run else ""
    lines = []
    if report.dry_run:
        lines.append(f"dry run: nothing was changed; importing {report.pack} into {report.topic!r}")
    else:
        lines.append(f"imported {report.pack} into the topic {report.topic!r}")
    lines.append(f"{would}added: {_counts(report.added)}")
    lines.append(f"{would}skipped (already here, the same): {_counts(report.skipped)}")
    if report.conflicts:
        lines.append(
            f"{len(report.conflicts)} conflict(s), records changed on both sides; rule: "
            f"{rule_words}"
        )
        for conflict in report.conflicts:
            lines.append(f"  {conflict.kind}: {conflict.label}: {conflict.resolution}")
            for key in conflict.fields:
                lines.append(f"    {key}: mine:   {_show(conflict.mine[key])}")
                lines.append(f"    {' ' * len(key)}  theirs: {_show(conflict.theirs[key])}")
    else:
        lines.append("no conflicts")
    checked = ", ".join(f"{n} {status}" for status, n in report.quotes.items() if n)
    lines.append(f"quotes verified against their sources: {checked or 'none in the pack'}")
    for problem in report.quote_problems:
        diff = f" ({problem.diff})" if problem.diff else ""
        lines.append(f"  {problem.status}: \u201c{problem.text[:80]}\u201d{diff}")
    if report.backup:
        lines.append(f"backup of the store before the import: {report.backup}")
    return lines


def _show(value) -> str:
    text = str(value.isoformat() if hasattr(value, "isoformat") else value)
    text = " ".join(text.split())
    return text if len(text) <= 100 else text[:99] + "\u2026"
