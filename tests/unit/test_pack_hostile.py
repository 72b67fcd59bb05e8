"""Hostile or broken packs are refused in words before anything is written; the store is unchanged.

Each test builds a bad pack from a good one and imports it into a store with the demo topic:
the import must raise `PackError` with words that say what is wrong, leave every row as it was,
and take no backup (nothing was about to change).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from briefing.core import pack_format, packs
from briefing.core.lookup import find_topic
from briefing.core.pack_format import MANIFEST, PackError, read_pack
from briefing.core.undo import dump

pytestmark = pytest.mark.both_databases

TOPIC = "Police use of facial recognition"


@pytest.fixture
def good(demo_store, tmp_path) -> Path:
    out = tmp_path / "good.briefingpack"
    with demo_store.reading() as session:
        packs.export_pack(session, out, topic_id=find_topic(session, TOPIC).id)
    return out


def contents(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        files = {n: archive.read(n) for n in archive.namelist() if n != MANIFEST}
    return manifest, files


def build(path: Path, entries: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def repack(good: Path, tmp_path: Path, change) -> Path:
    """The good pack with its manifest changed by `change(manifest)`."""
    manifest, files = contents(good)
    change(manifest)
    entries = [*files.items(), (MANIFEST, json.dumps(manifest).encode())]
    return build(tmp_path / "bad.briefingpack", entries)


def refused(store, path: Path, *words: str) -> str:
    """Import `path`, expecting a refusal that contains `words`, and nothing changed."""
    with store.reading() as session:
        before = dump(session)
    for dry_run in (True, False):
        with pytest.raises(PackError) as caught:
            packs.import_pack(store, path, dry_run=dry_run)
        message = str(caught.value)
        for word in words:
            assert word in message, message
    with store.reading() as session:
        assert dump(session) == before
    if isinstance(store.path, Path):  # a store file's backups lie beside it
        assert not list(store.path.parent.glob("*.backup-*")), "no backup for a refused pack"
    return message


def test_the_good_pack_is_accepted(demo_store, good):
    assert packs.import_pack(demo_store, good, dry_run=True).added == {}


def test_truncated(demo_store, good, tmp_path):
    data = good.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 200):
        bad = tmp_path / f"cut{cut}.briefingpack"
        bad.write_bytes(data[:cut])
        refused(demo_store, bad, "damaged or truncated")


def test_damaged_in_the_middle(demo_store, good, tmp_path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(MANIFEST)
    middle = info.header_offset + 30 + len(MANIFEST) + info.compress_size // 2
    data[middle] ^= 0xFF
    bad = tmp_path / "flipped.briefingpack"
    bad.write_bytes(bytes(data))
    refused(demo_store, bad, "damaged")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../evil.txt", "climbs out of the pack"),
        ("sources/../../etc/passwd", "climbs out of the pack"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/evil.txt", "absolute path"),
        ("sources\\..\\evil.txt", "backslash"),
        ("sources/", "folder"),
        ("notes/extra.txt", "which no pack holds"),
    ],
)
def test_entries_with_dangerous_or_unknown_names(demo_store, good, tmp_path, name, words):
    _, files = contents(good)
    manifest = good
    with zipfile.ZipFile(manifest) as archive:
        raw = archive.read(MANIFEST)
    bad = build(tmp_path / "bad.briefingpack", [*files.items(), (name, b"x"), (MANIFEST, raw)])
    refused(demo_store, bad, words)


def test_duplicate_entries(demo_store, good, tmp_path):
    manifest, files = contents(good)
    (name, data), *_ = files.items()
    entries = [(name, data), (name, data), (MANIFEST, json.dumps(manifest).encode())]
    with pytest.warns(UserWarning):  # zipfile warns, and writes both
        bad = build(tmp_path / "dup.briefingpack", entries)
    refused(demo_store, bad, "twice")


def test_zip_bomb_is_refused_from_its_directory_before_anything_is_read(
    demo_store, good, tmp_path, monkeypatch
):
    manifest, files = contents(good)
    bomb = b"\0" * (60 * 1024 * 1024)  # deflates to about 60 kB
    bad = build(
        tmp_path / "bomb.briefingpack",
        [*files.items(), (MANIFEST, json.dumps(manifest).encode()), ("sources/bomb.txt", bomb)],
    )
    assert bad.stat().st_size < 1024 * 1024

    def never(*args, **kwargs):
        raise AssertionError("an entry was read before the sizes were checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    refused(demo_store, bad, "would unpack to 60.0 MB")


def test_a_ratio_no_text_has_is_a_zip_bomb(demo_store, good, tmp_path, monkeypatch):
    manifest, files = contents(good)
    bomb = b"\0" * (20 * 1024 * 1024)  # under the size cap, but ~1000:1
    bad = build(
        tmp_path / "bomb.briefingpack",
        [*files.items(), (MANIFEST, json.dumps(manifest).encode()), ("sources/bomb.txt", bomb)],
    )
    refused(demo_store, bad, "as a zip bomb does")


def test_sizes_beyond_the_limits(demo_store, good, tmp_path, monkeypatch):
    monkeypatch.setattr(pack_format, "MAX_TOTAL_BYTES", 20_000)
    message = refused(demo_store, good, "would unpack to more than")
    assert "20,000 bytes" in message
    monkeypatch.setattr(pack_format, "MAX_TOTAL_BYTES", 2 * 1024**3)
    monkeypatch.setattr(pack_format, "MAX_ENTRIES", 1)
    refused(demo_store, good, "holds 2 files, more than a pack may (1)")
    monkeypatch.setattr(pack_format, "MAX_ENTRIES", 200_000)
    monkeypatch.setattr(pack_format, "MAX_FILE_BYTES", 1000)
    refused(demo_store, good, "more than a pack may be")


def test_counts_beyond_sane_limits(demo_store, good, tmp_path, monkeypatch):
    monkeypatch.setattr(pack_format, "MAX_RECORDS", 10)
    refused(demo_store, good, "stakeholders holds 15 entries, more than 10")


def test_bad_json(demo_store, good, tmp_path):
    _, files = contents(good)
    bad = build(tmp_path / "bad.briefingpack", [*files.items(), (MANIFEST, b'{"format": ')])
    refused(demo_store, bad, "not valid JSON", "line 1")
    bad = build(tmp_path / "deep.briefingpack", [*files.items(), (MANIFEST, b"[" * 100_000)])
    refused(demo_store, bad, "manifest")
    bad = build(tmp_path / "latin.briefingpack", [*files.items(), (MANIFEST, b'{"a": "\xe9"}')])
    refused(demo_store, bad, "not UTF-8")
    bad = build(tmp_path / "list.briefingpack", [*files.items(), (MANIFEST, b"[]")])
    refused(demo_store, bad, "the manifest should be an object, not a list")


def test_unknown_versions(demo_store, good, tmp_path):
    bad = repack(good, tmp_path, lambda m: m.update(version=2))
    refused(demo_store, bad, "version 2", "newer Briefing", "update the app")
    bad = repack(good, tmp_path, lambda m: m.update(version=0))
    refused(demo_store, bad, "is not a pack version")
    bad = repack(good, tmp_path, lambda m: m.update(version="1"))
    refused(demo_store, bad, "version", "whole number")
    bad = repack(good, tmp_path, lambda m: m.update(format="something-else"))
    refused(demo_store, bad, "not a Briefing pack")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m["stakeholders"][0].update(name=42), "stakeholders[0].name should be text"),
        (lambda m: m["stakeholders"][0].update(name=""), "stakeholders[0].name is empty"),
        (lambda m: m["stakeholders"][0].update(name="x" * 201), "more than 200"),
        (lambda m: m["stakeholders"][0].update(kind="alien"), "kind should be one of"),
        (lambda m: m["stakeholders"][0].update(influence=9), "between 1 and 5"),
        (lambda m: m["stakeholders"][0].update(on_topic="yes"), "should be true or false"),
        (lambda m: m["stakeholders"][0].pop("uuid"), "lacks its 'uuid'"),
        (lambda m: m["stakeholders"][0].update(uuid="not-a-uuid"), "should be a UUID"),
        (lambda m: m["positions"][0].update(as_of="8 June 2020"), "should be a date"),
        (lambda m: m["positions"][0].update(stance="maybe"), "stance should be one of"),
        (lambda m: m["quotes"][0].update(start=-1), "start should be between"),
        (lambda m: m["quotes"][0].update(start=5, end=5), "ends before it starts"),
        (lambda m: m["quotes"][0].update(end=10**6), "beyond the end of its source"),
        (lambda m: m["quotes"][0].update(tags="a,b"), "tags should be a list"),
        (lambda m: m["notes"][0].update(target=[]), "target should be an object"),
        (lambda m: m["notes"][0].update(private=None), "private should be true or false"),
        (lambda m: m.update(stakeholders={}), "stakeholders should be a list"),
        (lambda m: m.update(topic="facial recognition"), "the topic should be an object"),
        (lambda m: m["stakeholders"].append(m["stakeholders"][0]), "repeats the UUID"),
        (lambda m: m["quotes"][0].update(speaker=m["topic"]["uuid"]), "not among the pack's"),
        (lambda m: m.update(created_at="yesterday"), "should be a UTC time"),
        (lambda m: m.update(include_private=1), "include_private should be true or false"),
    ],
)
def test_wrong_types_and_values(demo_store, good, tmp_path, change, words):
    refused(demo_store, repack(good, tmp_path, change), words)


def test_a_source_that_does_not_match_its_sha256_refuses_the_whole_pack(demo_store, good, tmp_path):
    manifest, files = contents(good)
    (name, data), *_ = files.items()
    changed = data.replace(b"IBM", b"IBN", 1)
    bad = build(tmp_path / "tampered.briefingpack", [(name, changed), (MANIFEST, good_raw(good))])
    refused(demo_store, bad, "does not match its sha256", "nothing of it was imported")


def good_raw(good: Path) -> bytes:
    with zipfile.ZipFile(good) as archive:
        return archive.read(MANIFEST)


def test_a_missing_or_misdeclared_source_text(demo_store, good, tmp_path):
    bad = build(tmp_path / "nosource.briefingpack", [(MANIFEST, good_raw(good))])
    refused(demo_store, bad, "is missing")
    bad = repack(good, tmp_path, lambda m: m["sources"][0].update(bytes=5))
    refused(demo_store, bad, "not the 5 its manifest states")


def test_a_store_or_another_file_passed_as_a_pack(demo_store, demo_template, tmp_path):
    store_copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(demo_template, store_copy)
    refused(demo_store, store_copy, "is a Briefing store, not a pack")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    refused(demo_store, other, "is a SQLite database, not a Briefing pack")
    text = tmp_path / "notes.txt"
    text.write_text("Not a pack at all")
    refused(demo_store, text, "not a Briefing pack (it is not a zip file)")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%...")
    refused(demo_store, pdf, "is a PDF")
    empty = tmp_path / "empty.briefingpack"
    empty.write_bytes(b"")
    refused(demo_store, empty, "is empty")
    plain_zip = build(tmp_path / "photos.zip", [("photo.txt", b"hello")])
    refused(demo_store, plain_zip, "which no pack holds")
    only = build(tmp_path / "only.zip", [("sources/a.txt", b"hello")])
    refused(demo_store, only, "not a Briefing pack (no manifest.json)")
    refused(demo_store, tmp_path, "is not a file")


def test_a_source_with_one_of_our_uuids_but_another_text(demo_store, good, tmp_path):
    """Evidence never changes: a pack cannot rewrite a stored source's text."""
    manifest, files = contents(good)
    text = b"Quite another text, long enough for the quotes? No: none quote it."
    source = manifest["sources"][0]
    source.update(sha256=hashlib.sha256(text).hexdigest(), bytes=len(text))
    manifest["quotes"] = []
    manifest["answers"] = [dict(a, quote=None) for a in manifest["answers"]]
    manifest["notes"] = [n for n in manifest["notes"] if n["target"]["kind"] != "quote"]
    entries = [(source["file"], text), (MANIFEST, json.dumps(manifest).encode())]
    bad = build(tmp_path / "rewrite.briefingpack", entries)
    read_pack(bad)  # a well-formed pack ...
    refused(demo_store, bad, "another text", "nothing was imported")  # ... refused on merging


def test_a_directory_that_understates_a_size_is_read_no_further(demo_store, good, tmp_path):
    """The cap on reading is the size the directory declared: a bomb that lies about its size
    stops there (and fails its CRC) instead of filling the memory."""
    manifest, _ = contents(good)
    source = manifest["sources"][0]
    source["bytes"] = 1000
    bomb = b"\0" * (8 * 1024 * 1024)
    bad = build(
        tmp_path / "liar.briefingpack",
        [(source["file"], bomb), (MANIFEST, json.dumps(manifest).encode())],
    )
    data = bytearray(bad.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's first entry: the source
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    bad.write_bytes(bytes(data))
    with zipfile.ZipFile(bad) as archive:
        assert archive.getinfo(source["file"]).file_size == 1000
    refused(demo_store, bad, source["file"], "cannot be read")
