"""Build a large synthetic store for benchmarks: `python tests/benchmarks/synthetic.py OUT.db`.

1,000 stakeholders (each with a position on one of ten topics), 10,000 sources, 100,000 quotes
and 20,000 notes, written through the app's own store code (`open_store` with a seed, the ORM
models, one transaction), so the search index is filled by the same triggers as in real use.
The text is deterministic (a fixed random seed): the same file content every run, apart from the
UUIDs and timestamps the models give each record.

Words follow a Zipf-like distribution over a vocabulary of policy words and made-up words, so
some words are in most records and some in a handful, as in real text. Quotes are taken from
their source's text at real offsets. Not collected by pytest (the name does not start with
`test_`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import random
import sys
import time
from pathlib import Path

from briefing.store import open_store
from briefing.store.models import STANCES, Note, Position, Quote, Source, Stakeholder, Topic

STAKEHOLDERS = 1_000
SOURCES = 10_000
QUOTES = 100_000
NOTES = 20_000
TOPICS = 10
SEED = 20_200_609
CHUNK = 5_000

# Real words, the most frequent first, so that benchmark queries can name words of known rarity.
POLICY_TEXT = """
the of and to in police facial recognition technology data use public rights privacy law
surveillance government officers camera cameras system systems report said would could people
council city force forces evidence court warrant warrants oversight ban moratorium regulation
accuracy bias racial profiling protest protests biometric database watchlist retention consent
audit transparency accountability vendor vendors contract contracts procurement pilot trial
deployment live retrospective identification match matches false positive negative error rates
algorithm algorithms training dataset independent review committee hearing testimony
legislation bill amendment statute ordinance guidance code practice commissioner regulator
tribunal appeal judgment ruling lawful unlawful proportionality necessity safeguards minority
community communities trust harm harms discrimination equality human dignity freedom assembly
expression association dialogue national federal state local agency agencies department home
office minister secretary spokesperson chief executive company companies market exit sales
customers license licensing export controls sanctions journalist journalists newspaper broadcast
interview statement letter open petition campaign coalition charity ngo advocacy lawyers
barristers solicitors academics researchers university study studies paper findings survey poll
"""
POLICY_WORDS = POLICY_TEXT.split()

SYLLABLE_TEXT = "ka lo mi ne su ra te vi do pa ze fo gu li mo na re si tu ve xo ya bi ce"
SYLLABLES = SYLLABLE_TEXT.split()


def vocabulary(rng: random.Random, size: int = 6_000) -> list[str]:
    made_up = set()
    while len(made_up) < size - len(POLICY_WORDS):
        made_up.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return POLICY_WORDS + sorted(made_up)


class Writer:
    """Draws words with Zipf-like frequencies and strings them into sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        self.weights = list(
            itertools.accumulate(1.0 / (rank + 8) for rank in range(len(self.words)))
        )

    def sentence(self, count: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.weights, k=count)
        if self.rng.random() < 0.15:
            words[self.rng.randrange(count)] = "café"  # one accented word, for folding
        return " ".join(words).capitalize() + "."

    def text(self, words: int) -> str:
        sentences, left = [], words
        while left > 0:
            length = min(left, self.rng.randint(8, 24))
            sentences.append(self.sentence(length))
            left -= length
        return " ".join(sentences)


def _date(rng: random.Random) -> dt.date:
    return dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3_650))


def populate(session) -> None:
    rng = random.Random(SEED)
    writer = Writer(rng)
    topics = [
        Topic(name=f"Synthetic topic {n}", description=writer.text(20)) for n in range(TOPICS)
    ]
    session.add_all(topics)
    session.flush()

    stakeholders = [
        Stakeholder(
            name=f"{writer.words[rng.randrange(200, 6_000)].capitalize()} {kind} {n}",
            kind=kind,
            description=writer.text(rng.randint(10, 40)),
        )
        for n, kind in ((n, rng.choice(Stakeholder.KINDS)) for n in range(STAKEHOLDERS))
    ]
    session.add_all(stakeholders)
    session.flush()
    for n, stakeholder in enumerate(stakeholders):
        topic = topics[n % TOPICS]
        topic.stakeholders.append(stakeholder)
        session.add(
            Position(
                stakeholder_id=stakeholder.id,
                topic_id=topic.id,
                stance=rng.choice(STANCES),
                headline=writer.sentence(rng.randint(5, 12)),
                summary=writer.text(rng.randint(30, 80)),
                as_of=_date(rng),
            )
        )
    session.flush()
    stakeholder_ids = [s.id for s in stakeholders]

    source_texts: list[tuple[int, str]] = []
    for start in range(0, SOURCES, CHUNK):
        batch = []
        for n in range(start, min(start + CHUNK, SOURCES)):
            text = writer.text(rng.randint(120, 320))
            batch.append(
                Source(
                    title=writer.sentence(rng.randint(4, 10)).rstrip("."),
                    publisher=f"{writer.words[rng.randrange(100, 600)].capitalize()} Times",
                    author=f"{writer.words[rng.randrange(600, 6_000)].capitalize()} {n}",
                    published=_date(rng),
                    text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                )
            )
        session.add_all(batch)
        session.flush()
        source_texts += [(source.id, source.text) for source in batch]
        session.expunge_all()

    quote_ids: list[int] = []
    for start in range(0, QUOTES, CHUNK):
        batch = []
        for _ in range(start, min(start + CHUNK, QUOTES)):
            source_id, text = source_texts[rng.randrange(SOURCES)]
            begin = rng.randrange(0, max(1, len(text) - 200))
            end = min(len(text), begin + rng.randint(60, 240))
            batch.append(
                Quote(
                    source_id=source_id,
                    start=begin,
                    end=end,
                    text=text[begin:end],
                    speaker_id=rng.choice(stakeholder_ids),
                    said_on=_date(rng) if rng.random() < 0.5 else None,
                    attribution=rng.choice(("direct", "reported")),
                )
            )
        session.add_all(batch)
        session.flush()
        quote_ids += [quote.id for quote in batch]
        session.expunge_all()

    for start in range(0, NOTES, CHUNK):
        batch = []
        for _ in range(start, min(start + CHUNK, NOTES)):
            target = rng.random()
            note = Note(body=writer.text(rng.randint(15, 70)), private=rng.random() < 0.2)
            if target < 0.5:
                note.stakeholder_id = rng.choice(stakeholder_ids)
            elif target < 0.8:
                note.quote_id = rng.choice(quote_ids)
            else:
                note.source_id = source_texts[rng.randrange(SOURCES)][0]
            batch.append(note)
        session.add_all(batch)
        session.flush()
        session.expunge_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the store file to create (must not exist)")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"{args.out} exists; choose a new file")
    began = time.perf_counter()
    open_store(args.out, seed=populate).close()
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.0f} MB) in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
