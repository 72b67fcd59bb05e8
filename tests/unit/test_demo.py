"""The demo briefing: verbatim quotes at their offsets, and the story the seed report tells."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from briefing.core.demo import DemoDataError, demo_path, load_demo, read_dataset, read_source_text
from briefing.core.verify import verify_quote
from briefing.store import open_store
from briefing.store.models import Answer, Event, Position, Question, Quote, Source, Stakeholder

pytestmark = pytest.mark.both_databases

SEED_SHA256 = "be9e4dc768df79d415096ed0341bda8126feee2a78ebeeb3b03a73d1d86c95c8"


@pytest.fixture(scope="module")
def dataset():
    return read_dataset()


@pytest.fixture(scope="module")
def source_text(dataset):
    return read_source_text(demo_path().parent / dataset["sources"][0]["file"])


def test_seed_source_is_stored_byte_for_byte(source_text):
    assert hashlib.sha256(source_text.encode("utf-8")).hexdigest() == SEED_SHA256
    assert len(source_text) == 4640
    assert len(source_text.encode("utf-8")) == 4694
    assert source_text.startswith(" date 2020-06-09")


def test_every_demo_quote_is_the_source_text_at_its_offsets(dataset, source_text):
    quotes = dataset["quotes"]
    assert len(quotes) >= 12
    for quote in quotes:
        assert source_text[quote["start"] : quote["end"]] == quote["text"], quote["key"]


def test_every_stored_quote_matches_its_stored_source(demo_store):
    with demo_store.reading() as session:
        rows = session.execute(select(Quote, Source).join(Source)).all()
        assert len(rows) >= 12
        for quote, source in rows:
            assert source.text[quote.start : quote.end] == quote.text
            assert verify_quote(quote.text, source.text, quote.start, quote.end).status == "exact"
            assert hashlib.sha256(source.text.encode()).hexdigest() == source.sha256


def test_the_demo_covers_the_stakeholders_the_report_names(demo_store):
    required = {
        "IBM": "company",
        "Microsoft": "company",
        "Amazon": "company",
        "ACLU": "ngo",
        "Liberty": "ngo",
        "Amnesty International": "ngo",
        "Metropolitan Police": "police",
        "Information Commissioner": "regulator",
    }
    with demo_store.reading() as session:
        kinds = dict(session.execute(select(Stakeholder.name, Stakeholder.kind)).all())
        with_position = set(session.scalars(select(Stakeholder.name).join(Position)).all())
        parents = dict(
            session.execute(
                select(Stakeholder.name, Stakeholder.parent_id).where(
                    Stakeholder.parent_id.is_not(None)
                )
            ).all()
        )
        ibm_id = session.scalar(select(Stakeholder.id).where(Stakeholder.name == "IBM"))
    for name, kind in required.items():
        assert kinds.get(name) == kind, name
        assert name in with_position, f"{name} has no position"
    assert parents["Arvind Krishna"] == ibm_id


def test_questions_have_answers_backed_by_quotes_of_the_right_speaker(demo_store):
    with demo_store.reading() as session:
        questions = session.scalars(select(Question)).all()
        assert len(questions) >= 3
        backed = 0
        for answer in session.scalars(select(Answer)):
            if answer.quote is None:
                continue
            backed += 1
            speaker = answer.quote.speaker
            assert answer.stakeholder_id in (speaker.id, speaker.parent_id), answer.id
        assert backed >= 3
        for question in questions:
            assert any(a.quote_id for a in question.answers), question.text


def test_the_dated_events_of_the_report(demo_store):
    with demo_store.reading() as session:
        events = {(e.occurred_on.isoformat(), e.precision) for e in session.scalars(select(Event))}
    assert ("2018-01-01", "year") in events  # Amazon's doorbell patent
    assert ("2019-09-01", "month") in events  # Brad Smith's interview
    assert ("2020-02-01", "month") in events  # the Met's Stratford trial
    assert ("2020-06-08", "day") in events  # IBM's letter to Congress


def test_a_dataset_with_a_misquote_is_refused(tmp_path):
    broken = tmp_path / "demo"
    broken.mkdir()
    original = demo_path()
    for file in original.parent.iterdir():
        (broken / file.name).write_bytes(file.read_bytes())
    toml = broken / original.name
    text = toml.read_text(encoding="utf-8")
    first_start = text.index("\nstart = ") + len("\nstart = ")
    number_end = text.index("\n", first_start)
    shifted = int(text[first_start:number_end]) + 1
    toml.write_text(text[:first_start] + str(shifted) + text[number_end:], encoding="utf-8")

    with pytest.raises(DemoDataError, match="is not the source's text"):
        open_store(tmp_path / "store.sqlite3", seed=lambda s: load_demo(s, toml))
    assert not (tmp_path / "store.sqlite3").exists()
