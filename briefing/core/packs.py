"""Sharing a topic as one file, and merging what colleagues send (packs).

`export_pack` writes a topic (or a briefing with its topic) to a pack file; the file format and
its checks live in `briefing.core.pack_format`, its fields are described in `docs/packs.md`.

`merge_pack` merges a checked pack into the store in the caller's transaction; `import_pack` is
the command line's use of it (a backup first, one transaction, or a dry run that rolls back).

What travels: the topic; its stakeholders (those on the topic, with the organisations people
speak for, and anyone quoted or answering); its dated positions, questions, answers and events;
the quotes of its stakeholders (and those answers or the briefing cite), each with the full text
of its source and that text's sha256; tags; and the notes on all of these that may be shared
(`core.notes.only_shareable`: private notes only when the user asks, and then marked private).
A quote whose source was deleted cannot be checked by anyone, so it does not travel.

How records are matched, kind by kind, first by UUID and then by what makes them the same thing
when two stores made them apart (two stores that each loaded the demo topic hold the same
records under different UUIDs):

    topic        UUID, then name (any case)
    stakeholder  UUID, then name (`core.lookup.find_stakeholder`: the way names compare)
    source       sha256 of the text, then UUID: the same document imported twice is one source
    position     UUID, then stakeholder + date
    quote        UUID, then source + offsets
    question     UUID, then the topic's question with the same words
    answer       UUID, then question + stakeholder
    event        UUID, then date + title
    note         UUID, then the same words on the same record
    briefing     UUID, then title on the topic; its items by UUID, then by what they show
    tag          name (any case)

A pack record that matches nothing is added under its own UUID, with its own creation and
update times. One that matches and says the same is skipped (unchanged). One that matches and
differs is a conflict: the report lists both versions and what was done, by the rule the user
chose (`RULES`): keep mine, take theirs, or keep both, which keeps both versions of a dated
position (theirs is added beside mine, under a UUID derived from theirs and its content, so
importing the same pack again adds nothing) and keeps mine for everything else. Sources are
evidence: their text never changes, and a pack whose source has a UUID of ours but another text
is refused. Every quote of the pack is verified against its source's text.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from briefing.core.changes import Changes
from briefing.core.lookup import as_id, find_stakeholder, find_topic
from briefing.core.pack_export import (  # noqa: F401 - export_pack and its record, as before
    CHUNK,
    ExportedPack,
    _chunks,
    _never,
    collect_pack,
    export_pack,
)
from briefing.core.pack_format import (
    KINDS,
    SUFFIX,
    Cancelled,
    Pack,
    PackCancelled,
    PackError,
    Progress,
    quiet,
    read_pack,
)
from briefing.core.verify import STATUSES, verify_quote
from briefing.errors import NotFound
from briefing.store.models import (
    Answer,
    Briefing,
    BriefingItem,
    Event,
    Note,
    Position,
    Question,
    Quote,
    Source,
    Stakeholder,
    Tag,
    Topic,
    primary_documents,
    topic_stakeholders,
)

KEEP_MINE = "keep-mine"
TAKE_THEIRS = "take-theirs"
KEEP_BOTH = "keep-both"
RULES = (KEEP_BOTH, KEEP_MINE, TAKE_THEIRS)
RULE_WORDS = {
    KEEP_BOTH: "keep both versions of a dated position; keep mine for everything else",
    KEEP_MINE: "keep mine",
    TAKE_THEIRS: "take theirs",
}
KINDS_IN_PACK = KINDS  # the lists of records a manifest holds, besides its topic

__all__ = [
    "KEEP_BOTH",
    "KEEP_MINE",
    "RULES",
    "SUFFIX",
    "TAKE_THEIRS",
    "Conflict",
    "ExportedPack",
    "ImportReport",
    "PackCancelled",
    "PackError",
    "backup_before_import",
    "collect_pack",
    "export_pack",
    "import_pack",
    "merge_pack",
    "read_pack",
    "resolution_for",
]


# -- export ------------------------------------------------------------------------------------


# -- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A record both stores hold, differently: both versions and what was done."""

    kind: str  # "stakeholder", "position", ...
    uuid: str  # the pack's
    label: str  # the record in words: "IBM", "IBM's position of 2020-06-08"
    mine: dict[str, Any]
    theirs: dict[str, Any]
    fields: tuple[str, ...]  # the fields that differ
    resolution: str  # "kept mine", "took theirs", "kept both"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "uuid": self.uuid,
            "label": self.label,
            "fields": list(self.fields),
            "mine": {k: _plain(v) for k, v in self.mine.items()},
            "theirs": {k: _plain(v) for k, v in self.theirs.items()},
            "resolution": self.resolution,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class QuoteProblem:
    uuid: str
    text: str
    status: str
    diff: str | None


@dataclass
class ImportReport:
    """What a pack import did (or, in a dry run, would do)."""

    pack: str
    topic: str
    rule: str
    dry_run: bool
    include_private: bool
    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    quotes: dict[str, int] = field(default_factory=dict)  # verification status -> count
    quote_problems: list[QuoteProblem] = field(default_factory=list)
    backup: str | None = None
    changes: Changes = field(default_factory=Changes)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "topic": self.topic,
            "dry_run": self.dry_run,
            "rule": self.rule,
            "include_private": self.include_private,
            "added": self.added,
            "skipped": self.skipped,
            "conflicts": [c.as_dict() for c in self.conflicts],
            "quotes": self.quotes,
            "quote_problems": [
                {"uuid": p.uuid, "text": p.text, "status": p.status, "diff": p.diff}
                for p in self.quote_problems
            ],
            "backup": self.backup,
        }


def resolution_for(kind: str, rule: str) -> str:
    """What a rule does with a conflict over a record of this kind, in the report's words."""
    if rule == TAKE_THEIRS:
        return "took theirs"
    if rule == KEEP_BOTH and kind == "position":
        return "kept both"
    return "kept mine"


def _derived_uuid(uuid: str, content: dict[str, Any]) -> str:
    """The UUID "keep both" gives their version: the same for the same record and content, so
    importing the same pack again finds it instead of adding it twice."""
    key = json.dumps({k: _plain(v) for k, v in sorted(content.items())}, sort_keys=True)
    return str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"briefing-pack:{uuid}:{key}"))


class _Merger:
    """Merges one pack in one session, kind by kind, mapping the pack's UUIDs to local ids."""

    def __init__(
        self,
        session: Session,
        pack: Pack,
        rule: str,
        report: ImportReport,
        progress: Progress,
        cancelled: Cancelled,
    ) -> None:
        if rule not in RULES:
            raise PackError(f"the rule for conflicts is one of {', '.join(RULES)}, not {rule!r}")
        self.session = session
        self.pack = pack
        self.rule = rule
        self.report = report
        self.progress = progress
        self.cancelled = cancelled
        self.ids: dict[str, dict[str, int]] = {}  # kind -> pack uuid -> local id
        self.done = 0
        self.total = 1 + sum(len(pack.records(kind)) for kind in KINDS)
        self.changed: set[str] = set()
        self.tag_cache: dict[str, Tag] = {}

    # -- bookkeeping

    def step(self) -> None:
        self.done += 1
        if self.done % 200 == 0 or self.done == self.total:
            if self.cancelled():
                raise PackCancelled(f"the import of {self.pack.path.name} was cancelled")
            self.progress(self.done, self.total)

    def count(self, what: str, kind: str) -> None:
        bucket = self.report.added if what == "added" else self.report.skipped
        bucket[kind] = bucket.get(kind, 0) + 1
        if what == "added":
            self.changed.add(kind)

    def existing(self, model, uuids: Iterable[str], *collections) -> dict[str, Any]:
        """Local records of `model` with these UUIDs (with these collections loaded)."""
        found: dict[str, Any] = {}
        for chunk in _chunks(uuids):
            statement = select(model).where(model.uuid.in_(chunk))
            if collections:
                statement = statement.options(*(selectinload(c) for c in collections))
            for record in self.session.scalars(statement):
                found[record.uuid] = record
        return found

    def tags(self, names: list[str]) -> list[Tag]:
        tags = []
        for name in names:
            key = name.casefold()
            if key not in self.tag_cache:
                tag = self.session.scalars(select(Tag).where(func.lower(Tag.name) == key)).first()
                if tag is None:
                    tag = Tag(name=name)
                    self.session.add(tag)
                    self.changed.add("tag")
                self.tag_cache[key] = tag
            tags.append(self.tag_cache[key])
        return tags

    def tagged(self, entry: dict[str, Any]) -> dict[str, list[Tag]]:
        """The `tags` of a record to add, left out when it has none: setting an empty
        collection costs the ORM more than the rest of the row (20,000 rows, a second)."""
        return {"tags": self.tags(entry["tags"])} if entry["tags"] else {}

    @staticmethod
    def tag_key(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({n.casefold() for n in names}))

    def settle(
        self,
        kind: str,
        record,
        entry: dict[str, Any],
        theirs: dict[str, Any],
        label: str,
        *,
        mine_extra: dict[str, Any] | None = None,
        theirs_extra: dict[str, Any] | None = None,
        apply_extra: Callable[[], None] | None = None,
        keep_both: Callable[[], None] | None = None,
    ) -> None:
        """Compare a matched record with the pack's version and resolve a difference."""
        mine = {key: getattr(record, key) for key in theirs}
        mine.update(mine_extra or {})
        theirs_all = dict(theirs, **(theirs_extra or {}))
        differing = tuple(key for key in theirs_all if mine[key] != theirs_all[key])
        if not differing:
            self.count("skipped", kind)
            return
        resolution = resolution_for(kind, self.rule)
        if self.rule == TAKE_THEIRS:
            for key, value in theirs.items():
                setattr(record, key, value)
            if apply_extra is not None:
                apply_extra()
            self.changed.add(kind)
        elif self.rule == KEEP_BOTH and keep_both is not None:
            keep_both()
        self.report.conflicts.append(
            Conflict(
                kind=kind,
                uuid=entry["uuid"],
                label=label,
                mine={_field_name(k): self.words(k, mine[k]) for k in differing},
                theirs={_field_name(k): self.words(k, theirs_all[k]) for k in differing},
                fields=tuple(_field_name(k) for k in differing),
                resolution=resolution,
            )
        )

    def words(self, key: str, value: Any) -> Any:
        """A reference in a conflict as a person reads it: a name, not a row id."""
        if value is None or not key.endswith("_id"):
            return list(value) if isinstance(value, tuple) else value
        model = _REFERENCED[key]
        record = self.session.get(model, value)
        if record is None:
            return None
        if isinstance(record, Quote):
            return f"\u201c{_short(record.text)}\u201d"
        return getattr(record, "name", None) or getattr(record, "title", None) or record.text

    def add(self, kind: str, model, entry: dict[str, Any], values: dict[str, Any], uuid=None):
        record = model(
            uuid=uuid or entry["uuid"],
            created_at=entry["created_at"],
            updated_at=entry["updated_at"],
            **values,
        )
        self.session.add(record)
        self.count("added", kind)
        return record

    # -- kinds, in the order their references need

    def run(self) -> None:
        self.topic()
        self.stakeholders()
        self.sources()
        self.session.flush()
        self.positions()
        self.quotes()
        self.session.flush()
        self.questions()
        self.session.flush()
        self.answers()
        self.events()
        self.session.flush()
        self.notes()
        self.session.flush()
        self.briefings()
        self.session.flush()
        self.progress(self.total, self.total)

    def topic(self) -> None:
        entry = self.pack.manifest["topic"]
        topic = self.existing(Topic, [entry["uuid"]]).get(entry["uuid"])
        if topic is None:
            topic = self._topic_named(entry["name"])
        theirs = {"name": entry["name"], "description": entry["description"]}
        if topic is None:
            topic = self.add("topic", Topic, entry, theirs)
            self.session.flush()
        else:
            if (
                self.rule == TAKE_THEIRS
                and topic.name != entry["name"]
                and self._topic_named(entry["name"]) not in (None, topic)
            ):
                theirs["name"] = topic.name  # another topic has that name: keep ours
            self.settle("topic", topic, entry, theirs, f"the topic {topic.name}")
        self.topic_id = topic.id
        self.report.topic = topic.name if topic.name else entry["name"]
        self.step()

    def _topic_named(self, name: str) -> Topic | None:
        try:
            found = find_topic(self.session, name)
        except NotFound:
            return None
        if as_id(name) is not None and found.name.casefold() != name.strip().casefold():
            return None  # "12" found topic 12 by its id, not by its name
        return self.session.get(Topic, found.id)

    def _stakeholder_named(self, name: str) -> Stakeholder | None:
        try:
            found = find_stakeholder(self.session, name)
        except NotFound:
            return None
        if as_id(name) is not None and found.name.casefold() != name.strip().casefold():
            return None
        return found

    def stakeholders(self) -> None:
        entries = self.pack.records("stakeholders")
        by_uuid = self.existing(Stakeholder, [e["uuid"] for e in entries])
        ids = self.ids["stakeholders"] = {}
        matched: list[tuple[dict, Stakeholder | None]] = []
        for entry in entries:
            record = by_uuid.get(entry["uuid"]) or self._stakeholder_named(entry["name"])
            values = {
                "name": entry["name"],
                "kind": entry["kind"],
                "description": entry["description"],
                "influence": entry["influence"],
            }
            if record is None:
                record = self.add("stakeholder", Stakeholder, entry, values)
                matched.append((entry, None))
            else:
                matched.append((entry, record))
            self.session.flush()
            ids[entry["uuid"]] = record.id
            if entry["on_topic"]:
                linked = self.session.execute(
                    select(topic_stakeholders.c.stakeholder_id).where(
                        topic_stakeholders.c.topic_id == self.topic_id,
                        topic_stakeholders.c.stakeholder_id == record.id,
                    )
                ).first()
                if linked is None:
                    self.session.execute(
                        topic_stakeholders.insert().values(
                            topic_id=self.topic_id, stakeholder_id=record.id
                        )
                    )
                    self.changed.add("stakeholder")
            self.step()
        # Parents once every stakeholder has a local id; then compare the ones we had.
        for entry, record in matched:
            parent = ids.get(entry["parent"]) if entry["parent"] else None
            if record is None:
                if parent is not None:
                    self._set_keeping_time(Stakeholder, ids[entry["uuid"]], entry, parent_id=parent)
                continue
            theirs = {
                "name": entry["name"],
                "kind": entry["kind"],
                "description": entry["description"],
                "influence": entry["influence"],
                "parent_id": parent,
            }
            if theirs["parent_id"] == record.id:
                theirs["parent_id"] = record.parent_id  # never make one its own parent
            if self.rule == TAKE_THEIRS and record.name != entry["name"]:
                other = self._stakeholder_named(entry["name"])
                if other is not None and other.id != record.id:
                    theirs["name"] = record.name  # another stakeholder has that name
            self.settle("stakeholder", record, entry, theirs, record.name)

    def _set_keeping_time(self, model, record_id: int, entry: dict, **values) -> None:
        """Set a reference of a record just added, keeping their update time (the ORM would
        stamp the time of this import)."""
        table = model.__table__
        self.session.execute(
            update(table)
            .where(table.c.id == record_id)
            .values(updated_at=entry["updated_at"], **values)
        )
        self.session.expire(self.session.get(model, record_id))

    def sources(self) -> None:
        entries = self.pack.records("sources")
        by_uuid = self.existing(Source, [e["uuid"] for e in entries], Source.tags)
        by_sha: dict[str, Source] = {}
        for chunk in _chunks([e["sha256"] for e in entries]):
            for source in self.session.scalars(
                select(Source).where(Source.sha256.in_(chunk)).options(selectinload(Source.tags))
            ):
                by_sha.setdefault(source.sha256, source)
        records: list[tuple[dict, Source]] = []
        added: list[tuple[dict, Source]] = []
        for entry in entries:
            same_uuid = by_uuid.get(entry["uuid"])
            if same_uuid is not None and same_uuid.sha256 != entry["sha256"]:
                raise PackError(
                    f"{self.pack.path.name} is refused: its source {entry['title']!r} has the id "
                    f"of source {same_uuid.id} ({same_uuid.title}) here, but another text; a "
                    "source's text never changes, so nothing was imported"
                )
            record = by_sha.get(entry["sha256"]) or same_uuid
            theirs = {
                "title": entry["title"],
                "publisher": entry["publisher"],
                "author": entry["author"],
                "url": entry["url"],
                "published": entry["published"],
                "kind": entry["kind"],
                "description": entry["description"],
            }
            if record is None:
                pages = entry["page_starts"]
                record = self.add(
                    "source",
                    Source,
                    entry,
                    dict(
                        theirs,
                        text=self.pack.texts[entry["uuid"]],
                        sha256=entry["sha256"],
                        page_starts=json.dumps(pages) if pages is not None else None,
                        **self.tagged(entry),
                    ),
                )
                by_sha[entry["sha256"]] = record
                added.append((entry, record))
            else:
                self.settle(
                    "source",
                    record,
                    entry,
                    theirs,
                    record.title,
                    mine_extra={"tags": self.tag_key(t.name for t in record.tags)},
                    theirs_extra={"tags": self.tag_key(entry["tags"])},
                    apply_extra=lambda r=record, e=entry: setattr(r, "tags", self.tags(e["tags"])),
                )
            records.append((entry, record))
            self.step()
        self.session.flush()
        ids = self.ids["sources"] = {entry["uuid"]: record.id for entry, record in records}
        for entry, record in added:
            if entry["revision_of"] is not None:
                revised = ids.get(entry["revision_of"])
                self._set_keeping_time(Source, record.id, entry, revision_of_id=revised)
        self.primary_links(records)

    def primary_links(self, records: list[tuple[dict, Source]]) -> None:
        """Which sources are primary documents of which stakeholders: links only add up (one
        that the store has already is skipped; one the store has and the pack lacks stays)."""
        owners = self.ids["stakeholders"]
        wanted = {
            (record.id, owners[owner])
            for entry, record in records
            for owner in entry["primary_for"]
            if owner in owners
        }
        if not wanted:
            return
        have: set[tuple[int, int]] = set()
        for chunk in _chunks({source_id for source_id, _ in wanted}):
            have.update(
                (source_id, owner)
                for source_id, owner in self.session.execute(
                    select(primary_documents.c.source_id, primary_documents.c.stakeholder_id).where(
                        primary_documents.c.source_id.in_(chunk)
                    )
                )
            )
        new = sorted(wanted - have)
        for _ in range(len(wanted) - len(new)):
            self.count("skipped", "primary document link")
        if new:
            self.session.execute(
                insert(primary_documents),
                [{"source_id": sid, "stakeholder_id": owner} for sid, owner in new],
            )
            for _ in new:
                self.count("added", "primary document link")
            self.changed.add("source")

    def positions(self) -> None:
        entries = self.pack.records("positions")
        by_uuid = self.existing(Position, [e["uuid"] for e in entries])
        by_date: dict[tuple[int, dt.date], Position] = {}
        for position in self.session.scalars(
            select(Position).where(Position.topic_id == self.topic_id).order_by(Position.id)
        ):
            by_date.setdefault((position.stakeholder_id, position.as_of), position)
        records: list[tuple[dict, Position]] = []
        for entry in entries:
            stakeholder_id = self.ids["stakeholders"][entry["stakeholder"]]
            theirs = {
                "stance": entry["stance"],
                "headline": entry["headline"],
                "summary": entry["summary"],
                "as_of": entry["as_of"],
            }
            record = by_uuid.get(entry["uuid"]) or by_date.get((stakeholder_id, entry["as_of"]))
            if record is None:
                record = self.add(
                    "position",
                    Position,
                    entry,
                    dict(theirs, stakeholder_id=stakeholder_id, topic_id=self.topic_id),
                )
                by_date[(stakeholder_id, entry["as_of"])] = record
            else:
                both_uuid = _derived_uuid(entry["uuid"], theirs)
                name = self.session.get(Stakeholder, stakeholder_id).name
                label = f"{name}'s position of {entry['as_of'].isoformat()}"
                already = bool(self.existing(Position, [both_uuid]))

                def keep_both(entry=entry, theirs=theirs, both_uuid=both_uuid, sid=stakeholder_id):
                    self.add(
                        "position",
                        Position,
                        entry,
                        dict(theirs, stakeholder_id=sid, topic_id=self.topic_id),
                        uuid=both_uuid,
                    )

                if already and self.rule == KEEP_BOTH:
                    self.count("skipped", "position")  # their version is already beside mine
                else:
                    self.settle(
                        "position",
                        record,
                        entry,
                        theirs,
                        label,
                        keep_both=None if already else keep_both,
                    )
            records.append((entry, record))
            self.step()
        self.session.flush()
        self.ids["positions"] = {entry["uuid"]: record.id for entry, record in records}

    def quotes(self) -> None:
        entries = self.pack.records("quotes")
        by_uuid = self.existing(Quote, [e["uuid"] for e in entries], Quote.tags)
        by_place: dict[tuple, Quote] = {}
        # Matching by place is for quotes whose UUID is not here: only their sources are read.
        source_ids = sorted(
            {self.ids["sources"][e["source"]] for e in entries if e["uuid"] not in by_uuid}
        )
        for chunk in _chunks(source_ids):
            for quote in self.session.scalars(
                select(Quote)
                .where(Quote.source_id.in_(chunk))
                .order_by(Quote.id)
                .options(selectinload(Quote.tags))
            ):
                key = (quote.source_id, quote.start, quote.end, quote.speaker_id)
                by_place.setdefault(key, quote)
        statuses = dict.fromkeys(STATUSES, 0)
        records: list[tuple[dict, Quote]] = []
        for entry in entries:
            source_text = self.pack.texts[entry["source"]]
            check = verify_quote(entry["text"], source_text, entry["start"], entry["end"])
            statuses[check.status] += 1
            if not check.verified:
                self.report.quote_problems.append(
                    QuoteProblem(entry["uuid"], entry["text"], check.status, check.diff)
                )
            source_id = self.ids["sources"][entry["source"]]
            speaker = self.ids["stakeholders"].get(entry["speaker"]) if entry["speaker"] else None
            theirs = {
                "start": entry["start"],
                "end": entry["end"],
                "text": entry["text"],
                "speaker_id": speaker,
                "said_on": entry["said_on"],
                "attribution": entry["attribution"],
            }
            place = (source_id, entry["start"], entry["end"], speaker)
            record = by_uuid.get(entry["uuid"]) or by_place.get(place)
            if record is None:
                record = self.add(
                    "quote",
                    Quote,
                    entry,
                    dict(theirs, source_id=source_id, **self.tagged(entry)),
                )
                by_place[place] = record
            else:
                self.settle_tagged(
                    "quote", record, entry, theirs, f"the quote \u201c{_short(record.text)}\u201d"
                )
            records.append((entry, record))
            self.step()
        self.session.flush()
        self.ids["quotes"] = {entry["uuid"]: record.id for entry, record in records}
        self.report.quotes = statuses

    def settle_tagged(self, kind: str, record, entry, theirs, label: str) -> None:
        """`settle` for a record that carries tags (quotes, notes): the tags count as a field."""
        self.settle(
            kind,
            record,
            entry,
            theirs,
            label,
            mine_extra={"tags": self.tag_key(t.name for t in record.tags)},
            theirs_extra={"tags": self.tag_key(entry["tags"])},
            apply_extra=lambda r=record, e=entry: setattr(r, "tags", self.tags(e["tags"])),
        )

    def questions(self) -> None:
        entries = self.pack.records("questions")
        by_uuid = self.existing(Question, [e["uuid"] for e in entries])
        local = {
            q.text.casefold(): q
            for q in self.session.scalars(
                select(Question).where(Question.topic_id == self.topic_id)
            )
        }
        last = max((q.sort_order for q in local.values()), default=-1)
        records: list[tuple[dict, Question]] = []
        for entry in entries:
            record = by_uuid.get(entry["uuid"]) or local.get(entry["text"].casefold())
            if record is None:
                last += 1
                record = self.add(
                    "question",
                    Question,
                    entry,
                    {"text": entry["text"], "topic_id": self.topic_id, "sort_order": last},
                )
                local[entry["text"].casefold()] = record
            else:
                self.settle("question", record, entry, {"text": entry["text"]}, record.text)
            records.append((entry, record))
            self.step()
        self.session.flush()
        self.ids["questions"] = {entry["uuid"]: record.id for entry, record in records}

    def answers(self) -> None:
        entries = self.pack.records("answers")
        by_uuid = self.existing(Answer, [e["uuid"] for e in entries])
        by_pair: dict[tuple[int, int], Answer] = {}
        for chunk in _chunks(sorted(set(self.ids["questions"].values()))):
            for answer in self.session.scalars(select(Answer).where(Answer.question_id.in_(chunk))):
                by_pair[(answer.question_id, answer.stakeholder_id)] = answer
        for entry in entries:
            question_id = self.ids["questions"][entry["question"]]
            stakeholder_id = self.ids["stakeholders"][entry["stakeholder"]]
            quote = self.ids["quotes"].get(entry["quote"]) if entry["quote"] else None
            theirs = {"answer": entry["answer"], "quote_id": quote, "comment": entry["comment"]}
            record = by_uuid.get(entry["uuid"])
            if record is not None and (
                record.question_id != question_id or record.stakeholder_id != stakeholder_id
            ):
                record = None
            record = record or by_pair.get((question_id, stakeholder_id))
            if record is None:
                uuid = entry["uuid"] if entry["uuid"] not in by_uuid else str(uuid_module.uuid4())
                by_pair[(question_id, stakeholder_id)] = self.add(
                    "answer",
                    Answer,
                    entry,
                    dict(theirs, question_id=question_id, stakeholder_id=stakeholder_id),
                    uuid=uuid,
                )
            else:
                who = self.session.get(Stakeholder, stakeholder_id).name
                what = self.session.get(Question, question_id).text
                self.settle("answer", record, entry, theirs, f"{who}: {what}")
            self.step()

    def events(self) -> None:
        entries = self.pack.records("events")
        by_uuid = self.existing(Event, [e["uuid"] for e in entries])
        by_title: dict[tuple[dt.date, str], Event] = {}
        for event in self.session.scalars(
            select(Event).where(Event.topic_id == self.topic_id).order_by(Event.id)
        ):
            by_title.setdefault((event.occurred_on, event.title.casefold()), event)
        for entry in entries:
            theirs = {
                "occurred_on": entry["occurred_on"],
                "precision": entry["precision"],
                "title": entry["title"],
                "stakeholder_id": (
                    self.ids["stakeholders"][entry["stakeholder"]] if entry["stakeholder"] else None
                ),
                "source_id": self.ids["sources"][entry["source"]] if entry["source"] else None,
            }
            key = (entry["occurred_on"], entry["title"].casefold())
            record = by_uuid.get(entry["uuid"]) or by_title.get(key)
            if record is None:
                by_title[key] = self.add(
                    "event", Event, entry, dict(theirs, topic_id=self.topic_id)
                )
            else:
                self.settle("event", record, entry, theirs, f"the event {record.title}")
            self.step()

    def notes(self) -> None:
        entries = self.pack.records("notes")
        by_uuid = self.existing(Note, [e["uuid"] for e in entries], Note.tags)
        targets: dict[str, set[int]] = {}
        resolved: list[tuple[dict, str, int | None]] = []
        for entry in entries:
            kind = entry["target_kind"]
            if kind == "topic":
                target_id = self.topic_id
            elif kind == "briefing":
                target_id = None  # known once the briefing is merged
            else:
                target_id = self.ids[kind + "s"][entry["target"]]
            resolved.append((entry, kind, target_id))
            if target_id is not None and entry["uuid"] not in by_uuid:
                targets.setdefault(kind, set()).add(target_id)
        by_words: dict[tuple[str, int, str], Note] = {}
        for kind, target_ids in targets.items():
            column = getattr(Note, f"{kind}_id")
            for chunk in _chunks(sorted(target_ids)):
                for note in self.session.scalars(
                    select(Note)
                    .where(column.in_(chunk))
                    .order_by(Note.id)
                    .options(selectinload(Note.tags))
                ):
                    by_words.setdefault((kind, getattr(note, f"{kind}_id"), note.body), note)
        records: list[tuple[dict, Note]] = []
        for entry, kind, target_id in resolved:
            theirs = {"body": entry["body"], "private": entry["private"]}
            record = by_uuid.get(entry["uuid"])
            if record is None and target_id is not None:
                record = by_words.get((kind, target_id, entry["body"]))
            if record is None:
                if target_id is None:
                    self.pending_briefing_notes.append(entry)
                    self.step()
                    continue
                record = self.add(
                    "note",
                    Note,
                    entry,
                    dict(theirs, **self.tagged(entry), **{f"{kind}_id": target_id}),
                )
                by_words[(kind, target_id, entry["body"])] = record
            else:
                self.settle_tagged(
                    "note", record, entry, theirs, f"the note \u201c{_short(record.body)}\u201d"
                )
            records.append((entry, record))
            self.step()
        self.session.flush()
        self.ids["notes"] = {entry["uuid"]: record.id for entry, record in records}

    pending_briefing_notes: list[dict[str, Any]]

    def briefings(self) -> None:
        entries = self.pack.records("briefings")
        by_uuid = self.existing(Briefing, [e["uuid"] for e in entries])
        for entry in entries:
            theirs = {
                "title": entry["title"],
                "audience": entry["audience"],
                "author": entry["author"],
                "dated": entry["dated"],
                "introduction": entry["introduction"],
                "page_size": entry["page_size"],
            }
            record = (
                by_uuid.get(entry["uuid"])
                or self.session.scalars(
                    select(Briefing).where(
                        Briefing.topic_id == self.topic_id,
                        func.lower(Briefing.title) == entry["title"].casefold(),
                    )
                ).first()
            )
            if record is None:
                record = self.add(
                    "briefing",
                    Briefing,
                    entry,
                    dict(theirs, topic_id=self.topic_id, include_private=False),
                )
                self.session.flush()
            else:
                self.settle("briefing", record, entry, theirs, f"the briefing {record.title}")
            for note in [n for n in self.pending_briefing_notes if n["target"] == entry["uuid"]]:
                added = self.add(
                    "note",
                    Note,
                    note,
                    {
                        "body": note["body"],
                        "private": note["private"],
                        "tags": self.tags(note["tags"]),
                        "briefing_id": record.id,
                    },
                )
                self.session.flush()
                self.ids["notes"][note["uuid"]] = added.id
            self._items(record, entry["items"])
            self.step()

    def _items(self, briefing: Briefing, items: list[dict[str, Any]]) -> None:
        existing = self.existing(BriefingItem, [i["uuid"] for i in items])
        mine = {
            (i.kind, i.stakeholder_id, i.quote_id, i.note_id)
            for i in self.session.scalars(
                select(BriefingItem).where(BriefingItem.briefing_id == briefing.id)
            )
        }
        last = max((i.sort_order for i in briefing.items), default=-1)
        for item in items:
            values = {
                "kind": item["kind"],
                "stakeholder_id": self.ids["stakeholders"].get(item["stakeholder"])
                if item["stakeholder"]
                else None,
                "quote_id": self.ids["quotes"].get(item["quote"]) if item["quote"] else None,
                "note_id": self.ids["notes"].get(item["note"]) if item["note"] else None,
            }
            key = (values["kind"], values["stakeholder_id"], values["quote_id"], values["note_id"])
            if item["uuid"] in existing or key in mine:
                self.count("skipped", "briefing item")
                continue
            last += 1
            self.add(
                "briefing item",
                BriefingItem,
                item,
                dict(values, briefing_id=briefing.id, sort_order=last),
            )
            mine.add(key)


_REFERENCED = {
    "speaker_id": Stakeholder,
    "stakeholder_id": Stakeholder,
    "parent_id": Stakeholder,
    "quote_id": Quote,
    "source_id": Source,
}


def _field_name(key: str) -> str:
    """A field as the report names it: `speaker`, not `speaker_id`."""
    return key.removesuffix("_id")


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


_CHANGE_KINDS = {
    "topic": "topic",
    "stakeholder": "stakeholder",
    "source": "source",
    "position": "position",
    "quote": "quote",
    "question": "question",
    "answer": "answer",
    "event": "event",
    "note": "note",
    "tag": "tag",
    "briefing": "briefing",
    "briefing item": "briefing",
    "primary document link": "source",
}


def merge_pack(
    session: Session,
    pack: Pack,
    *,
    rule: str = KEEP_BOTH,
    dry_run: bool = False,
    progress: Progress = quiet,
    cancelled: Cancelled = _never,
) -> ImportReport:
    """Merge a checked pack into the store in the caller's transaction; say what was done."""
    report = ImportReport(
        pack=str(pack.path),
        topic=pack.manifest["topic"]["name"],
        rule=rule,
        dry_run=dry_run,
        include_private=pack.include_private,
    )
    merger = _Merger(session, pack, rule, report, progress, cancelled)
    merger.pending_briefing_notes = []
    merger.run()
    report.changes = Changes(frozenset(_CHANGE_KINDS[k] for k in merger.changed))
    return report


def refuse_rewritten_sources(session: Session, pack: Pack) -> None:
    """PackError if a source of the pack has the UUID of a stored source but another text:
    evidence never changes, so such a pack is refused before anything (a backup) is written."""
    entries = {e["uuid"]: e for e in pack.records("sources")}
    for chunk in _chunks(entries):
        rows = session.execute(
            select(Source.id, Source.uuid, Source.title, Source.sha256).where(
                Source.uuid.in_(chunk)
            )
        )
        for source_id, uuid, title, sha256 in rows:
            entry = entries[uuid]
            if entry["sha256"] != sha256:
                raise PackError(
                    f"{pack.path.name} is refused: its source {entry['title']!r} has the id of "
                    f"source {source_id} ({title}) here, but another text; a source's text never "
                    "changes, so nothing was imported"
                )


def backup_before_import(store) -> Path | None:
    """Back the store up (the app's rotating backups, `briefing backups` lists it) before a pack
    changes it, and return the backup's path; None for a store its server backs up (a team
    store), where the import's one transaction is what keeps the store whole."""
    from briefing.store.backups import take_backup

    if getattr(store, "backed_up_by_server", False):
        return None
    return take_backup(store, "before-pack-import")


def import_pack(
    store,
    path: Path | str,
    *,
    rule: str = KEEP_BOTH,
    dry_run: bool = False,
    progress: Progress = quiet,
    cancelled: Cancelled = _never,
    passphrase: str | None = None,
) -> ImportReport:
    """Read and check the pack, then merge it in one transaction (after a backup), or, with
    `dry_run`, merge it in a transaction that is rolled back: the same report, nothing changed."""
    if rule not in RULES:
        raise PackError(f"the rule for conflicts is one of {', '.join(RULES)}, not {rule!r}")
    pack = read_pack(path, cancelled=cancelled, passphrase=passphrase)
    if dry_run:
        with store.reading() as session:
            report = merge_pack(session, pack, rule=rule, dry_run=True, progress=progress)
            session.rollback()
        return report
    with store.reading() as session:
        refuse_rewritten_sources(session, pack)
    backup = backup_before_import(store)
    with store.writing() as session:
        report = merge_pack(session, pack, rule=rule, progress=progress, cancelled=cancelled)
    report.backup = None if backup is None else str(backup)
    return report
