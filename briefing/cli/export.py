"""`briefing export`: a briefing, or a whole topic, to PDF, OpenDocument text, HTML or Markdown."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from briefing.cli.common import Commands, add_as_of_option, as_of_date, open_store_for


def register(commands: Commands) -> None:
    sub = commands.command(
        "export",
        export,
        "export a briefing (or a whole topic) to PDF, OpenDocument text, HTML or Markdown",
    )
    sub.add_argument(
        "out", type=Path, metavar="OUT", help="the file to write (.pdf, .odt, .md, .html)"
    )
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--briefing", metavar="TITLE", help="a composed briefing, by title or id")
    which.add_argument("--topic", metavar="NAME", help="a whole topic (default: the first topic)")
    sub.add_argument(
        "--format", choices=("pdf", "odt", "md", "html"), help="default: from OUT's name"
    )
    sub.add_argument(
        "--include-private",
        action="store_true",
        help="include private notes, each marked private (default: left out); for a whole "
        "topic, this asks for notes too",
    )
    sub.add_argument(
        "--with-notes",
        action="store_true",
        help="a whole topic: include the shareable notes (default: no notes). A composed "
        "briefing prints the notes put into it",
    )
    sub.add_argument("--page-size", choices=("A4", "Letter"), help="PDF page size (default A4)")
    add_as_of_option(sub)


def export(args: argparse.Namespace) -> int:
    from briefing.core.briefings import briefing_content, find_briefing, topic_content
    from briefing.core.lookup import find_topic
    from briefing.export import QT_FORMATS, export_content, format_for
    from briefing.export.files import check_destination

    fmt = format_for(args.out, args.format)
    out = check_destination(args.out)
    as_of = as_of_date(args)
    with open_store_for(args) as store, store.reading() as session:
        if args.briefing is not None:
            found = find_briefing(session, args.briefing)
            content = briefing_content(
                session,
                found.id,
                include_private=args.include_private,  # never a saved choice: ask each time
                page_size=args.page_size,
                as_of=as_of,
            )
        else:
            topic = find_topic(session, args.topic)
            content = topic_content(
                session,
                topic.id,
                include_private=args.include_private,
                with_notes=args.with_notes,
                page_size=args.page_size or "A4",
                as_of=as_of,
            )
    if fmt in QT_FORMATS:
        # Qt needs a platform plugin even to write a PDF; without a display, the offscreen one.
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    export_content(content, out, fmt)
    private = " (with private notes)" if content.include_private else ""
    print(f"wrote {out}{private}")
    return 0
