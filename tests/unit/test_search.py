"""Search: the query grammar, the FTS5 index and its triggers, filters, and bad input."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from briefing.core.search import (
    MAX_TERMS,
    SearchFilters,
    group_by_kind,
    parse_query,
    search,
    split_marks,
)
from briefing.core.search_open import locate
from briefing.errors import InputError
from briefing.store import migrations, open_store
from briefing.store.database import APPLICATION_ID, _make_engine
from briefing.store.models import (
    Note,
    Position,
    Quote,
    Source,
    SourcePassage,
    Stakeholder,
    Tag,
    Topic,
)
from briefing.store.search_index import INDEXED_TABLES, MARK_END, MARK_START, SEARCH_TABLE

pytestmark = pytest.mark.both_databases

FRAGMENTS = [
    '"',
    '""',
    '"""',
    "(",
    ")",
    "((",
    "NEAR(",
    "NEAR(a b",
    "NEAR(ibm, 5)",
    "col:",
    "title:",
    "body:ibm",
    "{title body}: ibm",
    "-title:ibm",
    "^",
    "^ibm",
    "*",
    "**",
    "ibm**",
    "* ibm",
    "AND",
    "OR",
    "NOT",
    "NOT NOT",
    "ibm OR",
    "OR ibm",
    "ibm NOT",
    "ibm AND OR NOT amazon",
    "+",
    "ibm + amazon",
    ":",
    "'",
    "\\",
    "\x00",
    "ibm\x00amazon",
    "\u202eibm\u202c",
    "שלום עולם",
    "مرحبا بالعالم IBM",
    "\u0301",
    "e\u0301",
    "\ufdd0ibm\ufdd1",
    "\ufeff",
    "🙂",
    "ibm" * 3334,
    " ".join(["ibm"] * 5000),
    "a" * 10_000,
    '"' * 10_000,
    "(" * 10_000,
    "x " * 5000,
]


def fts(text: str, **kwargs) -> str:
    return parse_query(text, **kwargs).fts()


# -- the grammar -------------------------------------------------------------------------------


def test_plain_words_are_all_required_and_quoted():
    assert fts("national dialogue") == '(("national") AND ("dialogue"))'


def test_phrases_or_not_and_prefixes():
    assert fts('"national dialogue"') == '(("national dialogue"))'
    assert fts("police OR law enforcement") == '(("police" OR "law") AND ("enforcement"))'
    assert fts("ibm NOT amazon") == '(("ibm")) NOT ("amazon")'
    assert fts("dialog*") == '(("dialog"*))'
    assert fts('"national dial"*') == '(("national dial"*))'


def test_operators_without_two_terms_and_lowercase_ones_are_words():
    assert fts("NOT ibm") == '(("NOT") AND ("ibm"))'
    assert fts("ibm OR") == '(("ibm") AND ("OR"))'
    assert fts("ibm or amazon") == '(("ibm") AND ("or") AND ("amazon"))'


def test_syntax_of_fts5_is_searched_as_words():
    assert fts("NEAR(ibm amazon)") == '(("NEAR") AND ("ibm") AND ("amazon"))'
    assert fts("title:ibm") == '(("title") AND ("ibm"))'
    assert fts("^ibm") == '(("ibm"))'
    assert fts('ibm "unbalanced') == '(("ibm") AND ("unbalanced"))'
    assert fts("*") == fts("^") == fts('"') == fts("(") == ""


def test_words_joined_by_punctuation_are_a_phrase():
    assert fts("facial-recognition") == '(("facial recognition"))'
    assert fts("don't") == '(("don t"))'


def test_as_you_type_makes_the_last_word_a_prefix_once_it_has_two_letters():
    assert fts("national dia", as_you_type=True) == '(("national") AND ("dia"*))'
    assert fts("national d", as_you_type=True) == '(("national") AND ("d"))'
    assert fts("national dia ", as_you_type=True) == '(("national") AND ("dia"))'
    assert fts('"national dia"', as_you_type=True) == '(("national dia"))'


def test_long_queries_keep_their_first_terms():
    parsed = parse_query(" ".join(f"w{i}" for i in range(500)))
    assert sum(len(clause.terms) for clause in parsed.clauses) == MAX_TERMS


def test_split_marks_gives_plain_text_and_spans():
    marked = f"a {MARK_START}national{MARK_END} {MARK_START}dialogue{MARK_END}."
    assert split_marks(marked) == ("a national dialogue.", ((2, 10), (11, 19)))
    assert split_marks(f"{MARK_END}x{MARK_START}y") == ("xy", ((1, 2),))


# -- the demo ----------------------------------------------------------------------------------


def test_dialogue_finds_ibms_quote_on_the_demo(demo_store):
    with demo_store.reading() as session:
        hits = search(session, "dialogue")
        quote = session.scalars(select(Quote).where(Quote.text.contains("national dialogue")))
        quote_ids = {q.id for q in quote}
    quotes = [hit for hit in hits if hit.kind == "quote"]
    assert quotes and quotes[0].title in ("IBM", "Arvind Krishna")
    assert any(hit.title == "IBM" for hit in quotes)
    assert {hit.id for hit in quotes} <= quote_ids
    first = quotes[0]
    start, end = first.highlights[0]
    assert first.snippet[start:end].lower() == "dialogue"


def test_results_group_by_kind_in_a_fixed_order(demo_store):
    with demo_store.reading() as session:
        hits = search(session, "IBM")
    groups = group_by_kind(hits)
    kinds = [kind for kind, _ in groups]
    assert kinds == [
        k for k in ("stakeholder", "position", "quote", "source", "note") if k in kinds
    ]
    assert kinds[0] == "stakeholder" and groups[0][1][0].title == "IBM"
    assert sum(len(found) for _, found in groups) == len(hits)


def test_phrase_prefix_or_and_not_on_the_demo(demo_store):
    with demo_store.reading() as session:

        def titles(query, kind="quote"):
            found = search(session, query, SearchFilters(kinds=frozenset({kind})))
            return {hit.title for hit in found}

        assert "IBM" in titles('"national dialogue"')
        assert titles('"dialogue national"') == set()
        assert "IBM" in titles("dialog*")
        assert titles("dialog") == set()
        both = titles("dialogue OR warrant")
        assert titles("dialogue") | titles("warrant") == both
        assert titles("dialogue NOT pulling") == titles("dialogue") - {"IBM"}


def test_diacritics_and_case_are_folded(empty_store):
    with empty_store.writing() as session:
        session.add(Stakeholder(name="Société Générale", kind="company", description="Banque"))
    with empty_store.reading() as session:
        assert [hit.title for hit in search(session, "SOCIETE generale")] == ["Société Générale"]
        assert [hit.title for hit in search(session, "socié*")] == ["Société Générale"]


# -- bad input: never an error, never a change ---------------------------------------------------


@pytest.mark.parametrize("as_you_type", [False, True])
def test_fts5_fragments_never_raise_or_change_the_store(
    demo_store, demo_path, as_you_type, store_rows
):
    before = store_rows(demo_path)
    with demo_store.reading() as session:
        for fragment in FRAGMENTS:
            search(session, fragment, as_you_type=as_you_type)
            search(session, f"ibm {fragment} amazon", as_you_type=as_you_type)
            search(session, f'"{fragment}', as_you_type=as_you_type)
    assert store_rows(demo_path) == before


def test_fragments_still_find_the_words_around_them(demo_store):
    with demo_store.reading() as session:
        # Fragments with no letters add nothing; "col:" and "NEAR(" add the words col and NEAR.
        for fragment in ("^", "*", '"', "(", ")", "\x00", ":", "{", "+", "\u202e"):
            hits = search(session, f"{fragment}dialogue{fragment}")
            assert any(hit.title == "IBM" for hit in hits), fragment


def test_generated_text_never_raises_or_changes_the_store(demo_store, demo_path, store_rows):
    before = store_rows(demo_path)
    alphabet = (
        # FTS5's syntax, and tsquery's (& | ! <-> ' \\) for a team store
        st.sampled_from("\"()*:^-+ NEARORTib\x00\u05d0\u202e\u0301\ufdd0é{}[],.&|!<>'\\")
        | st.characters()
    )

    with demo_store.reading() as session:

        @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
        @given(text=st.text(alphabet, max_size=60), as_you_type=st.booleans())
        def run(text, as_you_type):
            hits = search(session, text, as_you_type=as_you_type)
            for hit in hits:
                assert MARK_START not in hit.snippet and MARK_END not in hit.snippet

        run()
    assert store_rows(demo_path) == before


def test_generated_expressions_are_valid_fts5():
    """Whatever the text, FTS5 accepts what the grammar writes (checked without the engine)."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61')")
    connection.execute("INSERT INTO t VALUES ('some words')")

    @settings(max_examples=500, deadline=None)
    @given(text=st.text(max_size=80))
    def run(text):
        expression = fts(text, as_you_type=True)
        if expression:
            connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()

    run()


@pytest.mark.parametrize(
    "filters, limit, message",
    [
        (SearchFilters(kinds=frozenset({"stakeholders"})), 10, "unknown kind"),
        (SearchFilters(stance="against"), 10, "unknown stance"),
        (
            SearchFilters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2020, 1, 1)),
            10,
            "ends before it starts",
        ),
        (SearchFilters(), 0, "limit"),
        (SearchFilters(), 100_000, "limit"),
    ],
)
def test_bad_filters_are_refused_in_words(
    demo_store, demo_path, filters, limit, message, store_rows
):
    before = store_rows(demo_path)
    with pytest.raises(InputError, match=message), demo_store.reading() as session:
        search(session, "ibm", filters, limit=limit)
    assert store_rows(demo_path) == before


# -- filters -----------------------------------------------------------------------------------


def test_kind_filter(demo_store):
    with demo_store.reading() as session:
        hits = search(session, "ibm", SearchFilters(kinds=frozenset({"source", "note"})))
    assert hits and {hit.kind for hit in hits} <= {"source", "note"}


def test_stakeholder_filter_covers_their_people_and_records(demo_store):
    with demo_store.reading() as session:
        ibm = session.scalars(select(Stakeholder).where(Stakeholder.name == "IBM")).one()
        hits = search(session, "facial", SearchFilters(stakeholder_id=ibm.id), limit=200)
        everything = search(session, "facial", limit=200)
    assert hits and len(hits) < len(everything)
    titles = {hit.title for hit in hits if hit.kind == "quote"}
    assert titles <= {"IBM", "Arvind Krishna"} and "Arvind Krishna" in titles


def test_tag_filter_keeps_tagged_kinds_only(demo_store):
    with demo_store.reading() as session:
        hits = search(session, "facial OR police OR ibm", SearchFilters(tag="Market Exit"))
        tagged = set(
            session.scalars(select(Quote.id).join(Quote.tags).where(Tag.name == "market exit"))
        )
    assert hits and all(hit.kind == "quote" and hit.id in tagged for hit in hits)


def test_stance_filter(demo_store):
    with demo_store.reading() as session:
        hits = search(session, "facial OR recognition", SearchFilters(stance="supports"), limit=500)
        supporters = set(
            session.scalars(
                select(Stakeholder.name)
                .join(Position, Position.stakeholder_id == Stakeholder.id)
                .where(Position.stance == "supports")
            )
        )
    stakeholders = {hit.title for hit in hits if hit.kind == "stakeholder"}
    assert stakeholders <= supporters
    assert all(": " in hit.title for hit in hits if hit.kind == "position")


def test_date_range_filter(demo_store):
    with demo_store.reading() as session:
        day = search(
            session,
            "ibm",
            SearchFilters(
                kinds=frozenset({"quote"}),
                date_from=dt.date(2020, 6, 8),
                date_to=dt.date(2020, 6, 8),
            ),
        )
        later = search(session, "ibm", SearchFilters(date_from=dt.date(2030, 1, 1)))
    assert day and all(hit.detail.endswith("2020-06-08") for hit in day)
    assert later == []  # nothing is dated after 2030, and no note was edited then


def test_private_notes_in_or_out(empty_store):
    with empty_store.writing() as session:
        ngo = Stakeholder(name="Open Rights Group", kind="ngo")
        session.add(ngo)
        session.flush()
        session.add_all(
            [
                Note(body="shared plan about ferrets", stakeholder_id=ngo.id),
                Note(body="private plan about ferrets", stakeholder_id=ngo.id, private=True),
            ]
        )
    with empty_store.reading() as session:
        everything = search(session, "ferrets")
        public = search(session, "ferrets", SearchFilters(include_private=False))
    assert sorted(hit.private for hit in everything) == [False, True]
    assert [hit.snippet for hit in public] == ["shared plan about ferrets"]
    assert [hit.title for hit in public] == ["Note on Open Rights Group"]


# -- the index keeps in step with the records --------------------------------------------------


def index_rows(store) -> int:
    """Rows of the search index; on a team store private notes' rows are in `search_private`
    (0015), counted too (as the owner, who reads them while maintaining the schema)."""
    with store.engine.begin() as connection:
        count = connection.exec_driver_sql(f"SELECT count(*) FROM {SEARCH_TABLE}").scalar()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL briefing.maintenance = 'on'")
            count += connection.exec_driver_sql("SELECT count(*) FROM search_private").scalar()
        return count


def titles(store, query: str) -> list[tuple[str, str]]:
    with store.reading() as session:
        return sorted((hit.kind, hit.title) for hit in search(session, query, limit=100))


def test_triggers_follow_insert_update_and_delete(empty_store):
    store = empty_store
    with store.writing() as session:
        topic = Topic(name="Protest policing")
        liberty = Stakeholder(name="Liberty", kind="ngo", description="Defends kettled marchers")
        session.add_all([topic, liberty])
        session.flush()
        source = Source(title="Kettling report", text="Officers kettled the march.", sha256="x")
        session.add(source)
        session.flush()
        position = Position(
            stakeholder_id=liberty.id,
            topic_id=topic.id,
            stance="opposes",
            headline="Against kettling",
            as_of=dt.date(2024, 1, 1),
        )
        quote = Quote(source_id=source.id, start=0, end=8, text="Officers", speaker_id=liberty.id)
        session.add_all([position, quote])
        session.flush()
        session.add(Note(body="Ask about kettling numbers", quote_id=quote.id))
    assert titles(store, "kettl*") == [
        ("note", "Note on a quote by Liberty"),
        ("position", "Liberty: Against kettling"),
        ("source", "Kettling report"),
        ("stakeholder", "Liberty"),
    ]
    assert [kind for kind, _ in titles(store, "officers")] == ["quote", "source"]

    with store.writing() as session:
        session.get(Stakeholder, liberty.id).description = "Defends protesters"
        session.get(Position, position.id).headline = "Against containment"
        session.get(Source, source.id).title = "Containment report"
    assert titles(store, "kettl*") == [
        ("note", "Note on a quote by Liberty"),
        ("source", "Containment report"),  # its text still says kettled
    ]
    assert titles(store, "containment") == [
        ("position", "Liberty: Against containment"),
        ("source", "Containment report"),
    ]

    with store.writing() as session:
        session.delete(session.get(Quote, quote.id))  # its note goes with it (cascade)
    assert titles(store, "officers") == [("source", "Containment report")]
    assert titles(store, "numbers") == []

    with store.writing() as session:
        session.delete(session.get(Stakeholder, liberty.id))  # cascades to the position
    assert titles(store, "containment") == [("source", "Containment report")]
    assert index_rows(store) == 2  # the source's facts, and its text's one passage
    _check_integrity(store)


def test_a_failed_change_leaves_the_index_as_it_was(empty_store):
    with empty_store.writing() as session:
        session.add(Stakeholder(name="Big Brother Watch", kind="ngo"))
    with pytest.raises(IntegrityError), empty_store.writing() as session:
        session.add(Stakeholder(name="Watchers", kind="ngo"))
        session.flush()
        session.add(Stakeholder(name="Big Brother Watch", kind="ngo"))  # duplicate: rolls back
    assert titles(empty_store, "watch*") == [("stakeholder", "Big Brother Watch")]
    _check_integrity(empty_store)


def _check_integrity(store) -> None:
    """FTS5's own check of its index. (A team store's index is a table of rows with a GIN
    index, kept by triggers: the counts and searches around each check are its check.)"""
    with store.engine.begin() as connection:
        if connection.dialect.name != "sqlite":
            return
        connection.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('integrity-check')"
        )


def test_the_demo_is_fully_indexed(demo_store):
    with demo_store.reading() as session:
        expected = sum(
            len(session.scalars(select(model.id)).all())
            for model in (Stakeholder, Position, Source, Quote, Note, SourcePassage)
        )
    assert index_rows(demo_store) == expected
    _check_integrity(demo_store)


@pytest.mark.sqlite_only("SQLite's batch migrations rebuild tables and drop their triggers")
def test_every_indexed_table_keeps_its_triggers(empty_store):
    """A later migration that rebuilds one of these tables (batch mode) drops its triggers;
    this fails until that migration creates them again."""
    with empty_store.engine.connect() as connection:
        triggers = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    for table in INDEXED_TABLES.values():
        for event in ("insert", "update", "delete"):
            assert f"search_{table}_{event}" in triggers


def test_upgrading_a_first_migration_store_indexes_its_records(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = _make_engine(path)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        migrations.upgrade(connection, migrations.first_revision())
        connection.exec_driver_sql(
            "INSERT INTO stakeholders (uuid, name, kind, description, created_at, updated_at)"
            " VALUES ('u-1', 'Statewatch', 'ngo', 'Monitors surveillance', '2024-01-01',"
            " '2024-01-01')"
        )
    engine.dispose()
    with open_store(path) as store:
        assert titles(store, "surveillance") == [("stakeholder", "Statewatch")]


# -- opening a hit -----------------------------------------------------------------------------


def test_locate_a_quote_opens_its_speakers_card_and_finds_the_words(demo_store):
    with demo_store.reading() as session:
        hit = next(h for h in search(session, "dialogue") if h.kind == "quote")
        topic_id = session.scalars(select(Topic.id)).first()
        where = locate(session, "quote", hit.id, topic_id)
        quote = session.get(Quote, hit.id)
        speaker = session.get(Stakeholder, quote.speaker_id)
    assert where.topic_id == topic_id
    assert where.cards[0] == speaker.id
    assert where.find_text == quote.text


def test_locate_a_note_and_a_source(demo_store):
    with demo_store.reading() as session:
        note = next(h for h in search(session, "dialogue") if h.kind == "note")
        where = locate(session, "note", note.id, None)
        assert where.cards and where.topic_id is not None and where.find_text
        source = next(h for h in search(session, "dialogue") if h.kind == "source")
        assert locate(session, "source", source.id, None).source_id == source.id
        with pytest.raises(InputError):
            locate(session, "planet", 1, None)


# -- snippets read as words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Ask about a **moratorium** first", "Ask about a moratorium first"),
        ("# Plan\n\n- call *IBM* about the moratorium", "Plan call IBM about the moratorium"),
        ("> They said [a moratorium](https://example.org/m) `now`", "They said a moratorium now"),
        ("1. ~~no~~ ***moratorium*** __yet__", "no moratorium yet"),
        ("see <https://example.org/moratorium>", "see https://example.org/moratorium"),
        ("a moratorium_plan stays, 5 \\* 3 too", "a moratorium_plan stays, 5 * 3 too"),
        (
            "[read this](https://example.org/moratorium)",
            "read this (https://example.org/moratorium)",
        ),
    ],
)
def test_markdown_snippets_show_words_with_their_matches_marked(empty_store, body, expected):
    with empty_store.writing() as session:
        ngo = Stakeholder(name="Open Rights Group", kind="ngo")
        topic = Topic(name="Cameras")
        session.add_all([ngo, topic])
        session.flush()
        session.add(Note(body=body, stakeholder_id=ngo.id))
        session.add(
            Position(
                stakeholder_id=ngo.id,
                topic_id=topic.id,
                stance="opposes",
                summary=body,
                as_of=dt.date(2024, 1, 1),
            )
        )
    with empty_store.reading() as session:
        hits = search(session, "moratorium")
    assert sorted(hit.kind for hit in hits) == ["note", "position"]
    for hit in hits:
        assert hit.snippet == expected
        assert [hit.snippet[a:b].lower() for a, b in hit.highlights] == ["moratorium"]


def test_quote_and_source_snippets_keep_their_characters(empty_store):
    with empty_store.writing() as session:
        session.add(
            Source(title="Report", text="A *starred* moratorium_note, as printed.", sha256="x")
        )
    with empty_store.reading() as session:
        (hit,) = search(session, "moratorium")
    assert hit.snippet == "A *starred* moratorium_note, as printed."


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.text(alphabet="*_`#>[]()!-~ \nab1.:/", max_size=30),
    after=st.text(alphabet="*_`#>[]()!-~ \nab1.:/", max_size=30),
)
def test_stripping_markdown_keeps_every_highlight_on_its_word(before, after):
    from briefing.core.search import plain_words

    marked = f"{before}{MARK_START}zebra{MARK_END}{after}"
    snippet, spans = split_marks(plain_words(marked))
    assert [snippet[a:b] for a, b in spans] == ["zebra"]


# -- stopping a search that nobody waits for any more --------------------------------------------

ENDLESS = (
    "WITH RECURSIVE n(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
)


def endless_rows(started):
    """A stand-in for the ranking query that runs until SQLite is interrupted; `started` is set
    from inside the running statement, so a cancel after it cannot fall between statements."""

    def rows(session, expression, filters, limit):
        connection = session.connection()
        connection.connection.driver_connection.create_function(
            "started", 0, lambda: started.set() or 1
        )
        return connection.exec_driver_sql(ENDLESS).all()

    return rows


@pytest.mark.sqlite_only(
    "a stand-in ranking made endless by a sqlite3 function (a team store's: tests/team)"
)
def test_cancel_interrupts_a_running_search_from_another_thread(demo_store, monkeypatch):
    import threading

    from briefing.core import search as search_module
    from briefing.core.search import Cancellation, SearchCancelled

    started = threading.Event()
    monkeypatch.setattr(search_module, "_search_rows", endless_rows(started))
    cancellation = Cancellation()
    outcome: list[str] = []

    def run() -> None:
        with demo_store.reading() as session:
            try:
                search(session, "ibm", cancellation=cancellation)
            except SearchCancelled:
                outcome.append("cancelled")
            # The connection is still good for the next statement on it.
            outcome.append(str(session.connection().exec_driver_sql("SELECT 42").scalar()))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert started.wait(10)
    cancellation.cancel()
    worker.join(30)
    assert not worker.is_alive()
    assert outcome == ["cancelled", "42"]


@pytest.mark.sqlite_only(
    "a stand-in ranking made endless by a sqlite3 function (a team store's: tests/team)"
)
def test_cancel_stops_a_ranking_run_on_the_driver_connection(demo_store, monkeypatch):
    # The unfiltered ranking runs on the session's sqlite3 connection, whose interruption is
    # SQLite's own error (not SQLAlchemy's): it too ends as SearchCancelled.
    import threading

    from briefing.core import search as search_module
    from briefing.core.search import Cancellation, SearchCancelled

    started = threading.Event()
    endless = (
        "WITH RECURSIVE n(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM n)"
        " SELECT x, 0.0, NULL, NULL FROM n WHERE ? IS NOT NULL AND ? > 0 AND x < 0"
    )
    monkeypatch.setattr(search_module, "_UNFILTERED_SQL", endless)
    cancellation = Cancellation()
    outcome: list[str] = []

    def run() -> None:
        with demo_store.reading() as session:
            session.connection().connection.driver_connection.create_function(
                "started", 0, lambda: started.set() or 1
            )
            try:
                search(session, "ibm", cancellation=cancellation)
            except SearchCancelled:
                outcome.append("cancelled")
            outcome.append(str(session.connection().exec_driver_sql("SELECT 42").scalar()))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert started.wait(10)
    cancellation.cancel()
    worker.join(30)
    assert not worker.is_alive()
    assert outcome == ["cancelled", "42"]


def test_a_search_cancelled_before_it_starts_does_not_run(demo_store):
    from briefing.core.search import Cancellation, SearchCancelled

    cancellation = Cancellation()
    cancellation.cancel()
    with demo_store.reading() as session, pytest.raises(SearchCancelled):
        search(session, "ibm", cancellation=cancellation)
    with demo_store.reading() as session:  # without a cancellation, nothing changes
        assert search(session, "ibm", cancellation=Cancellation())


def test_snippets_do_not_start_or_end_with_white_space(empty_store):
    with empty_store.writing() as session:
        session.add(Source(title="Minutes", text="\n\n  Kettling was discussed.\n\n", sha256="x"))
    with empty_store.reading() as session:
        (hit,) = search(session, "kettling")
    assert hit.snippet == "Kettling was discussed."
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["Kettling"]


@pytest.mark.parametrize("limit", [3, 50])
def test_every_hit_has_its_snippet_whether_its_matches_are_many_or_few(empty_store, limit):
    # 40 notes: with limit 3 the ranking stops before the last match (snippets are then read by
    # rowid), with limit 50 it reads them all (snippets in one walk of the matches).
    with empty_store.writing() as session:
        ngo = Stakeholder(name="Netpol", kind="ngo")
        session.add(ngo)
        session.flush()
        session.add_all(
            Note(
                body=f"Minute {n}: the **kettling** of marchers",
                private=n == 0,
                stakeholder_id=ngo.id,
            )
            for n in range(40)
        )
    with empty_store.reading() as session:
        hits = search(session, "kettling", limit=limit)
    assert len(hits) == min(limit, 40)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for hit in hits:
        assert [hit.snippet[a:b] for a, b in hit.highlights] == ["kettling"]
        assert hit.snippet.startswith("Minute ")
        assert hit.detail.endswith(f"edited {today}")
        assert hit.private is hit.detail.startswith("private")
        assert hit.title == "Note on Netpol"
    if limit == 50:
        assert [hit.private for hit in hits].count(True) == 1


# -- searching without a session -----------------------------------------------------------------


def _through_both(store, query: str, filters: SearchFilters | None = None, limit: int = 50):
    with store.reading() as session:
        through_session = search(session, query, filters, limit=limit)
    with store.plain_reading() as connection:
        through_plain = search(connection, query, filters, limit=limit)
    return through_session, through_plain


def test_plain_reading_finds_what_a_session_finds_with_every_filter(demo_store):
    with demo_store.reading() as session:
        ibm = session.scalars(select(Stakeholder).where(Stakeholder.name == "IBM")).one().id
    cases = [
        ("facial", None),
        ("nothing-like-this-anywhere", None),
        ("ibm", SearchFilters(kinds=frozenset({"source", "note"}))),
        ("facial", SearchFilters(stakeholder_id=ibm)),
        ("facial OR police OR ibm", SearchFilters(tag="Market Exit")),
        ("facial OR recognition", SearchFilters(stance="supports")),
        ("ibm", SearchFilters(date_from=dt.date(2020, 6, 8), date_to=dt.date(2020, 6, 8))),
        ("ibm", SearchFilters(date_from=dt.date(2020, 6, 1))),  # notes' times compared too
        ("ibm OR police", SearchFilters(include_private=False)),
    ]
    found_any = 0
    for query, filters in cases:
        through_session, through_plain = _through_both(demo_store, query, filters, limit=200)
        assert through_plain == through_session, (query, filters)
        found_any += bool(through_plain)
    assert found_any == len(cases) - 1  # each case but the word that is nowhere found something


@pytest.mark.sqlite_only(
    "a store file's kept sqlite3 connections (a team store reads through sessions)"
)
def test_plain_reading_keeps_one_connection_per_thread_and_ends_its_transaction(demo_store):
    import threading

    with demo_store.plain_reading() as first:
        assert first.in_transaction
    assert not first.in_transaction  # a writer is never kept waiting by a finished search
    with demo_store.plain_reading() as again:
        assert again is first
    other: list = []

    def read() -> None:
        with demo_store.plain_reading() as connection:
            other.append(connection)
            search(connection, "facial")

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert other and other[0] is not first
    with demo_store.writing() as session:  # nothing holds a read lock or a write lock now
        session.add(Stakeholder(name="Written after searching", kind="ngo"))
    with demo_store.plain_reading() as connection:  # sees the committed write
        assert [hit.title for hit in search(connection, "written after searching")] == [
            "Written after searching"
        ]
    demo_store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")  # closed with the store


def test_a_cancelled_plain_search_stops(demo_store):
    from briefing.core.search import Cancellation, SearchCancelled

    cancellation = Cancellation()
    cancellation.cancel()
    with demo_store.plain_reading() as connection, pytest.raises(SearchCancelled):
        search(connection, "facial", cancellation=cancellation)
