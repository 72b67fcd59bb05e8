"""A pack with its own passphrase: `pack export --pack-passphrase-file`, `pack import` with it.

The pack is the zip sealed with AES-256-GCM under a key scrypt derives from the passphrase
(`briefing.core.pack_crypto`, docs/packs.md); no plain byte of it reaches the disk.
"""

from __future__ import annotations

import json
import shutil

import pytest

from briefing.cli import main
from briefing.core import pack_crypto
from briefing.core.pack_format import read_pack

pytestmark = pytest.mark.both_databases

MARK = "PLATYPUSSHAREDWORDS"


def _key_file(tmp_path, name, words):
    path = tmp_path / "keys" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(words + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sealed(demo_path, tmp_path, capsys):
    db = str(demo_path)
    assert main(["--db", db, "note", "add", "--on", "stakeholder:IBM", MARK]) == 0
    key = _key_file(tmp_path, "pack.txt", "only for the coalition")
    out = tmp_path / "out" / "share.briefingpack"
    out.parent.mkdir()
    assert main(["--db", db, "pack", "export", str(out), "--pack-passphrase-file", str(key)]) == 0
    capsys.readouterr()
    return out, key


def test_a_sealed_pack_holds_no_plain_byte_and_imports_with_its_passphrase(
    sealed, demo_template, tmp_path, capsys
):
    out, key = sealed
    data = out.read_bytes()
    assert data.startswith(pack_crypto.MAGIC)
    assert MARK.encode() not in data and b"manifest.json" not in data and b"IBM" not in data
    assert [p.name for p in out.parent.iterdir()] == ["share.briefingpack"]  # no leftovers

    other = tmp_path / "other.sqlite3"
    shutil.copyfile(demo_template, other)
    args = ["--db", str(other), "pack", "import", str(out), "--pack-passphrase-file", str(key)]
    assert main(args) == 0
    assert "added: 1 note" in capsys.readouterr().out
    assert main(["--db", str(other), "notes", "--json"]) == 0
    assert MARK in [n["body"] for n in json.loads(capsys.readouterr().out)]


def test_without_or_with_a_wrong_passphrase_it_is_refused_and_nothing_changes(
    sealed, demo_template, tmp_path, capsys, snapshot
):
    out, _key = sealed
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(demo_template, other)
    before = snapshot(other)
    # No terminal in the test: no prompt, refused in words.
    assert main(["--db", str(other), "pack", "import", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pack with a passphrase" in err and "--pack-passphrase-file" in err
    wrong = _key_file(tmp_path, "wrong.txt", "not the one")
    args = ["--db", str(other), "pack", "import", str(out), "--pack-passphrase-file", str(wrong)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "the passphrase does not open share.briefingpack" in err
    assert "nothing was imported" in err and "Traceback" not in err
    # The store is as it was: no backup was even taken before the refusal.
    after = snapshot(other)
    assert after[0] == before[0]
    assert [n for n in after[1] if not n.endswith("-checked")] == [
        n for n in before[1] if not n.endswith("-checked")
    ]


def test_a_changed_or_cut_pack_is_refused_like_a_wrong_passphrase(sealed, tmp_path):
    out, key = sealed
    words = key.read_text(encoding="utf-8").strip()
    data = out.read_bytes()
    assert read_pack(out, passphrase=words).manifest["format"] == "briefing-pack"
    for broken in (
        data[:-1],  # cut short by one byte
        data[:40] + bytes([data[40] ^ 1]) + data[41:],  # the salt changed
        data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],  # the ciphertext changed
        data[:30],
    ):
        changed = tmp_path / "changed.briefingpack"
        changed.write_bytes(broken)
        with pytest.raises(pack_crypto.PackPassphraseError):
            read_pack(changed, passphrase=words)


def test_empty_and_overlong_pack_passphrases_are_refused(demo_path, tmp_path, capsys):
    out = tmp_path / "x.briefingpack"
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    args = ["--db", str(demo_path), "pack", "export", str(out), "--pack-passphrase-file"]
    assert main([*args, str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err
    long = _key_file(tmp_path, "long.txt", "x" * (pack_crypto.MAX_PASSPHRASE + 1))
    assert main([*args, str(long)]) == 2
    assert "longer than" in capsys.readouterr().err
    assert not out.exists()
