"""`quote edit|delete` and `source edit|delete`: corrections, deletes that say first what goes,
and bad input refused with a message, exit status 2 and the store unchanged."""

from __future__ import annotations

import json

import pytest

from briefing.cli import main
from briefing.core.undo import dump
from briefing.store import open_store

pytestmark = pytest.mark.both_databases


@pytest.fixture
def db(demo_path):
    return str(demo_path)


def everything(path):
    with open_store(path) as store, store.reading() as session:
        return dump(session)


def run(capsys, db, *args) -> tuple[int, str, str]:
    code = main(["--db", db, *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fix_a_misattributed_quote(capsys, db):
    code, out, err = run(
        capsys, db, "quote", "edit", 1, "--speaker", "Arvind Krishna", "--date", "2020-06-08",
        "--direct", "--tag", "letter", "--json",
    )  # fmt: skip
    assert code == 0, err
    edited = json.loads(out)
    assert edited["speaker"] == "Arvind Krishna" and edited["date"] == "2020-06-08"
    assert edited["attribution"] == "direct" and edited["tags"] == ["letter"]
    code, out, _ = run(capsys, db, "quotes", "--json")
    quote = next(q for q in json.loads(out) if q["id"] == 1)
    assert quote["speaker"] == "Arvind Krishna" and quote["date"] == "2020-06-08"
    code, out, _ = run(capsys, db, "quote", "edit", 1, "--date", "", "--no-tags", "--json")
    assert code == 0 and json.loads(out)["date"] is None and json.loads(out)["tags"] == []


def test_delete_says_first_and_deletes_only_with_yes(capsys, db, demo_path):
    before = everything(demo_path)
    code, out, err = run(capsys, db, "source", "delete", 1)
    assert code == 1 and "With it go 27 quotes" in out and "--yes" in err
    assert everything(demo_path) == before
    code, out, _ = run(capsys, db, "quote", "delete", 2, "--json")
    assert code == 1 and json.loads(out)["deleted"] is False
    code, out, _ = run(capsys, db, "quote", "delete", 2, "--yes")
    assert code == 0 and out.startswith("deleted quote 2.")
    code, out, _ = run(capsys, db, "source", "delete", 1, "--yes", "--json")
    assert code == 0 and json.loads(out)["quotes"] == 26
    code, out, _ = run(capsys, db, "sources", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, db, "quotes", "--json")
    assert json.loads(out) == []


def test_correct_a_sources_details(capsys, db):
    code, out, err = run(
        capsys, db, "source", "edit", 1, "--publisher", "Tech Policy Daily", "--date",
        "2020-06-12", "--url", "https://example.org/ibm", "--author", "J. Reporter", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["date"] == "2020-06-12"
    code, out, _ = run(capsys, db, "sources", "--json")
    (source,) = json.loads(out)
    assert source["publisher"] == "Tech Policy Daily" and source["url"] == "https://example.org/ibm"
    assert source["intact"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quote", "edit", 1], "nothing to change"),
        (["quote", "edit", 1, "--speaker", "Nobody"], "no stakeholder is named"),
        (["quote", "edit", 1, "--date", "2020-02-30"], "date"),
        (["quote", "edit", 1, "--date", "2999-01-01"], "in the future"),
        (["quote", "edit", 1, "--tag", "a,b"], "comma"),
        (["quote", "edit", 1, "--tag", "x", "--no-tags"], "not both"),
        (["quote", "edit", 9999, "--direct"], "no quote with id 9999"),
        (["quote", "delete", 9999, "--yes"], "no quote with id 9999"),
        (["source", "edit", 1], "never edited"),
        (["source", "edit", 1, "--title", "  "], "needs a title"),
        (["source", "edit", 1, "--url", "http://a b"], "no spaces"),
        (["source", "edit", 42, "--title", "x"], "no source with id"),
        (["source", "delete", 42, "--yes"], "no source with id"),
    ],
)
def test_bad_input_says_why_and_changes_nothing(capsys, db, demo_path, args, message):
    before = everything(demo_path)
    code, _out, err = run(capsys, db, *args)
    assert code == 2 and message in err
    assert everything(demo_path) == before


def test_bad_ids_are_usage_errors(capsys, db):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "quote", "delete", "abc"])
    assert exit_.value.code == 2
