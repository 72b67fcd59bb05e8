"""Editing commands and `compare`: ids printed, bad input refused with no change."""

from __future__ import annotations

import csv
import io
import json

import pytest

from briefing.cli import main
from briefing.core.undo import dump
from briefing.store import open_store

pytestmark = pytest.mark.both_databases

T = "Shop-floor facial recognition"


@pytest.fixture
def db(demo_path):
    return str(demo_path)


def everything(path):
    """Every row of every table (the file's bytes change whenever SQLite opens it in WAL)."""
    with open_store(path) as store, store.reading() as session:
        return dump(session)


def run(capsys, db, *args) -> tuple[int, str, str]:
    code = main(["--db", db, *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_new_users_story_headless(capsys, db):
    code, out, _ = run(capsys, db, "topic", "add", T, "--json")
    assert code == 0 and json.loads(out)["id"] > 0
    people = {}
    for name, kind in (("Southern Co-op", "company"), ("Big Brother Watch", "ngo")):
        code, out, err = run(
            capsys, db, "stakeholder", "add", name, "--kind", kind, "--topic", T, "--influence", 4
        )
        assert code == 0, err
        people[name] = int(out)
    code, out, _ = run(capsys, db, "stakeholder", "link", "Information Commissioner", "--topic", T)
    assert code == 0 and int(out) > 0
    code, out, _ = run(
        capsys,
        db,
        "stakeholder",
        "add",
        "Gareth Lewis",
        "--kind",
        "person",
        "--speaks-for",
        "southern co-op",
        "--topic",
        T,
    )
    assert code == 0
    code, out, _ = run(
        capsys,
        db,
        "position",
        "set",
        "Southern Co-op",
        "--topic",
        T,
        "--stance",
        "supports",
        "--summary",
        "Uses it in 35 shops.",
        "--as-of",
        "2022-07-01",
    )
    assert code == 0
    code, out, _ = run(capsys, db, "question", "add", "--topic", T, "Uses it in shops?")
    question = int(out)
    code, out, err = run(
        capsys,
        db,
        "answer",
        "set",
        "--question",
        question,
        "--stakeholder",
        "Southern Co-op",
        "--answer",
        "yes",
        "--json",
    )
    assert code == 0, err and json.loads(out)["id"]
    code, out, _ = run(
        capsys, db, "event", "add", "--topic", T, "--date", "2022-07", "Complaint to the ICO"
    )
    assert code == 0 and int(out) > 0
    code, out, _ = run(capsys, db, "stakeholders", "--topic", T, "--json")
    stances = {row["name"]: row["stance"] for row in json.loads(out)}
    assert stances["Southern Co-op"] == "supports"
    code, out, _ = run(
        capsys, db, "compare", "--topic", T, "--stakeholders", "Southern Co-op,Big Brother Watch"
    )
    assert code == 0 and "Yes (unsupported)" in out and "No answer" in out


BAD = [
    (("topic", "add", " "), "needs a name"),
    (
        ("position", "set", "IBM", "--topic", "1", "--stance", "opposes", "--summary", " "),
        "say what the position is",
    ),
    (("topic", "add", "police use of facial recognition"), "already a topic"),
    (("stakeholder", "add", "ibm", "--kind", "company"), "already a stakeholder named 'IBM'"),
    (("stakeholder", "add", "X", "--kind", "firm"), "kind 'firm' is not one of"),
    (("stakeholder", "add", "X", "--kind", "ngo", "--influence", "9"), "outside 1 to 5"),
    (("stakeholder", "add", "X", "--kind", "ngo", "--speaks-for", "IMB"), "did you mean 'IBM'"),
    (("stakeholder", "add", "X", "--kind", "ngo", "--topic", "Polic use of facial recognition"),
     "did you mean"),
    (("position", "set", "IBM", "--topic", "1", "--stance", "for", "--summary", "x"),
     "stance 'for' is not one of"),
    (("position", "set", "IBM", "--topic", "1", "--stance", "supports", "--summary", "x",
      "--as-of", "2021-02-30"), "is not a date"),
    (("position", "set", "IMB", "--topic", "1", "--stance", "supports", "--summary", "x"),
     "did you mean 'IBM'"),
    (("question", "add", "--topic", "1", "Sells facial recognition to police?"), "already asks"),
    (("answer", "set", "--question", "1", "--stakeholder", "IBM", "--answer", "maybe"),
     "answer 'maybe' is not one of"),
    (("answer", "set", "--question", "99", "--stakeholder", "IBM", "--answer", "yes"),
     "no question with id 99"),
    (("answer", "set", "--question", "1", "--stakeholder", "IBM", "--answer", "yes", "--quote",
      "20"), "not by IBM"),
    (("event", "add", "--topic", "1", "--date", "2020-02-30", "t"), "is not a date"),
    (("event", "add", "--topic", "1", "--date", "2020", "t", "--source", "42"), "no source"),
    (("compare", "--topic", "1", "--stakeholders", "IBM"), "at least 2"),
    (("compare", "--topic", "1", "--stakeholders", "IBM,Amazon,Microsoft,ACLU,Liberty,Ring,Axon"),
     "at most 6"),
    (("compare", "--topic", "1", "--stakeholders", "IBM,Amazn"), "did you mean 'Amazon'"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_refused_and_changes_nothing(capsys, db, demo_path, args, message):
    before = everything(demo_path)
    code, out, err = run(capsys, db, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert out == ""
    assert everything(demo_path) == before


def test_compare_json_and_csv_agree(capsys, db):
    names = "IBM,Amazon,ACLU"
    _, out, _ = run(capsys, db, "compare", "--topic", "1", "--stakeholders", names, "--json")
    table = json.loads(out)
    assert [s["name"] for s in table["stakeholders"]] == names.split(",")
    ibm_first = table["questions"][0]["answers"]["IBM"]
    assert ibm_first["answer"] == "no" and ibm_first["supported"]
    assert ibm_first["quote"]["citation"]
    _, out, _ = run(capsys, db, "compare", "--topic", "1", "--stakeholders", names, "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["Question", *names.split(",")]
    for row, question in zip(rows[1:], table["questions"], strict=True):
        assert row[0] == question["text"]
        assert row[1:] == [question["answers"][n]["word"] for n in names.split(",")]
