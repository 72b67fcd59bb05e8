"""Packs keep which sources are primary documents of which stakeholders: export, import, merge,
and a pack written before the field existed."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from briefing.core import packs
from briefing.core.lookup import find_stakeholder, find_topic
from briefing.core.pack_format import MANIFEST, PackError, read_pack
from briefing.core.primary import mark_primary, primary_checks, primary_owners
from briefing.core.sources import import_source
from briefing.store import open_store
from briefing.store.models import Quote, Source

pytestmark = pytest.mark.both_databases

TOPIC = "Police use of facial recognition"
LETTER = Path(__file__).parent.parent / "data" / "primary" / "ibm-letter-2020-06-08.txt"
REWORDED = "now not affords common objective IBM facial recognition or evaluation software program."


def _letter(store) -> int:
    """IBM's letter, imported and marked as IBM's primary document: its id."""
    with store.writing() as session:
        source = import_source(session, LETTER, title="Letter to Congress")
        mark_primary(session, source.id, ["IBM"])
        return source.id


def _export(store, out: Path) -> Path:
    with store.reading() as session:
        topic = find_topic(session, TOPIC).id
        packs.export_pack(session, out, topic_id=topic)
    return out


def _owners_by_title(store) -> dict[str, list[str]]:
    with store.reading() as session:
        owners = primary_owners(session)
        titles = {sid: title for sid, title in session.execute(select(Source.id, Source.title))}
    return {titles[sid]: names for sid, names in owners.items()}


def _rewrite_manifest(pack: Path, out: Path, change) -> Path:
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode("utf-8")
            dst.writestr(info.filename, data)
    return out


@pytest.fixture
def sender(demo_store):
    _letter(demo_store)
    return demo_store


def test_export_carries_the_letter_and_whose_primary_document_it_is(sender, tmp_path):
    pack = read_pack(_export(sender, tmp_path / "t.briefingpack"))
    ibm = next(s for s in pack.manifest["stakeholders"] if s["name"] == "IBM")
    letter = next(s for s in pack.manifest["sources"] if s["title"] == "Letter to Congress")
    assert letter["primary_for"] == [ibm["uuid"]]
    # The letter travels although no quote comes from it: it is what IBM's quotes are held to.
    assert all(s["primary_for"] == [] for s in pack.manifest["sources"] if s is not letter)


def test_import_into_an_empty_store_keeps_the_link_and_the_reworded_flag(sender, tmp_path):
    pack = _export(sender, tmp_path / "t.briefingpack")
    other = open_store(tmp_path / "other.db")
    report = packs.import_pack(other, pack)
    assert report.added["primary document link"] == 1
    assert _owners_by_title(other) == {"Letter to Congress": ["IBM"]}
    with other.reading() as session:
        checks = primary_checks(session)
    with other.reading() as session:
        quotes = dict(session.execute(select(Quote.id, Quote.text)).all())
    flagged = {quotes[c.quote_id]: c for c in checks.values() if c.reworded}
    assert flagged[REWORDED].passage.text.startswith("no longer offers general purpose IBM")
    assert flagged[REWORDED].source_title == "Letter to Congress"
    # Importing it again adds no link twice.
    again = packs.import_pack(other, pack)
    assert "primary document link" not in again.added
    assert again.skipped["primary document link"] == 1
    assert _owners_by_title(other) == {"Letter to Congress": ["IBM"]}


def test_merge_adds_links_to_a_store_that_has_the_letter_unmarked(demo_store, tmp_path):
    """The receiver imported the same letter but never marked it: the merge matches the source by
    its sha256 and adds the link; a link only the receiver has stays."""
    sender = open_store(tmp_path / "sender.db")
    packs.import_pack(sender, _export(demo_store, tmp_path / "demo.briefingpack"))
    _letter(sender)
    with demo_store.writing() as session:  # the receiver: same letter, marked for Microsoft
        source = import_source(session, LETTER, title="IBM letter (my copy)")
        mark_primary(session, source.id, ["Microsoft"])
    report = packs.import_pack(demo_store, _export(sender, tmp_path / "s.briefingpack"))
    assert report.added["primary document link"] == 1
    assert _owners_by_title(demo_store) == {"IBM letter (my copy)": ["IBM", "Microsoft"]}


def test_dry_run_reports_the_link_and_adds_none(sender, tmp_path):
    pack = _export(sender, tmp_path / "t.briefingpack")
    other = open_store(tmp_path / "other.db")
    report = packs.import_pack(other, pack, dry_run=True)
    assert report.added["primary document link"] == 1
    assert _owners_by_title(other) == {}


def test_an_older_pack_without_the_field_still_imports(sender, tmp_path):
    def drop(manifest):
        for source in manifest["sources"]:
            del source["primary_for"]

    old = _rewrite_manifest(
        _export(sender, tmp_path / "t.briefingpack"), tmp_path / "old.briefingpack", drop
    )
    other = open_store(tmp_path / "other.db")
    report = packs.import_pack(other, old)
    assert report.added["source"] >= 2
    assert "primary document link" not in report.added
    assert _owners_by_title(other) == {}
    with other.reading() as session:
        assert find_stakeholder(session, "IBM").name == "IBM"
        assert primary_checks(session) == {}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not a list", "sources[*].primary_for should be a list"),
        ([42], "primary_for[0] should be a stakeholder's UUID"),
        (["NOT-A-UUID"], "primary_for[0] should be a stakeholder's UUID"),
        (
            ["00000000-0000-4000-8000-000000000000"],
            "which is not among the pack's stakeholders",
        ),
    ],
)
def test_a_bad_primary_for_refuses_the_pack_and_changes_nothing(sender, tmp_path, value, words):
    def spoil(manifest):
        letter = next(s for s in manifest["sources"] if s["title"] == "Letter to Congress")
        letter["primary_for"] = value

    bad = _rewrite_manifest(
        _export(sender, tmp_path / "t.briefingpack"), tmp_path / "bad.briefingpack", spoil
    )
    other = open_store(tmp_path / "other.db")
    with other.reading() as session:
        before = session.scalars(select(Source.id)).all()
    with pytest.raises(PackError) as caught:
        packs.import_pack(other, bad)
    message = str(caught.value)
    for part in words.split("*"):
        assert part.strip("[]") in message
    with other.reading() as session:
        assert session.scalars(select(Source.id)).all() == before
    assert _owners_by_title(other) == {}
