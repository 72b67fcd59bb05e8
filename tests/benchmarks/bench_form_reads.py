"""How long each form's store read takes on the 100,000-quote, 10,000-source store.

    python tests/benchmarks/bench_form_reads.py [STORE]

Forms read what they start from with `StoreRunner.read_now`, which holds back the user's clicks
and keys until it returns; its rule (`ui.store_runner`) allows it only for reads that stay
small whatever the store holds. This times each such read as the window runs it (one read-only
session each, five times, median and worst), on a copy of STORE or of a synthetic store built
first (`synthetic.py`, about a minute). Baseline: an empty read (`SELECT 1`) in the same run.
Target: no form read over 25 ms (a quarter of the window's 100 ms budget for a gap). Prints the
worst read against the target last. Not collected by pytest.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # noqa: E402

from briefing.core import corrections as core  # noqa: E402
from briefing.core import editing, versions  # noqa: E402
from briefing.core.compare import backing_quotes, quote_lines  # noqa: E402
from briefing.core.quotes import speaker_choices  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.store.models import Position, Quote, Stakeholder  # noqa: E402

TARGET_MS = 25


def timed(store, work, rounds: int = 5) -> list[float]:
    times = []
    for _ in range(rounds):
        with store.reading() as s:
            began = time.perf_counter()
            work(s)
            times.append((time.perf_counter() - began) * 1000)
    return times


def compared_quotes(session, stakeholder_id: int, compared: list[int]):
    """The comparison's quote chooser: the cell's backing quotes and the compared ones'."""
    others: set[int] = set()
    for other in compared:
        others |= set(editing.speakers_for(session, other))
    return backing_quotes(session, stakeholder_id), quote_lines(session, others)


def main(argv: list[str]) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-form-reads-"))
    try:
        path = folder / "big.sqlite3"
        if argv:
            shutil.copyfile(argv[0], path)
        else:
            synthetic.main([str(path)])
        store = open_store(path)
        try:
            return run(store)
        finally:
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(store) -> int:
    with store.reading() as s:
        topic = s.scalar(select(Position.topic_id).limit(1))
        sid = s.scalar(
            select(Quote.speaker_id)
            .group_by(Quote.speaker_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        qid = s.scalar(select(Quote.id).where(Quote.source_id.is_not(None)).limit(1))
        src = s.scalar(
            select(Quote.source_id).group_by(Quote.source_id).order_by(func.count().desc()).limit(1)
        )
        name = s.get(Stakeholder, sid).name
        fields = editing.stakeholder_fields(s, sid)
        compared = [
            i
            for (i,) in s.execute(
                select(Position.stakeholder_id).where(Position.topic_id == topic).limit(6)
            )
        ]
    baseline = statistics.median(timed(store, lambda s: s.execute(text("SELECT 1")).all()))
    cases = {
        "stakeholder form: choices (1,000 names)": lambda s: editing.stakeholder_choices(
            s, exclude=sid
        ),
        "stakeholder form: fields + version": lambda s: (
            editing.stakeholder_fields(s, sid),
            versions.current_version(s, "stakeholder", sid),
        ),
        "stakeholder form: problem (each change)": lambda s: editing.check_stakeholder(
            s, fields, sid
        ),
        "stakeholder form: look-alike name (each new name)": lambda s: editing.similar_stakeholder(
            s, name + " x", sid
        ),
        "topic form: name + look-alike": lambda s: (
            editing.check_topic_name(s, "New topic", None),
            editing.similar_topic(s, "New topic", None),
        ),
        "delete stakeholder: consequences": lambda s: (
            editing.stakeholder_fields(s, sid).name,
            editing.deletion_consequences(s, sid),
        ),
        "delete topic: consequences": lambda s: editing.topic_deletion_consequences(s, topic),
        "position form: name, stance, versions": lambda s: (
            editing.stakeholder_fields(s, sid).name,
            editing.latest_stance(s, topic, sid),
            versions.position_versions(s, topic, sid),
        ),
        "add to topic: choices": lambda s: editing.stakeholder_choices(
            s, topic_id=topic, on_topic=False
        ),
        "quote dialogs: speaker choices": lambda s: speaker_choices(s),
        "edit quote: details + version": lambda s: (
            core.quote_details(s, qid),
            versions.current_version(s, "quote", qid),
        ),
        "delete quote: details + dependents": lambda s: (
            core.quote_details(s, qid),
            core.quote_dependents(s, qid),
        ),
        "edit source: details + version": lambda s: (
            core.source_details(s, src),
            versions.current_version(s, "source", src),
        ),
        "delete source: details + dependents": lambda s: (
            core.source_details(s, src),
            core.source_dependents(s, src),
        ),
        "comparison answer form: backing quotes": lambda s: backing_quotes(s, sid),
        "comparison answer form: compared quotes": lambda s: compared_quotes(s, sid, compared),
        "comparison pickers: stakeholders on topic": lambda s: editing.stakeholder_choices(
            s, topic_id=topic, on_topic=True
        ),
    }
    print(f"{'empty read (baseline)':<56} median {baseline:7.2f} ms")
    worst = 0.0
    for what, work in cases.items():
        times = timed(store, work)
        worst = max(worst, max(times))
        print(f"{what:<56} median {statistics.median(times):7.2f} ms, worst {max(times):7.2f} ms")
    print(f"worst form read {worst:.1f} ms ({worst / max(baseline, 0.001):.0f} x the empty read)")
    print(f"against the {TARGET_MS} ms target: ratio {worst / TARGET_MS:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
