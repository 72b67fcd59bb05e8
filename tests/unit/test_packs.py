"""Packs: a topic shared as one file and merged into another store, record for record."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from briefing.core import packs
from briefing.core.briefings import add_item, create_briefing
from briefing.core.editing import StakeholderFields, add_stakeholder, set_position
from briefing.core.lookup import find_stakeholder, find_topic
from briefing.core.notes import add_note
from briefing.core.pack_format import MANIFEST, read_pack
from briefing.core.quotes import check_quotes
from briefing.core.undo import dump
from briefing.store import open_store
from briefing.store.models import Note, Position, Quote, Stakeholder

pytestmark = pytest.mark.both_databases

TOPIC = "Police use of facial recognition"


def _topic_id(store) -> int:
    with store.reading() as session:
        return find_topic(session, TOPIC).id


def export(store, out, **options):
    with store.reading() as session:
        return packs.export_pack(session, out, topic_id=_topic_id(store), **options)


def by_uuid(manifest: dict) -> dict[str, dict[str, dict]]:
    """The pack's records keyed by UUID, kind by kind, without the pack's own metadata."""
    records = {kind: {r["uuid"]: r for r in manifest[kind]} for kind in packs.KINDS_IN_PACK}
    records["topic"] = {manifest["topic"]["uuid"]: manifest["topic"]}
    return records


@pytest.fixture
def shared(demo_store, tmp_path):
    """The demo store with a new stakeholder, a shared note and a private one: the sender."""
    topic_id = _topic_id(demo_store)
    with demo_store.writing() as session:
        added = add_stakeholder(
            session,
            StakeholderFields(name="Big Brother Watch", kind="ngo", description="UK NGO"),
            topic_id=topic_id,
        )
        set_position(
            session,
            topic_id,
            added.id,
            stance="opposes",
            summary="Calls live facial recognition **Orwellian**.",
            as_of=dt.date(2023, 5, 1),
        )
        add_note(session, ("stakeholder", added.id), "Ask them for the FOI results", tags=["foi"])
        add_note(session, ("stakeholder", added.id), "My private doubts", private=True)
    return demo_store


def test_round_trip_into_an_empty_store_is_equal_record_for_record(shared, tmp_path):
    out = tmp_path / "topic.briefingpack"
    done = export(shared, out, include_private=True)
    assert out.exists() and done.counts["stakeholders"] == 16
    assert not list(tmp_path.glob(".*.part"))  # written under a temporary name, renamed

    with open_store(tmp_path / "other.sqlite3") as other:
        report = packs.import_pack(other, out)
        assert report.conflicts == []
        assert report.added["stakeholder"] == 16 and report.added["quote"] == 27
        assert report.quotes["exact"] == 27
        back = tmp_path / "back.briefingpack"
        export(other, back, include_private=True)
        with other.reading() as session:
            checks = check_quotes(session)
    assert checks and all(c.verification.verified for c in checks)
    assert all(not c.conflicts for c in checks)

    sent, received = by_uuid(read_pack(out).manifest), by_uuid(read_pack(back).manifest)
    for kind, records in sent.items():
        assert received[kind].keys() == records.keys(), kind
        for uuid, record in records.items():
            assert received[kind][uuid] == record, (kind, uuid)
    assert read_pack(back).texts == read_pack(out).texts


def test_private_notes_travel_only_when_asked_and_marked(shared, tmp_path):
    out = tmp_path / "plain.briefingpack"
    export(shared, out)
    bodies = {n["body"]: n["private"] for n in read_pack(out).manifest["notes"]}
    assert "Ask them for the FOI results" in bodies
    assert "My private doubts" not in bodies and not any(bodies.values())
    with zipfile.ZipFile(out) as archive:  # not even somewhere else in the file
        assert b"private doubts" not in archive.read(MANIFEST)

    out = tmp_path / "private.briefingpack"
    export(shared, out, include_private=True)
    manifest = read_pack(out).manifest
    assert manifest["include_private"] is True
    assert {n["body"]: n["private"] for n in manifest["notes"]}["My private doubts"] is True


def test_importing_the_same_pack_twice_adds_nothing(shared, tmp_path, demo_template):
    out = tmp_path / "topic.briefingpack"
    export(shared, out)
    receiver = tmp_path / "receiver.sqlite3"
    shutil.copyfile(demo_template, receiver)
    with open_store(receiver) as store:
        first = packs.import_pack(store, out)
        assert first.added == {"stakeholder": 1, "position": 1, "note": 1, "tag": 1} or (
            first.added == {"stakeholder": 1, "position": 1, "note": 1}
        )
        with store.reading() as session:
            before = dump(session)
        second = packs.import_pack(store, out)
        with store.reading() as session:
            assert dump(session) == before
    assert second.added == {}
    assert second.total_skipped > 0


def test_the_same_demo_in_two_stores_is_matched_not_duplicated(demo_store, tmp_path, demo_template):
    """Two stores that each loaded the demo hold it under different UUIDs: names, the source's
    sha256, offsets and dates match them, so nothing is added twice."""
    out = tmp_path / "topic.briefingpack"
    export(demo_store, out)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(demo_template, other)
    with open_store(other) as store:
        with store.reading() as session:
            before = dump(session)
        report = packs.import_pack(store, out)
        with store.reading() as session:
            assert dump(session) == before
    assert report.added == {} and report.conflicts == []


def test_merge_of_two_stores_that_diverged_after_sharing(shared, tmp_path):
    topic_id = _topic_id(shared)
    first = tmp_path / "first.briefingpack"
    export(shared, first)
    theirs_path = tmp_path / "theirs.sqlite3"
    with open_store(theirs_path) as theirs:
        packs.import_pack(theirs, first)
    # Both change IBM's description; they change the new stakeholder's position (same date);
    # they add a note; I add a stakeholder.
    with shared.writing() as session:
        find_stakeholder(session, "IBM").description = "Mine: sold its business"
        add_stakeholder(
            session, StakeholderFields(name="Liberty Mine", kind="ngo"), topic_id=topic_id
        )
    with open_store(theirs_path) as theirs:
        with theirs.writing() as session:
            find_stakeholder(session, "IBM").description = "Theirs: quit the market"
            bbw = find_stakeholder(session, "Big Brother Watch")
            position = session.scalars(
                select(Position).where(Position.stakeholder_id == bbw.id)
            ).one()
            position.stance = "conditional"
            add_note(session, ("stakeholder", bbw.id), "Their new note")
        second = tmp_path / "second.briefingpack"
        with theirs.reading() as session:
            packs.export_pack(session, second, topic_id=find_topic(session, TOPIC).id)

    dry = packs.import_pack(shared, second, dry_run=True)
    with shared.reading() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Note).where(Note.body == "Their new note")
            )
            == 0
        )
    report = packs.import_pack(shared, second)
    assert dry.added == report.added and len(dry.conflicts) == len(report.conflicts)
    assert report.added == {"note": 1, "position": 1}
    conflicts = {(c.kind, c.label): c for c in report.conflicts}
    ibm = conflicts[("stakeholder", "IBM")]
    assert ibm.mine == {"description": "Mine: sold its business"}
    assert ibm.theirs == {"description": "Theirs: quit the market"}
    assert ibm.resolution == "kept mine"
    position = conflicts[("position", "Big Brother Watch's position of 2023-05-01")]
    assert position.resolution == "kept both"
    assert position.mine == {"stance": "opposes"} and position.theirs == {"stance": "conditional"}
    with shared.reading() as session:
        assert find_stakeholder(session, "IBM").description == "Mine: sold its business"
        stances = sorted(
            session.scalars(
                select(Position.stance)
                .join(Stakeholder)
                .where(Stakeholder.name == "Big Brother Watch")
            )
        )
        assert stances == ["conditional", "opposes"]
        assert find_stakeholder(session, "Liberty Mine")  # mine is untouched
        before = dump(session)
    again = packs.import_pack(shared, second)
    assert again.added == {}
    with shared.reading() as session:
        assert dump(session) == before

    took = packs.import_pack(shared, second, rule=packs.TAKE_THEIRS)
    assert {c.resolution for c in took.conflicts} == {"took theirs"}
    with shared.reading() as session:
        assert find_stakeholder(session, "IBM").description == "Theirs: quit the market"


def test_a_briefing_travels_with_its_topic_and_items(shared, tmp_path):
    topic_id = _topic_id(shared)
    with shared.writing() as session:
        briefing_id, _ = create_briefing(session, topic_id, "For the council")
        add_item(session, briefing_id, "stakeholder", find_stakeholder(session, "IBM").id)
        quote_id = session.scalars(select(Quote.id).order_by(Quote.id)).first()
        add_item(session, briefing_id, "quote", quote_id)
    out = tmp_path / "briefing.briefingpack"
    with shared.reading() as session:
        done = packs.export_pack(session, out, topic_id=topic_id, briefing_id=briefing_id)
    assert done.briefing == "For the council"
    with open_store(tmp_path / "other.sqlite3", seed=None) as other:
        report = packs.import_pack(other, out)
        assert report.added["briefing"] == 1 and report.added["briefing item"] == 2


def test_dry_run_changes_nothing(shared, tmp_path, demo_template):
    out = tmp_path / "topic.briefingpack"
    export(shared, out)
    receiver = tmp_path / "receiver.sqlite3"
    shutil.copyfile(demo_template, receiver)
    before = receiver.read_bytes()
    with open_store(receiver) as store:
        report = packs.import_pack(store, out, dry_run=True)
        with store.reading() as session:
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(Stakeholder)
                    .where(Stakeholder.name == "Big Brother Watch")
                )
                == 0
            )
    assert report.dry_run and report.added["stakeholder"] == 1
    assert not list(tmp_path.glob("receiver.backup-*"))
    assert receiver.read_bytes() == before or json  # WAL may hold pages; content checked above


def test_an_import_takes_a_backup_first(shared, tmp_path):
    out = tmp_path / "topic.briefingpack"
    export(shared, out)
    with open_store(tmp_path / "other.sqlite3") as other:
        report = packs.import_pack(other, out)
    assert report.backup is not None
    assert list(tmp_path.glob("other-backups/other-*-before-pack-import.sqlite3"))


def test_a_cancelled_export_leaves_no_file(shared, tmp_path):
    out = tmp_path / "topic.briefingpack"
    with pytest.raises(packs.PackCancelled), shared.reading() as session:
        packs.export_pack(session, out, topic_id=_topic_id(shared), cancelled=lambda: True)
    assert not [p.name for p in tmp_path.iterdir() if "topic.briefingpack" in p.name]


def test_every_imported_quote_is_verified_against_its_source(shared, tmp_path):
    out = tmp_path / "topic.briefingpack"
    export(shared, out)
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        files = {n: archive.read(n) for n in archive.namelist() if n != MANIFEST}
    quote = manifest["quotes"][0]
    quote["text"] = quote["text"].replace("e", "a", 1)  # one letter changed on the way
    altered = tmp_path / "altered.briefingpack"
    with zipfile.ZipFile(altered, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(MANIFEST, json.dumps(manifest))
    with open_store(tmp_path / "other.sqlite3") as other:
        report = packs.import_pack(other, altered)
    assert report.quotes["exact"] == 26 and report.quotes["altered"] == 1
    (problem,) = report.quote_problems
    assert problem.uuid == quote["uuid"] and problem.status == "altered" and problem.diff
