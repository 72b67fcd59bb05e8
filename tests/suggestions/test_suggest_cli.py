"""`briefing suggest-quotes` as a script would run it: list, accept, refuse bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases

CORPUS = Path(__file__).parent.parent / "data" / "suggestions"


@pytest.fixture
def cli(demo_path, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(demo_path), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _import(cli, name: str) -> int:
    code, out, err = cli("import-source", CORPUS / name)
    assert code == 0, err
    return int(out)


def _state(cli) -> tuple[str, str]:
    return cli("quotes", "--json")[1], cli("stakeholders", "--json")[1]


def test_lists_suggestions_with_offsets_and_speakers(cli):
    source = _import(cli, "04-company-exit.txt")
    code, out, _ = cli("suggest-quotes", source, "--json")
    assert code == 0
    found = json.loads(out)
    text = (CORPUS / "04-company-exit.txt").read_text(encoding="utf-8")
    assert [s["number"] for s in found] == [1, 2, 3, 4, 5]
    for s in found:
        assert text[s["start"] : s["end"]] == s["text"]
        assert s["quote_id"] is None
    assert [s["speaker"] for s in found] == ["Samuel Ortiz"] * 3 + ["Jane Whitfield"] * 2
    assert all(s["stakeholder_id"] is None for s in found)  # neither is a stakeholder yet
    code, out, _ = cli("suggest-quotes", source)
    assert "not yet a stakeholder" in out and "5 suggestion(s)" in out


def test_accepting_makes_anchored_quotes_and_new_stakeholders(cli):
    source = _import(cli, "04-company-exit.txt")
    code, out, err = cli(
        "suggest-quotes", source, "--accept", 1, "--accept", 2, "--accept", 5,
        "--topic", "Police use of facial recognition", "--json",
    )  # fmt: skip
    assert code == 0, err
    accepted = json.loads(out)
    assert [a["speaker"] for a in accepted] == ["Samuel Ortiz", "Samuel Ortiz", "Jane Whitfield"]
    assert [a["new_speaker"] for a in accepted] == [True, False, True]
    code, out, _ = cli("quotes", "--source", source, "--json")
    quotes = json.loads(out)
    assert len(quotes) == 3 and all(q["status"] == "exact" for q in quotes)
    code, out, _ = cli("stakeholders", "--topic", "Police use of facial recognition", "--json")
    assert {"Samuel Ortiz", "Jane Whitfield"} <= {s["name"] for s in json.loads(out)}
    # Accepted suggestions say so when listed again.
    code, out, _ = cli("suggest-quotes", source, "--json")
    assert [s["quote_id"] is not None for s in json.loads(out)] == [True, True, False, False, True]


def test_a_known_speaker_is_matched_to_the_stakeholder(cli):
    code, out, _ = cli("suggest-quotes", 1, "--json")  # the demo report
    found = json.loads(out)
    # "Smith mentioned": the surname, given in full as the report first names him.
    smith = [s for s in found if s["speaker"] == "Brad Smith"]
    assert smith and all(s["stakeholder"] == "Brad Smith" for s in smith)
    # The demo's quotes are already made: their suggestions say which quote they are.
    assert any(s["quote_id"] is not None for s in found)
    krishna = [s for s in found if s["speaker"] == "Arvind Krishna"]
    assert len(krishna) == 4 and all(s["stakeholder"] == "Arvind Krishna" for s in krishna)


def test_a_speaker_given_for_a_suggestion_without_one(cli):
    source = _import(cli, "03-civil-liberties-report.txt")
    found = json.loads(cli("suggest-quotes", source, "--json")[1])
    unnamed = next(s["number"] for s in found if s["speaker"] is None)
    before = _state(cli)
    code, _, err = cli("suggest-quotes", source, "--accept", unnamed)
    assert code == 2 and "names no speaker" in err and _state(cli) == before
    code, out, err = cli(
        "suggest-quotes", source, "--accept", unnamed, "--speaker", f"{unnamed}=UK regulators"
    )
    assert code == 0, err
    assert "UK regulators" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("--accept", 99), "no suggestion 99"),
        (("--accept", 1, "--accept", 99), "no suggestion 99"),
        (("--speaker", "1=IBM"), "goes with --accept"),
        (("--accept", 1, "--speaker", "IBM"), "N=NAME"),
        (("--accept", 1, "--topic", "No such topic"), "No such topic"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cli, args, message):
    source = _import(cli, "04-company-exit.txt")
    before = _state(cli)
    code, _, err = cli("suggest-quotes", source, *args)
    assert code == 2
    assert message in err
    assert _state(cli) == before


def test_an_unknown_source_and_an_accepted_one_are_refused(cli):
    code, _, err = cli("suggest-quotes", 999)
    assert code == 2 and "no source" in err
    source = _import(cli, "04-company-exit.txt")
    assert cli("suggest-quotes", source, "--accept", 1)[0] == 0
    before = _state(cli)
    code, _, err = cli("suggest-quotes", source, "--accept", 1)
    assert code == 2 and "already quote" in err and _state(cli) == before
