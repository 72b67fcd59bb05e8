"""Is a long PDF export's time in proportion to its pages? A briefing of 40 stakeholders against
one of 4, on the 100,000-quote store.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_export_long.py [STORE]

Builds the synthetic store first (`synthetic.py`, about a minute) unless STORE is given, and
composes two briefings on its first topic, as `bench_gui_stalls.py` does: its first 40
stakeholders (about 4,000 quotes from 3,300 sources: a 540-page PDF, 200 of them the appendix
of sources) and its first 4. Each is exported the way `briefing export OUT --briefing TITLE`
does it, in this process, timed phase by phase:

- store read: `briefing_content` in one read session;
- HTML: `html_document`;
- tables ahead: long tables broken in the HTML before the first layout (`_split_ahead`);
- parse HTML: `QTextDocument.setHtml` of the whole briefing (once, unless a break was missed);
- table rows: the check that no table row is cut, and any round of breaks it makes;
- keep together: headings with what follows, quotes with their citations;
- contents: the contents' page numbers, read from where the headings landed;
- full layout: the layout of the whole document after that edit;
- paint: every page, with its header and footer;
- outline: pypdf's outline and metadata;
- write: the file, under a temporary name, then renamed.

Then the same export through the command line (`briefing --db STORE export ...`, a process of
its own, Python and Qt starting included), once per case. Best of BENCH_ROUNDS (default 2)
rounds, interleaved. Prints per case its pages, quotes and sources, each phase, and the time
per page; the last line is the ratio of the 40-stakeholder export's time per page to the
4-stakeholder one's: near 1 when the work is in proportion to the document. Measured in one
quiet run: 0.83 (12.9 s for 540 pages against 1.8 s for 63); before the long tables were broken
ahead, 1.49 (36.4 s for 531 pages against 2.9 s for 63).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pypdf import PdfReader  # noqa: E402
from PySide6.QtGui import QGuiApplication, QTextDocument  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

from briefing.core import briefings as core_briefings  # noqa: E402
from briefing.export import export_content  # noqa: E402
from briefing.export import pdf as export_pdf  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.store.models import Position  # noqa: E402

CASES = (("4 stakeholders", 4), ("40 stakeholders", 40))
PHASES = (
    "store read",
    "HTML",
    "tables ahead",
    "parse HTML",
    "table rows",
    "keep together",
    "contents",
    "full layout",
    "paint",
    "outline",
    "write",
)


class Phases:
    """Adds up the time spent in each phase of one export, by wrapping the functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._inside: list[str] = []

    def wrap(self, owner, name: str, phase: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return  # older code (BENCH on a checkout before it) has no such phase
        phases = self

        def timed(*args, **kwargs):
            phases._inside.append(phase)
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                took = time.perf_counter() - began
                phases._inside.pop()
                phases.seconds[phase] += took
                if phases._inside:  # time in a phase called from another counts once
                    phases.seconds[phases._inside[-1]] -= took

        setattr(owner, name, timed)


def install(phases: Phases) -> None:
    paged = export_pdf.PagedBriefing
    phases.wrap(export_pdf, "html_document", "HTML")
    phases.wrap(paged, "_split_ahead", "tables ahead")
    phases.wrap(paged, "_keep_table_rows_whole", "table rows")
    phases.wrap(paged, "_keep_together", "keep together")
    phases.wrap(paged, "_fill_contents", "contents")
    phases.wrap(paged, "_heading_pages", "contents")
    phases.wrap(paged, "_lay_out_fully", "full layout")
    phases.wrap(paged, "paint", "paint")
    phases.wrap(export_pdf, "finish_pdf", "outline")
    import briefing.export as export_package

    phases.wrap(export_package, "write_atomically", "write")
    original = QTextDocument.setHtml

    def set_html(document, html):
        # The whole briefing's parse is a phase of its own; a piece laid out alone belongs to
        # the phase that lays it out.
        if len(html) > 200_000 or not phases._inside:
            phases._inside.append("parse HTML")
            began = time.perf_counter()
            try:
                return original(document, html)
            finally:
                took = time.perf_counter() - began
                phases._inside.pop()
                phases.seconds["parse HTML"] += took
                if phases._inside:
                    phases.seconds[phases._inside[-1]] -= took
        return original(document, html)

    QTextDocument.setHtml = set_html


def prepare(path: Path) -> dict[str, str]:
    """Two composed briefings on the first topic: its first 4 and its first 40 stakeholders."""
    from sqlalchemy import select

    titles = {}
    with open_store(path) as store, store.writing() as session:
        topic = session.execute(select(Position.topic_id).order_by(Position.topic_id)).first()[0]
        members = [
            sid
            for (sid,) in session.execute(
                select(Position.stakeholder_id)
                .where(Position.topic_id == topic)
                .order_by(Position.stakeholder_id)
            )
        ]
        for label, count in CASES:
            title = f"Bench {label}"
            briefing_id, _ = core_briefings.create_briefing(session, topic, title)
            for sid in members[:count]:
                core_briefings.add_item(session, briefing_id, "stakeholder", sid)
            titles[label] = title
    return titles


def export_in_process(path: Path, title: str, out: Path, phases: Phases) -> tuple[float, object]:
    began = time.perf_counter()
    phases._inside.append("store read")
    read_began = time.perf_counter()
    with open_store(path) as store, store.reading() as session:
        found = core_briefings.find_briefing(session, title)
        content = core_briefings.briefing_content(session, found.id)
    phases._inside.pop()
    phases.seconds["store read"] += time.perf_counter() - read_began
    export_content(content, out, "pdf")
    return time.perf_counter() - began, content


def export_by_cli(path: Path, title: str, out: Path) -> float:
    command = [sys.executable, "-m", "briefing", "--db", str(path), "export", str(out)]
    began = time.perf_counter()
    # Run from the store's folder: `-m` puts the working directory first on the path, and the
    # code measured is the one installed (or on PYTHONPATH), not a checkout that happens to be
    # the working directory.
    subprocess.run(
        [*command, "--briefing", title], check=True, capture_output=True, cwd=path.parent
    )
    return time.perf_counter() - began


def main(argv: list[str]) -> int:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841
    folder = Path(tempfile.mkdtemp(prefix="bench-export-long-"))
    try:
        path = folder / "big.sqlite3"
        if argv:
            shutil.copyfile(argv[0], path)
        else:
            synthetic.main([str(path)])
        titles = prepare(path)
        rounds = int(os.environ.get("BENCH_ROUNDS", "2"))
        best: dict[str, tuple[float, dict[str, float]]] = {}
        cli: dict[str, float] = {}
        facts: dict[str, tuple[int, int, int]] = {}
        phases = Phases()
        install(phases)
        for round_ in range(rounds):
            for label, _count in CASES:
                out = folder / f"{label.split()[0]}.pdf"
                phases.seconds.clear()
                took, content = export_in_process(path, titles[label], out, phases)
                if label not in best or took < best[label][0]:
                    best[label] = (took, dict(phases.seconds))
                pages = len(PdfReader(out).pages)
                facts[label] = (pages, len(content.all_quotes), len(content.sources))
                cli_took = export_by_cli(path, titles[label], folder / f"cli-{out.name}")
                cli[label] = min(cli.get(label, cli_took), cli_took)
                print(f"round {round_ + 1}, {label}: {took:.2f} s in process, "
                      f"{cli_took:.2f} s by the command line", flush=True)  # fmt: skip
        print()
        header = f"{'phase':<16}" + "".join(f"{label:>18}" for label, _ in CASES)
        print(header)
        for phase in PHASES:
            row = "".join(f"{best[label][1].get(phase, 0.0):>17.2f}s" for label, _ in CASES)
            print(f"{phase:<16}{row}")
        print(f"{'total':<16}" + "".join(f"{best[label][0]:>17.2f}s" for label, _ in CASES))
        print(f"{'command line':<16}" + "".join(f"{cli[label]:>17.2f}s" for label, _ in CASES))
        for label, _ in CASES:
            pages, quotes, sources = facts[label]
            print(
                f"{label}: {pages} pages, {quotes} quotes, {sources} sources; "
                f"{best[label][0] / pages * 1000:.0f} ms a page in process, "
                f"{cli[label] / pages * 1000:.0f} ms a page by the command line"
            )
        small, large = (best[label][0] / facts[label][0] for label, _ in CASES)
        cli_small, cli_large = (cli[label] / facts[label][0] for label, _ in CASES)
        print(f"command line: time a page, 40 over 4 stakeholders: {cli_large / cli_small:.2f}")
        print(f"export ratio (time a page, 40 over 4 stakeholders): {large / small:.2f}")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
