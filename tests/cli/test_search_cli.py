"""`briefing search` end to end: JSON for scripts, text for people, bad input refused."""

from __future__ import annotations

import json

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases


def test_json_lists_kind_id_title_and_snippet(demo_path, capsys):
    assert main(["search", "dialogue", "--json", "--db", str(demo_path)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all({"kind", "id", "title", "snippet"} <= set(hit) for hit in hits)
    assert any(hit["kind"] == "quote" and hit["title"] == "IBM" for hit in hits)
    for hit in hits:
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower() == "dialogue"


def test_kind_and_limit(demo_path, capsys):
    args = ["search", "ibm", "--json", "--kind", "quote", "--limit", "2", "--db", str(demo_path)]
    assert main(args) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and {hit["kind"] for hit in hits} == {"quote"}


def test_text_output_groups_by_kind_and_marks_matches(demo_path, capsys):
    assert main(["search", "dialogue", "--db", str(demo_path)]) == 0
    out = capsys.readouterr().out
    assert "Quotes:" in out and "[dialogue]" in out
    assert out.index("Quotes:") < out.index("Sources:")


def test_filters_on_the_command_line(demo_path, capsys):
    args = ["search", "facial", "--json", "--stakeholder", "ibm", "--db", str(demo_path)]
    assert main(args) == 0
    hits = json.loads(capsys.readouterr().out)
    quotes = {hit["title"] for hit in hits if hit["kind"] == "quote"}
    assert quotes and quotes <= {"IBM", "Arvind Krishna"}
    assert main(["search", "ibm", "--json", "--no-private", "--db", str(demo_path)]) == 0
    assert all(not hit["private"] for hit in json.loads(capsys.readouterr().out))


@pytest.mark.parametrize("query", ['"', "NEAR(", "col:", "^", "*", "\u202eibm", "x" * 10_000])
def test_any_query_text_is_accepted(demo_path, capsys, query, store_rows):
    before = store_rows(demo_path)
    assert main(["search", query, "--json", "--db", str(demo_path)]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)
    assert store_rows(demo_path) == before


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--limit", "0"], "limit must be between"),
        (["--stakeholder", "Nobody Inc"], "no stakeholder is named"),
        (["--from", "yesterday"], "not a date"),
        (["--from", "2021-01-01", "--to", "2020-01-01"], "ends before it starts"),
    ],
)
def test_bad_options_get_one_line_and_change_nothing(demo_path, capsys, extra, message, store_rows):
    before = store_rows(demo_path)
    assert main(["search", "ibm", "--db", str(demo_path), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert store_rows(demo_path) == before


def test_unknown_kind_is_refused_by_the_parser(demo_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "ibm", "--kind", "planet", "--db", str(demo_path)])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
