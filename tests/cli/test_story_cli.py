"""The issue's "Done when" story, headless, end to end: from an empty store to a comparison
whose every answer is backed by a verbatim quote of a source the advocate imported."""

from __future__ import annotations

import json

import pytest

from briefing.cli import main

pytestmark = pytest.mark.both_databases

T = "Shop-floor facial recognition"

# A small source, as an advocate would save it from a report: three parties, each in their words.
ARTICLE = """\
Facial recognition comes to the shop floor

Southern Co-op said: "We use live facial recognition in a small number of our stores to keep
our colleagues safe from violence and abuse."

Big Brother Watch called for a halt: "Live facial recognition turns shoppers into walking
barcodes, and no law authorises it. Shops should stop using it now."

The Information Commissioner said: "Live facial recognition can be lawful in shops only where
it is necessary and proportionate; we will act where it is not."
"""

SAID = {
    "Southern Co-op": "We use live facial recognition in a small number of our stores",
    "Big Brother Watch": "Shops should stop using it now.",
    "Information Commissioner": "it is necessary and proportionate; we will act where it is not.",
}
USES = {
    "Southern Co-op": "We use live facial recognition in a small number of our stores",
    "Big Brother Watch": "no law authorises it",
    "Information Commissioner": "Live facial recognition can be lawful in shops only",
}


def run(capsys, db, *args) -> dict | list:
    code = main(["--db", db, *map(str, args), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_a_new_user_builds_compares_and_revises_a_topic_headless(capsys, tmp_path, empty_path):
    db = str(empty_path)
    assert main(["--db", db, "--no-demo", "info"]) == 0
    capsys.readouterr()

    topic = run(capsys, db, "topic", "add", T)["id"]
    kinds = {"Southern Co-op": "company", "Big Brother Watch": "ngo"}
    kinds["Information Commissioner"] = "regulator"
    people = {
        name: run(capsys, db, "stakeholder", "add", name, "--kind", kind, "--topic", T)["id"]
        for name, kind in kinds.items()
    }
    article = tmp_path / "shop-floor.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    source = run(
        capsys, db, "import-source", article, "--publisher", "Retail Weekly", "--date", "2023-03-01"
    )["id"]
    backing = {}
    for name in people:
        backing[name] = {
            "halt": run(
                capsys, db, "quote", "add", "--source", source, "--speaker", name, SAID[name]
            )["id"],
            "uses": run(
                capsys, db, "quote", "add", "--source", source, "--speaker", name, USES[name]
            )["id"],
        }
    stances = {
        "Southern Co-op": "supports",
        "Big Brother Watch": "opposes",
        "Information Commissioner": "conditional",
    }
    for name, stance in stances.items():
        run(
            capsys, db, "position", "set", name, "--topic", T, "--stance", stance,
            "--summary", f"{name} on shops' cameras.", "--as-of", "2023-03-01",
        )  # fmt: skip
    halt = run(capsys, db, "question", "add", "--topic", T, "Wants shops to stop using it?")["id"]
    lawful = run(capsys, db, "question", "add", "--topic", T, "Says it can be lawful?")["id"]
    answers = {
        (halt, "Southern Co-op"): "no",
        (halt, "Big Brother Watch"): "yes",
        (halt, "Information Commissioner"): "partly",
        (lawful, "Southern Co-op"): "yes",
        (lawful, "Big Brother Watch"): "no",
        (lawful, "Information Commissioner"): "partly",
    }
    for (question, name), answer in answers.items():
        quote = backing[name]["halt" if question == halt else "uses"]
        made = run(
            capsys, db, "answer", "set", "--question", question, "--stakeholder", name,
            "--answer", answer, "--quote", quote,
        )  # fmt: skip
        assert made["id"] > 0

    # Every quote is the source's own words: checked, not just stored.
    checked = run(capsys, db, "verify")
    assert len(checked) == 6 and {q["status"] for q in checked} == {"exact"}, checked

    compared = run(capsys, db, "compare", "--topic", T)
    assert compared["topic"] == {"id": topic, "name": T}
    assert {s["name"]: s["id"] for s in compared["stakeholders"]} == people
    assert [q["text"] for q in compared["questions"]] == [
        "Wants shops to stop using it?",
        "Says it can be lawful?",
    ]
    for row in compared["questions"]:
        for name, cell in row["answers"].items():
            assert cell["answer"] == answers[(row["id"], name)]
            assert cell["supported"], (row["text"], name)
            key = "halt" if row["id"] == halt else "uses"
            assert cell["quote"]["id"] == backing[name][key]
            assert cell["quote"]["text"] == (SAID if key == "halt" else USES)[name]
            assert cell["quote"]["speaker"] == name
            assert "Retail Weekly" in cell["quote"]["citation"]

    # The shop changes its mind: a later-dated position becomes the one the card shows,
    # and the earlier one is kept.
    run(
        capsys, db, "position", "set", "Southern Co-op", "--topic", T, "--stance", "unclear",
        "--summary", "Paused the cameras pending a review.", "--as-of", "2023-09-15",
    )  # fmt: skip
    listed = {row["name"]: row for row in run(capsys, db, "stakeholders", "--topic", T)}
    assert listed["Southern Co-op"]["stance"] == "unclear"
    assert listed["Southern Co-op"]["as_of"] == "2023-09-15"
    assert listed["Big Brother Watch"]["stance"] == "opposes"
    assert listed["Information Commissioner"]["stance"] == "conditional"
