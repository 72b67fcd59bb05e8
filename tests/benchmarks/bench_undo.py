"""What recording an edit for undo costs, against the same edit without undo.

Run: PYTHONPATH=. python tests/benchmarks/bench_undo.py
Builds a store with the demo topic plus N stakeholders, each with positions, quotes, answers and
notes, then times deleting a stakeholder (the widest edit: cascades and SET NULLs) and renaming
one (the narrowest), plain and recorded, and restoring it. Prints ratios to the plain edit
measured in the same run, and how many rows each undo snapshot holds.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from briefing.core import editing
from briefing.core.demo import load_demo
from briefing.core.editing import StakeholderFields
from briefing.core.undo import Recorded
from briefing.store import open_store
from briefing.store.models import Answer, Note, Position, Question, Quote, Source, Stakeholder

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
ROUNDS = 20


def build(path: Path) -> None:
    with open_store(path, seed=load_demo) as store, store.writing() as session:
        source = session.get(Source, 1)
        questions = session.query(Question).all()
        for i in range(N):
            person = Stakeholder(name=f"Stakeholder {i}", kind="ngo")
            session.add(person)
            session.flush()
            for day in range(3):
                session.add(
                    Position(
                        stakeholder_id=person.id,
                        topic_id=1,
                        stance="unclear",
                        as_of=dt.date(2020, 1, 1 + day),
                    )
                )
            quote = Quote(source_id=source.id, start=0, end=10, text=source.text[:10])
            quote.speaker_id = person.id
            session.add(quote)
            session.flush()
            for question in questions:
                session.add(
                    Answer(
                        question_id=question.id,
                        stakeholder_id=person.id,
                        answer="yes",
                        quote_id=quote.id,
                    )
                )
            session.add(Note(body="n", stakeholder_id=person.id))


def timed(path: Path, edit, recorded: bool) -> tuple[float, int]:
    total, rows = 0.0, 0
    for round_ in range(ROUNDS):
        copy = path.with_name(f"copy-{recorded}-{round_}.sqlite3")
        shutil.copyfile(path, copy)
        with open_store(copy) as store:
            start = time.perf_counter()
            with store.writing() as session:
                if recorded:
                    rec = Recorded(lambda s, r=round_: edit(s, r))
                    rec.do(session)
                    rows = len(rec._before.rows)  # noqa: SLF001 (measuring the snapshot)
                else:
                    edit(session, round_)
            if recorded:
                with store.writing() as session:
                    rec.undo(session)
            total += time.perf_counter() - start
        copy.unlink()
    return total / ROUNDS, rows


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "bench.sqlite3"
    build(path)
    cases = {
        "delete a stakeholder": lambda s, i: editing.delete_stakeholder(s, 20 + i),
        "rename a stakeholder": lambda s, i: editing.edit_stakeholder(
            s, 20 + i, StakeholderFields(f"Renamed {i}", "ngo")
        ),
    }
    print(f"{N} extra stakeholders, {ROUNDS} rounds")
    for name, edit in cases.items():
        plain, _ = timed(path, edit, False)
        recorded, rows = timed(path, edit, True)
        print(
            f"{name}: recorded + undone / plain = {recorded / plain:.1f}x "
            f"({plain * 1000:.1f} ms plain), snapshot of {rows} rows"
        )
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
