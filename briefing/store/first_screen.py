"""The window's first screen read with one plain sqlite3 connection, before SQLAlchemy loads.

Importing SQLAlchemy's ORM and mapping the models cost the window more than Qt itself. So the
window paints its topic list and the current topic's cards from this read, and loads the store's
libraries and opens the store properly (`open_store`, with every check of "Nothing lost") just
after that paint. It returns the same plain records as `core.cards.topic_cards` and
`core.lookup.list_topics` (`tests/unit/test_first_screen.py` compares them on the demo and on a
store of names in many scripts), for today's view.

It reads only a store it can read safely without the store's checks running first, and returns
None for any other, which then opens the usual way:

- a plain local SQLite file marked as a Briefing store (not encrypted: its header is plain);
- at this app's schema (no upgrade due);
- with no rollback journal and no -wal file beside it (nothing a crash left to recover);
- that provably passed its opening checks as it is now (`health.checked_already`: the same
  file, unchanged since its last quick_check, less than a day ago).

It opens the file read-only and immutable (SQLite's `mode=ro&immutable=1`: no lock, no -wal or
-shm made), writes nothing and leaves no file beside it. The window holds the store's lock file
already, so no other window writes meanwhile; a command writing at that very moment could give
a first screen out of step, which the full opening replaces a moment later: it reads the store
again. The full opening still runs after the paint, with every check; if it fails, the
window's content is replaced by its message (`ui.app`).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from briefing.core.card_records import CARD_QUOTES, QuoteLine, StakeholderCard
from briefing.store import health, migrations

# As `briefing.store.database` (a test holds them equal): not imported, it loads SQLAlchemy.
APPLICATION_ID = 0x42524946
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FirstTopic:
    id: int
    name: str
    description: str


@dataclass(frozen=True)
class FirstScreen:
    topics: tuple[FirstTopic, ...]
    topic_id: int | None  # the topic shown: the one asked for if it exists, else the first
    cards: tuple[StakeholderCard, ...]
    # The file as read (`health.fingerprint`): `still_current` tells whether the store opened
    # after the paint is this very file, unchanged, so that its records need no second read.
    seen: dict | None = field(default=None, compare=False)


TOPICS_SQL = "SELECT id, name, description FROM topics ORDER BY name"
MEMBERS_SQL = (
    "SELECT s.id, s.name, s.kind, s.parent_id FROM stakeholders AS s"
    " JOIN topic_stakeholders AS ts ON ts.stakeholder_id = s.id WHERE ts.topic_id = ?"
    " ORDER BY s.influence DESC NULLS LAST, s.name"
)
WITH_POSITION_SQL = "SELECT stakeholder_id FROM positions WHERE topic_id = ?"
LATEST_POSITIONS_SQL = (
    "SELECT p.stakeholder_id, p.stance, p.headline, p.as_of FROM positions AS p JOIN"
    " (SELECT id, row_number() OVER (PARTITION BY stakeholder_id ORDER BY as_of DESC, id DESC)"
    " AS rank FROM positions WHERE topic_id = ?) AS ranked ON ranked.id = p.id"
    " WHERE ranked.rank = 1"
)
_MEMBER_IDS = "(SELECT stakeholder_id FROM topic_stakeholders WHERE topic_id = ?)"
# Key quotes first: those backing an answer, then direct words, then as recorded.
_QUOTE_ORDER = (
    "NOT EXISTS (SELECT 1 FROM answers WHERE answers.quote_id = q.id),"
    " q.attribution != 'direct', q.id"
)
TOP_QUOTES_SQL = (
    "SELECT q.id, q.text, q.attribution, q.said_on, q.speaker_id, sp.name, so.title,"
    " so.publisher, so.published FROM quotes AS q"
    f" JOIN (SELECT q.id, row_number() OVER (PARTITION BY q.speaker_id ORDER BY {_QUOTE_ORDER})"
    f" AS rank FROM quotes AS q WHERE q.speaker_id IN {_MEMBER_IDS}) AS ranked"
    " ON ranked.id = q.id JOIN stakeholders AS sp ON sp.id = q.speaker_id"
    " LEFT OUTER JOIN sources AS so ON so.id = q.source_id"
    f" WHERE ranked.rank <= ? ORDER BY {_QUOTE_ORDER}"
)
QUOTE_COUNTS_SQL = (
    f"SELECT speaker_id, count(*) FROM quotes WHERE speaker_id IN {_MEMBER_IDS}"
    " GROUP BY speaker_id"
)
NOTE_COUNTS_SQL = (
    f"SELECT stakeholder_id, count(*) FROM notes WHERE stakeholder_id IN {_MEMBER_IDS}"
    " GROUP BY stakeholder_id",
    "SELECT p.stakeholder_id, count(*) FROM positions AS p JOIN notes AS n"
    " ON n.position_id = p.id WHERE p.topic_id = ? GROUP BY p.stakeholder_id",
    "SELECT q.speaker_id, count(*) FROM quotes AS q JOIN notes AS n ON n.quote_id = q.id"
    f" WHERE q.speaker_id IN {_MEMBER_IDS} GROUP BY q.speaker_id",
)


# Set (to anything but "" or "0"), the window opens its store before its first paint, as
# before the first screen: a fallback, and the benchmarks' "before".
DISABLE_ENV = "BRIEFING_NO_FIRST_SCREEN"


def readable_now(path: Path) -> bool:
    """Whether the store at `path` can be read before its opening checks (see the module)."""
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        return False
    try:
        if not path.is_file() or path.stat().st_size < 100:
            return False
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return False
    if not header.startswith(SQLITE_HEADER):
        return False  # an encrypted store, or no SQLite file at all
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        return False
    if health.has_hot_journal(path) or health.sidecar(path, "-wal").exists():
        return False
    return health.checked_already(path)


def read_first_screen(path: Path | str, topic_id: int | None = None) -> FirstScreen | None:
    """The topics and the cards of `topic_id` (else the first topic), or None when the store
    must be opened the usual way first (see the module). Never raises for a store it cannot
    read: the usual opening says what is wrong."""
    path = Path(path).expanduser()
    if not readable_now(path):
        return None
    seen = health.fingerprint(path)
    try:
        # Immutable: a read-only open of a WAL store would make -wal and -shm files beside it,
        # which the full opening would then take for a crash's. No -wal is there (checked
        # above), so the file alone holds every committed change.
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for every statement below
        if migrations.current_revision(connection) != migrations.head_revision():
            return None
        topics = tuple(FirstTopic(*row) for row in connection.execute(TOPICS_SQL))
        if not topics:
            first = FirstScreen((), None, (), seen)
        else:
            shown = topic_id if topic_id in {topic.id for topic in topics} else topics[0].id
            first = FirstScreen(topics, shown, tuple(topic_cards(connection, shown)), seen)
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    # Immutable reads trust the file not to change: one that changed meanwhile is not shown.
    return first if seen is not None and health.fingerprint(path) == seen else None


def still_current(first: FirstScreen, path: Path | str) -> bool:
    """Whether the store file at `path` is still the one `first` was read from, unchanged:
    the same file (device, inode), size, modification time and change counter, and no -wal
    with anything in it (opening the store makes an empty one). Then the records of `first`
    are what the store itself would read now (for today's view)."""
    now = health.fingerprint(Path(path).expanduser())
    if first.seen is None or now is None:
        return False
    if now["file"] != first.seen["file"] or now["change_counter"] != first.seen["change_counter"]:
        return False
    wal = now["wal"]
    return wal is None or wal[2] == 0  # [dev, ino, size, ...]: an empty -wal holds nothing


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def topic_cards(connection: sqlite3.Connection, topic_id: int) -> list[StakeholderCard]:
    """A topic's cards as of today, as `core.cards.topic_cards` gives them."""
    members = connection.execute(MEMBERS_SQL, (topic_id,)).fetchall()
    with_position = {row[0] for row in connection.execute(WITH_POSITION_SQL, (topic_id,))}
    ids = {member[0] for member in members}
    owner: dict[int, int] = {}
    cards = []
    for member_id, name, kind, parent_id in members:
        if member_id not in with_position and parent_id is not None and parent_id in ids:
            owner[member_id] = parent_id
        else:
            owner[member_id] = member_id
            cards.append((member_id, name, kind))
    if not cards:
        return []
    positions = {
        row[0]: row for row in connection.execute(LATEST_POSITIONS_SQL, (topic_id,))
    }
    top_quotes: dict[int, list[QuoteLine]] = defaultdict(list)
    for row in connection.execute(TOP_QUOTES_SQL, (topic_id, CARD_QUOTES)):
        quote_id, text, attribution, said_on, speaker_id, speaker, title, publisher, published = row
        top_quotes[owner[speaker_id]].append(
            QuoteLine(
                id=quote_id,
                text=text,
                speaker=speaker,
                attribution=attribution,
                source_title=title or "",
                source_publisher=publisher or "",
                source_published=_date(published),
                said_on=_date(said_on),
            )
        )
    quote_counts: dict[int, int] = defaultdict(int)
    for speaker_id, count in connection.execute(QUOTE_COUNTS_SQL, (topic_id,)):
        quote_counts[owner[speaker_id]] += count
    note_counts: dict[int, int] = defaultdict(int)
    for statement in NOTE_COUNTS_SQL:
        for stakeholder_id, count in connection.execute(statement, (topic_id,)):
            note_counts[owner[stakeholder_id]] += count
    result = []
    for card_id, name, kind in cards:
        position = positions.get(card_id)
        result.append(
            StakeholderCard(
                id=card_id,
                name=name,
                kind=kind,
                stance=position[1] if position else None,
                headline=position[2] if position else "",
                as_of=_date(position[3]) if position else None,
                quotes=tuple(top_quotes.get(card_id, [])[:CARD_QUOTES]),
                quote_count=quote_counts[card_id],
                note_count=note_counts[card_id],
            )
        )
    return result
