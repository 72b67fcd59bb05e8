"""Benchmark: share the 100,000-quote store's largest topic as a pack and import it elsewhere.

Not part of the default test run. Run it with

    python tests/benchmarks/bench_packs.py [STORE]

STORE is a store built by `tests/benchmarks/synthetic.py` (1,000 stakeholders, 10,000 sources,
100,000 quotes, 20,000 notes over ten topics); without it one is built in a temporary folder
first (a few minutes). The largest topic is the one whose stakeholders speak the most quotes.

Cases, each the best of three:

- backup: copying the whole store file with SQLite's backup API (the baseline: what it costs to
  hand someone everything);
- export: `pack export` of the largest topic (collecting its records, the zip, the rename);
- import into an empty store: reading and checking the pack (zip limits, JSON, sha256 of every
  source), then merging it in one transaction, after the store's backup;
- import again: the same pack into the store that already holds it (every record skipped);
- dry run into the store it came from (every record matched by UUID).

It prints each case's time and its ratio to the backup, and, last, `pack ratio: X.XX`:
export plus import into an empty store, over the backup.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from briefing.core import packs
from briefing.core.pack_format import read_pack
from briefing.store import open_store
from briefing.store.models import Quote, Topic, topic_stakeholders

ROUNDS = 3


def best(run, rounds: int = ROUNDS) -> tuple[float, object]:
    times, result = [], None
    for round_ in range(rounds):
        start = time.perf_counter()
        result = run(round_)
        times.append(time.perf_counter() - start)
    return min(times), result


def largest_topic(store) -> tuple[int, str, int]:
    with store.reading() as session:
        rows = session.execute(
            select(Topic.id, Topic.name, func.count(Quote.id))
            .join(topic_stakeholders, topic_stakeholders.c.topic_id == Topic.id)
            .join(Quote, Quote.speaker_id == topic_stakeholders.c.stakeholder_id)
            .group_by(Topic.id)
            .order_by(func.count(Quote.id).desc())
        ).all()
    return rows[0]


def backup_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    origin = sqlite3.connect(source)
    copy = sqlite3.connect(target)
    with copy:
        origin.backup(copy)
    copy.close()
    origin.close()


def main(argv: list[str]) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-packs-"))
    try:
        if argv:
            store_path = Path(argv[0])
        else:
            store_path = work / "synthetic.sqlite3"
            script = Path(__file__).with_name("synthetic.py")
            subprocess.run([sys.executable, str(script), str(store_path)], check=True)
        size = store_path.stat().st_size / 1e6
        with open_store(store_path) as store:
            topic_id, name, quotes = largest_topic(store)
            print(f"store: {store_path} ({size:.0f} MB); largest topic: {name} ({quotes:,} quotes)")

            backup_time, _ = best(lambda r: backup_copy(store_path, work / "copy.sqlite3"))

            out = work / "topic.briefingpack"

            def export(_round):
                with store.reading() as session:
                    return packs.export_pack(session, out, topic_id=topic_id)

            export_time, exported = best(export)
            counts = exported.counts
            print(
                f"pack: {out.stat().st_size / 1e6:.1f} MB, {counts['stakeholders']:,} "
                f"stakeholders, {counts['sources']:,} sources, {counts['quotes']:,} quotes, "
                f"{counts['notes']:,} notes, {counts['positions']:,} positions"
            )

            read_time, _ = best(lambda r: read_pack(out))

            def into_empty(round_):
                target = work / f"empty-{round_}.sqlite3"
                with open_store(target) as empty:
                    return packs.import_pack(empty, out)

            import_time, report = best(into_empty)
            assert report.total_added > 0 and not report.conflicts, report.conflicts[:3]
            print(f"import added: {packs_words(report.added)}")

            def again(_round):
                with open_store(work / "empty-0.sqlite3") as full:
                    return packs.import_pack(full, out)

            again_time, again_report = best(again)
            assert again_report.added == {}, again_report.added

            def dry_run_home(_round):
                return packs.import_pack(store, out, dry_run=True)

            home_time, home = best(dry_run_home)
            assert home.added == {} and not home.conflicts

        def line(label: str, seconds: float) -> None:
            print(f"{label:<44} {seconds:8.2f} s   {seconds / backup_time:6.2f} x backup")

        line("backup API copy of the whole store (baseline)", backup_time)
        line("export (pack export)", export_time)
        line("import into an empty store", import_time)
        line("  of which reading and checking the pack", read_time)
        line("import the same pack again (all skipped)", again_time)
        line("dry run into the store it came from", home_time)
        print(f"pack ratio: {(export_time + import_time) / backup_time:.2f}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def packs_words(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
