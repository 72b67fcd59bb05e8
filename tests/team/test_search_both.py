"""One search suite, two databases: the search tests of `tests/unit/test_search.py` run again
here on a team store (PostgreSQL: `tsvector`, GIN, `ts_headline`), and the same queries on the
same records give the same hits on both.

The tests taken over are those about what a user finds: the grammar (phrases, OR, NOT,
prefixes), folding, filters, private notes, snippets and highlights, the index following its
records. Those about SQLite itself (FTS5 syntax reaching SQLite, its triggers and migrations,
interrupting a sqlite3 connection, the file left untouched) stay SQLite's.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.core.demo import load_demo
from briefing.core.notes import add_note
from briefing.core.search import SearchFilters, search
from briefing.store import open_store
from briefing.store import team as team_store
from briefing.store.models import Source

_SUITE = Path(__file__).resolve().parent.parent / "unit" / "test_search.py"
_spec = importlib.util.spec_from_file_location("sqlite_search_suite", _SUITE)
suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(suite)

TAKEN_OVER = (
    "test_dialogue_finds_ibms_quote_on_the_demo",
    "test_results_group_by_kind_in_a_fixed_order",
    "test_phrase_prefix_or_and_not_on_the_demo",
    "test_diacritics_and_case_are_folded",
    "test_fragments_still_find_the_words_around_them",
    "test_bad_filters_are_refused_in_words",
    "test_kind_filter",
    "test_stakeholder_filter_covers_their_people_and_records",
    "test_tag_filter_keeps_tagged_kinds_only",
    "test_stance_filter",
    "test_date_range_filter",
    "test_private_notes_in_or_out",
    "test_locate_a_quote_opens_its_speakers_card_and_finds_the_words",
    "test_locate_a_note_and_a_source",
    "test_markdown_snippets_show_words_with_their_matches_marked",
    "test_quote_and_source_snippets_keep_their_characters",
    "test_a_search_cancelled_before_it_starts_does_not_run",
    "test_snippets_do_not_start_or_end_with_white_space",
    "test_every_hit_has_its_snippet_whether_its_matches_are_many_or_few",
)
for _name in TAKEN_OVER:
    globals()[_name] = getattr(suite, _name)


def _team_store(team, seed):
    team_store.setup(team.url(), seed)
    return open_store(team.url())


@pytest.fixture
def demo_store(team):
    with _team_store(team, load_demo) as store:
        yield store


@pytest.fixture
def empty_store(team):
    with _team_store(team, None) as store:
        yield store


@pytest.fixture
def demo_path(tmp_path):
    """The SQLite suite's tests that take a path only check the file is left alone: a team
    store has none, so they get a file nobody opens."""
    path = tmp_path / "untouched"
    path.write_bytes(b"")
    return path


# -- the same hits on both ---------------------------------------------------------------------

QUERIES = (
    "ibm",
    "IBM",
    "facial recognition",
    '"facial recognition"',
    '"recognition facial"',
    "facial-recognition",
    "ban OR moratorium",
    "police NOT ibm",
    "police NOT (ibm OR amazon)",
    "recog*",
    '"national dial"*',
    "surveil*",
    "amazon OR microsoft OR ibm",
    "société",
    "SOCIETE",
    "brad smith",
    "ferrets",
    "rekognition",
    "1.5 million",
    "u.s.",
    "don't",
    "2020",
    "NOT ibm",
    "OR",
    "",
    "\u202eibm\u202c",
    "مرحبا IBM",
    "quokka*",
)
FILTERS = (
    SearchFilters(),
    SearchFilters(kinds=frozenset({"quote"})),
    SearchFilters(kinds=frozenset({"source", "note"})),
    SearchFilters(stakeholder_id=1),
    SearchFilters(stance="opposes"),
    SearchFilters(date_from=dt.date(2020, 6, 1), date_to=dt.date(2020, 6, 30)),
    SearchFilters(include_private=False),
)


def _extra(session) -> None:
    add_note(session, ("stakeholder", 1), "Ferrets and *quokkas*: a plan for Société Générale")
    add_note(session, ("stakeholder", 2), "Private: ask about the ferrets", private=True)
    long_text = "\n\n".join(
        f"Paragraph {n}: the police used facial-recognition {n} times; quokka{n} words."
        for n in range(400)
    )
    session.add(Source(title="A long report", publisher="", author="", url="", kind="report",
                       description="", text=long_text, sha256="0" * 64))  # fmt: skip


@pytest.fixture
def both(team, tmp_path):
    def seed(session):
        load_demo(session)
        session.flush()
        _extra(session)

    sqlite = open_store(tmp_path / "same.sqlite3", seed=seed)
    team_store.setup(team.url(), seed)
    postgres = open_store(team.url())
    yield sqlite, postgres
    sqlite.close()
    postgres.close()


def _found(store, query, filters, as_you_type=False):
    with store.reading() as session:
        hits = search(session, query, filters, limit=100, as_you_type=as_you_type)
    return {
        (hit.kind, hit.id): (
            hit.title,
            hit.at,
            tuple(sorted({hit.snippet[a:b].lower() for a, b in hit.highlights})),
        )
        for hit in hits
    }


def test_the_same_queries_find_the_same_records_on_both(both):
    sqlite, postgres = both
    compared = 0
    for query in QUERIES:
        for filters in FILTERS:
            on_sqlite = _found(sqlite, query, filters)
            on_postgres = _found(postgres, query, filters)
            assert set(on_postgres) == set(on_sqlite), (query, filters)
            for key, (title, at, _words) in on_sqlite.items():
                # Found in a source's text on both (which of its equally good passages opens
                # is the ranking's choice), or by its title on both.
                assert on_postgres[key][0] == title, (query, key)
                assert (on_postgres[key][1] is None) == (at is None), (query, key)
            compared += len(on_sqlite)
        for prefix in range(2, len(query) + 1):
            typed = query[:prefix]
            assert set(_found(postgres, typed, None, True)) == set(
                _found(sqlite, typed, None, True)
            ), typed
    assert compared > 200


def test_highlights_mark_the_words_searched_for(both):
    _sqlite, postgres = both
    for query, words in (
        ("dialogue", {"dialogue"}),
        ('"facial recognition"', {"facial", "recognition"}),
        ("recog*", {"recognition"}),
        ("societe", {"société"}),
    ):
        for _key, (_title, _at, marked) in _found(postgres, query, None).items():
            assert set(marked) <= words, (query, marked)


def test_a_snippet_is_cut_from_one_passage(both):
    _sqlite, postgres = both
    with postgres.reading() as session:
        (hit,) = search(session, "quokka399")
    assert hit.kind == "source" and hit.at is not None and hit.at > 0
    assert len(hit.snippet) < 400 and "quokka399" in hit.snippet


def test_generated_text_never_raises_on_a_team_store(demo_store):
    alphabet = st.sampled_from(
        "\"()*:^-+ NEARORTib\x00\u05d0\u202e\u0301\ufdd0é{}[],.&|!<>'\\"
    ) | st.characters(exclude_categories=("Cs",))
    with demo_store.reading() as session:

        @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
        @given(text=st.text(alphabet, max_size=60), as_you_type=st.booleans())
        def run(text, as_you_type):
            search(session, text.replace("\x00", " "), as_you_type=as_you_type)
            search(session, text, as_you_type=as_you_type)

        run()
