"""What the team store's owner can read, and what a demo store says about who wrote its records.

The owner owns the tables. Row-level security is forced on `notes` (0010) and on the private notes'
search rows (`search_private`: `0014_team_roles`, `0015_team_search_split`), so the owner's own
work, and a plain `SELECT` as the owner, never shows another member's private note; the index's
triggers, which run as the owner, still keep every row of it. (An owner who decides to can lift
row-level security on tables they own: PostgreSQL lets a table's owner do that, and the README says
so.)
"""

from __future__ import annotations

from briefing.core.cards import stakeholder_detail
from briefing.core.notes import add_note, delete_note, update_note
from briefing.core.search import search
from briefing.render.detail import stakeholder_html
from briefing.store import open_store


def _index_rows(team, role, word):
    """Search rows holding `word` that `role` reads: shared ones, and private notes' ones."""
    return team.sql(
        role,
        "SELECT (SELECT count(*) FROM search_index WHERE body LIKE %s) + "
        "(SELECT count(*) FROM search_private WHERE body LIKE %s)",
        (f"%{word}%",) * 2,
    )


def test_the_owner_reads_no_members_private_note_even_by_plain_sql(team, members):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        private = add_note(session, ("stakeholder", 1), "Quillfeather tactics", private=True).id

    for role in (team.owner, bob):
        assert _index_rows(team, role, "Quillfeather") == [(0,)], role
        assert team.sql(role, "SELECT count(*) FROM notes WHERE id = %s", (private,)) == [(0,)]
        # The maintenance setting (set by the migrations runner) opens the index to the
        # owner's role alone, who owns the table anyway; a member who sets it gains nothing.
        assert team.sql(
            role,
            "SELECT set_config('briefing.maintenance', 'on', false), "
            "(SELECT count(*) FROM search_private WHERE body LIKE '%%Quillfeather%%')",
        )[0][1] == (0 if role == bob else 1)
    assert _index_rows(team, alice, "Quillfeather") == [(1,)]

    # The owner's own work through the app: not in search either.
    with open_store(team.url()) as store, store.reading() as session:
        assert search(session, "quillfeather") == []

    # The triggers, run as the owner, still keep the private note's row: changed, then gone.
    with open_store(team.url(alice)) as store, store.writing() as session:
        update_note(session, private, body="Inkwellbadger tactics")
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert [h.id for h in search(session, "inkwellbadger")] == [private]
        assert search(session, "quillfeather") == []
    with open_store(team.url(alice)) as store, store.writing() as session:
        delete_note(session, private)
    assert _index_rows(team, alice, "Inkwellbadger") == [(0,)]

    # The owner writes as a member does: their own notes are indexed.
    with open_store(team.url()) as store, store.writing() as session:
        mine = add_note(session, ("stakeholder", 1), "Owner's marmaladefox", private=True).id
    with open_store(team.url()) as store, store.reading() as session:
        assert [h.id for h in search(session, "marmaladefox")] == [mine]
    assert _index_rows(team, alice, "marmaladefox") == [(0,)]


def test_the_demo_is_added_by_no_one_and_later_records_are_signed(team, members):
    alice, _bob = members
    tables = ("topics", "stakeholders", "positions", "sources", "quotes", "questions", "answers")
    for table in tables:
        signed = team.sql(team.owner, f"SELECT count(*) FROM {table} WHERE created_by IS NOT NULL")
        assert signed == [(0,)], table
    assert team.sql(team.owner, "SELECT count(*) FROM stakeholders")[0][0] >= 8
    with open_store(team.url(alice)) as store, store.reading() as session:
        detail = stakeholder_detail(session, 1, 1)
    assert (detail.added_by, detail.changed_by) == (None, None)
    assert "added by" not in stakeholder_html(detail)
    # The triggers are on again once the demo is in: the owner's own records are signed.
    with open_store(team.url()) as store, store.writing() as session:
        note = add_note(session, ("stakeholder", 1), "The owner's own note").id
    assert team.sql(team.owner, "SELECT written_by FROM notes WHERE id = %s", (note,)) == [
        (team.owner,)
    ]
    assert team.sql(
        team.owner,
        "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D' AND NOT tgisinternal",
    ) == [(0,)]
