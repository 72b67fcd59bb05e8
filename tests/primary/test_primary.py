"""Primary documents: marking them, and reworded quotes flagged against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.core.primary import mark_primary, primary_checks, primary_owners
from briefing.core.quotes import check_quotes
from briefing.errors import NotFound

pytestmark = pytest.mark.both_databases

LETTER_PATH = Path(__file__).parent.parent / "data" / "primary" / "ibm-letter-2020-06-08.txt"
REWORDED = "now not affords common objective IBM facial recognition or evaluation software program."


@pytest.fixture
def cli(demo_path, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(demo_path), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _import_letter(cli, *extra: str) -> int:
    code, out, err = cli(
        "import-source",
        LETTER_PATH,
        "--title",
        "Letter to Congress",
        "--publisher",
        "IBM",
        "--date",
        "2020-06-08",
        "--json",
        *extra,
    )
    assert code == 0, err
    return json.loads(out)["id"]


def test_import_source_primary_for_marks_the_letter(cli):
    letter = _import_letter(cli, "--primary-for", "ibm")
    code, out, _ = cli("sources", "--json")
    by_id = {s["id"]: s for s in json.loads(out)}
    assert by_id[letter]["primary_for"] == ["IBM"]
    assert all(s["primary_for"] == [] for sid, s in by_id.items() if sid != letter)
    code, out, _ = cli("sources")
    assert "primary document of IBM" in out


def test_an_unknown_stakeholder_refuses_the_import_and_stores_nothing(cli):
    before = cli("sources", "--json")[1]
    code, _, err = cli("import-source", LETTER_PATH, "--primary-for", "Nobody Inc")
    assert code != 0
    assert "Nobody Inc" in err
    assert cli("sources", "--json")[1] == before


def test_the_demo_reworded_ibm_quote_is_flagged_with_the_letters_words(cli):
    letter = _import_letter(cli, "--primary-for", "IBM")
    code, out, _ = cli("verify", "--json")
    assert code == 1
    checks = {c["text"]: c for c in json.loads(out)}
    flagged = checks[REWORDED]
    assert flagged["reworded"] is True
    primary = flagged["primary"]
    assert primary["source_id"] == letter and primary["kind"] == "reworded"
    assert primary["text"] == (
        "no longer offers general purpose IBM facial recognition or analysis software"
    )
    assert (
        "[-now not affords common objective-] {+no longer offers general purpose+}"
        in (primary["diff"])
    )
    assert "[-evaluation-] {+analysis+}" in primary["diff"]
    # The faithful quotes agree with the letter (case and hyphenation aside) and are not flagged.
    faithful = checks[
        "We believe now is the time to begin a national dialogue on whether and how "
        "facial-recognition technology should be employed by domestic law enforcement agencies."
    ]
    assert faithful["primary"]["kind"] == "typography" and faithful["reworded"] is False
    # The letter is found as the closest passage of the other sources too.
    assert any(p["source_id"] == letter for p in flagged["passages"])
    code, out, _ = cli("verify")
    assert "reworded: the primary document (Letter to Congress, IBM) says \u201cno longer" in out


def test_without_a_primary_document_nothing_changes(cli):
    code, before, _ = cli("verify", "--json")
    _import_letter(cli)  # the same letter, not marked as anyone's
    code, after, _ = cli("verify", "--json")
    assert all(c["primary"] is None and not c["reworded"] for c in json.loads(after))
    strip = lambda out: [  # noqa: E731
        {k: v for k, v in c.items() if k != "passages"} for c in json.loads(out)
    ]
    assert strip(before) == strip(after)


def test_reported_quotes_and_other_speakers_are_not_checked(demo_store, tmp_path):
    from briefing.core.sources import import_source

    with demo_store.writing() as session:
        source = import_source(session, LETTER_PATH).id
        mark_primary(session, source, ["IBM"])
    with demo_store.reading() as session:
        found = primary_checks(session)
        checks = {c.id: c for c in check_quotes(session)}
        assert primary_owners(session) == {source: ["IBM"]}
    assert found
    for quote_id in found:
        assert checks[quote_id].attribution == "direct"
        assert checks[quote_id].speaker in ("IBM", "Arvind Krishna")


def test_marking_an_unknown_stakeholder_changes_nothing(demo_store):
    from briefing.core.sources import import_source

    with demo_store.writing() as session:
        source = import_source(session, LETTER_PATH).id
    with pytest.raises(NotFound), demo_store.writing() as session:
        mark_primary(session, source, ["IBM", "No Such Body"])
    with demo_store.reading() as session:
        assert primary_owners(session) == {}


def test_a_changed_primary_document_is_not_trusted(demo_store):
    from sqlalchemy import text

    from briefing.core.sources import import_source

    with demo_store.writing() as session:
        source = import_source(session, LETTER_PATH).id
        mark_primary(session, source, ["IBM"])
    with demo_store.writing() as session:
        session.execute(
            text("UPDATE sources SET text = replace(text, 'analysis', 'analyses') WHERE id = :i"),
            {"i": source},
        )
    with demo_store.reading() as session:
        assert primary_checks(session) == {}
