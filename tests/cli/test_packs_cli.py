"""`briefing pack export` and `briefing pack import`, as a person or a script runs them."""

from __future__ import annotations

import json
import shutil

import pytest

from briefing.cli import main
from briefing.core.lookup import find_stakeholder
from briefing.store import open_store

pytestmark = pytest.mark.both_databases


def test_export_then_import_into_another_store_then_again(
    demo_path, demo_template, tmp_path, capsys
):
    db = str(demo_path)
    assert (
        main(
            ["--db", db, "stakeholder", "add", "--kind", "ngo", "--topic", "1", "Big Brother Watch"]
        )
        == 0
    )
    assert (
        main(["--db", db, "note", "add", "--on", "stakeholder:Big Brother Watch", "Shared thought"])
        == 0
    )
    assert (
        main(
            [
                "--db",
                db,
                "note",
                "add",
                "--private",
                "--on",
                "stakeholder:Big Brother Watch",
                "Private thought",
            ]
        )
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "share"
    assert main(["--db", db, "pack", "export", str(out), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["path"].endswith("share.briefingpack") and not exported["include_private"]

    other = tmp_path / "other.sqlite3"
    shutil.copyfile(demo_template, other)
    pack = str(tmp_path / "share.briefingpack")
    assert main(["--db", str(other), "pack", "import", pack, "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["added"] == {"stakeholder": 1, "note": 1}
    assert main(["--db", str(other), "notes", "--json"]) == 0
    assert "Shared thought" not in capsys.readouterr().out

    assert main(["--db", str(other), "pack", "import", pack]) == 0
    said = capsys.readouterr().out
    assert "added: 1 note, 1 stakeholder" in said and "no conflicts" in said
    assert main(["--db", str(other), "notes", "--json"]) == 0
    bodies = [n["body"] for n in json.loads(capsys.readouterr().out)]
    assert "Shared thought" in bodies and "Private thought" not in bodies

    assert main(["--db", str(other), "pack", "import", pack, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == {}


def test_conflicts_are_listed_with_both_versions(demo_path, tmp_path, capsys):
    db = str(demo_path)
    pack = tmp_path / "a.briefingpack"
    assert main(["--db", db, "pack", "export", str(pack)]) == 0
    other = tmp_path / "other.sqlite3"
    assert main(["--db", str(other), "--no-demo", "pack", "import", str(pack)]) == 0
    capsys.readouterr()

    with open_store(other) as store, store.writing() as session:
        find_stakeholder(session, "IBM").description = "Their words on IBM"
    theirs = tmp_path / "b.briefingpack"
    assert main(["--db", str(other), "pack", "export", str(theirs)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "pack", "import", str(theirs)]) == 0
    said = capsys.readouterr().out
    assert "1 conflict(s)" in said and "stakeholder: IBM: kept mine" in said
    assert "theirs: Their words on IBM" in said


def test_bad_arguments_are_refused_in_words(demo_path, tmp_path, capsys):
    db = str(demo_path)

    def beside_the_store():  # its check record aside (see briefing.store.health)
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith("-checked"))

    before = beside_the_store()
    assert main(["--db", db, "pack", "export", str(tmp_path / "no" / "x.briefingpack")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["--db", db, "pack", "export", str(tmp_path / "x"), "--topic", "Nope"]) == 2
    assert "no topic is named 'Nope'" in capsys.readouterr().err
    assert beside_the_store() == before  # nothing made beside the store
    assert main(["--db", db, "pack", "import", str(tmp_path / "missing.briefingpack")]) == 2
    assert "there is no file" in capsys.readouterr().err
