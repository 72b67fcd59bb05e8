"""Benchmark: export a briefing of 40 stakeholders and 400 quotes (about 50 pages) to PDF.

Not part of the default test run (pytest collects test_*.py only). Run it with

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_export.py

It prints the export's time (the HTML, laying out again to keep rows, quotes and headings whole
and for the contents' page numbers, painting each page
with its header and footer, the outline and metadata, the atomic write) and, as its last line,
`export ratio: X.XX`: that time over a bare `QTextDocument.print_` of the same HTML to a
QPdfWriter, measured in the same run (best of three each). Reading the briefing from the store
comes before the HTML exists, so it is timed apart and reported with its own ratio too.
Targets: under 5 s, ratio <= 1.5.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader  # noqa: E402
from PySide6.QtGui import QGuiApplication, QPdfWriter, QTextDocument  # noqa: E402

from briefing.core.briefings import topic_content  # noqa: E402
from briefing.export import export_content  # noqa: E402
from briefing.export.pdf import page_layout  # noqa: E402
from briefing.render.briefing import html_document  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.store.models import (  # noqa: E402
    Answer,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Topic,
)

STAKEHOLDERS = 40
QUOTES_EACH = 10
STANCES = ("opposes", "supports", "conditional", "unclear")
WORDS = (
    "police facial recognition cameras trial accuracy privacy warrant database council vendor "
    "oversight consent error rate biometric retention crowd surveillance moratorium regulation"
)


def sentence(seed: int, length: int) -> str:
    vocabulary = WORDS.split()
    words = [vocabulary[(seed * 7 + i * 13) % len(vocabulary)] for i in range(length)]
    return " ".join(words).capitalize() + "."


def build(path: Path) -> int:
    store = open_store(path)
    with store.writing() as s:
        topic = Topic(name="Benchmark topic", description=sentence(1, 40))
        s.add(topic)
        quotes_text = [sentence(n, 16 + n % 20) for n in range(STAKEHOLDERS * QUOTES_EACH)]
        text = "\n\n".join(quotes_text)
        source = Source(
            title="A long report",
            publisher="The Bench",
            url="https://example.org/report",
            published=dt.date(2020, 6, 9),
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        s.add(source)
        questions = [Question(topic=topic, text=sentence(q, 8), sort_order=q) for q in range(4)]
        s.add_all(questions)
        offset = 0
        for n in range(STAKEHOLDERS):
            person = Stakeholder(
                name=f"Stakeholder {n + 1:02d}", kind="ngo", description=sentence(n, 12)
            )
            person.topics.append(topic)
            s.add(person)
            s.add(
                Position(
                    stakeholder=person,
                    topic=topic,
                    stance=STANCES[n % 4],
                    headline=sentence(n + 3, 12),
                    summary=(
                        f"{sentence(n, 40)}\n\n- {sentence(n + 1, 10)}\n- {sentence(n + 2, 10)}"
                    ),
                    as_of=dt.date(2020, 6, 9),
                )
            )
            s.flush()
            first = None
            for q in range(QUOTES_EACH):
                words = quotes_text[n * QUOTES_EACH + q]
                quote = Quote(
                    source=source,
                    start=offset,
                    end=offset + len(words),
                    text=words,
                    speaker_id=person.id,
                    said_on=dt.date(2020, 6, 9),
                )
                offset += len(words) + 2
                s.add(quote)
                first = first or quote
            s.flush()
            for question in questions:
                s.add(
                    Answer(question=question, stakeholder_id=person.id, answer="yes", quote=first)
                )
            s.add(Note(stakeholder_id=person.id, body=f"**Ask:** {sentence(n, 20)}"))
        topic_id = topic.id
    store.close()
    return topic_id


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    topic_id = build(folder / "bench.sqlite3")
    out = folder / "briefing.pdf"

    read_times, export_times, bare_times = [], [], []
    for _ in range(3):
        started = time.perf_counter()
        with open_store(folder / "bench.sqlite3") as store, store.reading() as s:
            content = topic_content(s, topic_id, with_notes=True)
        read_times.append(time.perf_counter() - started)

        # The export proper: HTML, the layout passes (clean breaks, contents), pages painted
        # with header and footer, outline and metadata, written to a temporary name and renamed.
        started = time.perf_counter()
        export_content(content, out, "pdf")
        export_times.append(time.perf_counter() - started)

        html = html_document(content, toc_pages=True)
        started = time.perf_counter()
        document = QTextDocument()
        document.setHtml(html)
        writer = QPdfWriter(str(folder / "bare.pdf"))
        writer.setPageLayout(page_layout("A4"))
        document.print_(writer)
        del writer, document
        bare_times.append(time.perf_counter() - started)

    pages = len(PdfReader(out).pages)
    print(f"stakeholders: {STAKEHOLDERS}, quotes: {len(content.all_quotes)}, pages: {pages}")
    read, export, bare = min(read_times), min(export_times), min(bare_times)
    print(f"reading the briefing from the store: {read:.2f} s")
    print(f"export to PDF: {export:.2f} s (runs: {', '.join(f'{t:.2f}' for t in export_times)})")
    print(f"total, store to file: {read + export:.2f} s")
    print(f"bare QTextDocument.print_ of the same HTML: {bare:.2f} s")
    print(f"ratio with the store read: {(read + export) / bare:.2f}")
    print(f"export ratio: {export / bare:.2f}")
    return 0


if __name__ == "__main__":
    # The application outlives every document and writer (created in main) until exit.
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    raise SystemExit(main())
