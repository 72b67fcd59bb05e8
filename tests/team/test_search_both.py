"""One search suite, two databases: `tests/unit/test_search.py` runs on a store file and on a
team store (PostgreSQL: `tsvector`, GIN), through the fixtures of tests/conftest.py; here the same
queries on the same records give the same hits, snippets and highlights on both.
"""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.core.demo import load_demo
from briefing.core.notes import add_note
from briefing.core.search import SearchFilters, search
from briefing.store import open_store
from briefing.store import team as team_store
from briefing.store.models import Source

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


# -- a search stopped on the server ------------------------------------------------------------


@pytest.fixture
def team_demo(team_stores):
    address = team_stores.new("demo")
    with open_store(address) as store:
        yield store
    team_stores.drop(address)


def test_cancel_stops_a_search_running_on_the_server(team_demo, team_stores, monkeypatch):
    """The team store's side of tests/unit/test_search.py's cancel tests: the window cancels a
    search that is running on the server (psycopg's cancel), and it ends as SearchCancelled."""
    import threading

    from briefing.core.search import Cancellation, SearchCancelled

    def endless(self, session, expression, restrictions, limit):
        return session.connection().exec_driver_sql(
            "SELECT 1, 0.0, NULL, NULL FROM pg_sleep(300) WHERE 'endless search' <> ''"
        )

    monkeypatch.setattr(team_store.TeamSearch, "ranked", endless)
    cancellation = Cancellation()
    outcome: list[str] = []

    def run() -> None:
        with team_demo.reading() as session:
            try:
                search(session, "ibm", cancellation=cancellation)
            except SearchCancelled:
                outcome.append("cancelled")
        with team_demo.reading() as session:  # the store still answers
            outcome.append(str(session.connection().exec_driver_sql("SELECT 42").scalar()))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    running = "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s"
    while not team_stores.admin.execute(running, ("%endless search%",)).fetchone():
        assert worker.is_alive(), outcome
        threading.Event().wait(0.02)  # polls for the statement to start; asserts no time
    cancellation.cancel()
    worker.join(30)
    assert not worker.is_alive()
    assert outcome == ["cancelled", "42"]
