"""A team store whose server goes away: the command line says so in words and exits, nothing is
half-written, and the store works again once the server is back."""

from __future__ import annotations

import pytest

from briefing.cli import main
from briefing.core import notes as core_notes
from briefing.store import open_store
from briefing.store import team as team_store
from briefing.store.team import ServerLost


def test_a_command_whose_server_stops_mid_write_exits_with_a_message(own_team, capsys, monkeypatch):
    team = own_team
    team_store.setup(team.url(), None)
    team.sql(team.owner, "INSERT INTO topics (name, name_key, description, uuid, created_at, "
             "updated_at) VALUES ('T', 't', '', 'u-1', now(), now())")  # fmt: skip
    real_add = core_notes.add_note

    def add_then_lose_the_server(session, *args, **kwargs):
        added = real_add(session, *args, **kwargs)
        session.flush()  # the row is written, not yet committed
        team.cluster.stop("fast")
        return added

    monkeypatch.setattr(core_notes, "add_note", add_then_lose_the_server)
    status = main(["--db", team.url(), "note", "add", "--on", "topic:T", "Typed words"])
    out, err = capsys.readouterr()
    assert status == 3
    assert "cannot be reached" in err and "nothing was changed" in err
    assert "Traceback" not in err and "Typed words" not in err

    # While it is down: every command says so.
    status = main(["--db", team.url(), "notes"])
    _out, err = capsys.readouterr()
    assert status == 3 and "cannot be reached" in err

    team.cluster.start()
    assert team.sql(team.owner, "SELECT count(*) FROM notes") == [(0,)]
    monkeypatch.setattr(core_notes, "add_note", real_add)
    assert main(["--db", team.url(), "note", "add", "--on", "topic:T", "Typed words"]) == 0
    assert team.sql(team.owner, "SELECT body FROM notes") == [("Typed words",)]


def test_an_open_store_writes_again_once_the_server_is_back(own_team):
    team = own_team
    team_store.setup(team.url(), None)
    with open_store(team.url()) as store:
        with store.writing() as session:
            session.execute(team_store.text("SELECT 1"))
        team.cluster.stop("fast")
        with pytest.raises(ServerLost), store.writing() as session:
            session.execute(team_store.text("SELECT 1"))
        team.cluster.start()
        with store.reading() as session:  # the pool's dead connections are replaced
            assert session.execute(team_store.text("SELECT 1")).scalar() == 1
