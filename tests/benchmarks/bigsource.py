"""Stores for the big-source and big-topic benchmarks, built through the app's own models.

`build_topic_store(path, stakeholders=10, quotes_each=3, source_bytes=50_000_000)` writes a store
with one topic whose stakeholders each hold a position and `quotes_each` quotes taken at real
offsets from one source of about `source_bytes` of text (paragraphs of sentences with Zipf-like
word frequencies, from `synthetic.Writer`). The text is deterministic: two stores with the same
arguments hold the same words. Not collected by pytest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

from briefing.store import open_store
from briefing.store.models import Position, Quote, Source, Stakeholder, Topic

try:  # run as a script from tests/benchmarks, or imported as a module of the package
    from synthetic import Writer
except ImportError:  # pragma: no cover
    from tests.benchmarks.synthetic import Writer

TOPIC = "Big source topic"


def natural_text(size: int, seed: int = 11) -> str:
    """About `size` characters of paragraphs (blank-line separated) of natural-looking text."""
    rng = random.Random(seed)
    writer = Writer(rng)
    # Writing 50 MB word by word is slow: build a pool of paragraphs and repeat them shuffled.
    pool = [writer.text(rng.randint(40, 160)) for _ in range(400)]
    parts, length = [], 0
    while length < size:
        paragraph = pool[rng.randrange(len(pool))]
        parts.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(parts)[:size]


def build_topic_store(
    path: Path,
    *,
    stakeholders: int = 10,
    quotes_each: int = 3,
    source_bytes: int = 50_000_000,
    seed: int = 11,
) -> Path:
    text = natural_text(source_bytes, seed)
    rng = random.Random(seed)

    def populate(session) -> None:
        topic = Topic(name=TOPIC, description="A topic quoted from one long report.")
        session.add(topic)
        source = Source(
            title="Report of the independent inquiry",
            publisher="Inquiry",
            published=dt.date(2024, 5, 1),
            kind="text",
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        session.add(source)
        session.flush()
        people = [
            Stakeholder(name=f"Stakeholder {n:04d}", kind="company") for n in range(stakeholders)
        ]
        session.add_all(people)
        session.flush()
        topic.stakeholders.extend(people)
        for person in people:
            session.add(
                Position(
                    stakeholder_id=person.id,
                    topic_id=topic.id,
                    stance="opposes",
                    headline="Wants a moratorium on live facial recognition",
                    summary="Opposes **live** facial recognition until a law governs it.",
                    as_of=dt.date(2024, 6, 1),
                )
            )
            for _ in range(quotes_each):
                begin = rng.randrange(0, len(text) - 300)
                while not text[begin].isalpha() or (begin and text[begin - 1] != " "):
                    begin += 1
                end = text.find(" ", begin + 80) if text.find(" ", begin + 80) > 0 else begin + 80
                session.add(
                    Quote(
                        source_id=source.id,
                        start=begin,
                        end=end,
                        text=text[begin:end],
                        speaker_id=person.id,
                        said_on=dt.date(2024, 5, 2),
                    )
                )
        session.flush()

    open_store(path, seed=populate).close()
    return path
