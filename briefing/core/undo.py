"""Undo and redo for any edit, by restoring the rows it touched exactly as they were.

An edit is any use case of `briefing.core` (a function of a Session that returns `Changes`).
`Recorded(edit)` runs it once and remembers two snapshots of the same *region* of the store: the
rows before and the rows after. Undo puts the region back to the first snapshot, redo to the
second; neither runs the use case again, so a redone record gets back its id and its UUID, and a
note or an answer that pointed at it still does.

The same mechanism serves a store file and a team store (PostgreSQL, many members). Rows are
keyed by table and primary key (a record's id; a link table's pair of ids), and the region is
found, not declared:

- rows the ORM updates or deletes are snapshotted just before each flush writes them (a
  `before_flush` listener on the edit's session, so even a row changed after an autoflush is
  caught the first time it is seen);
- rows that the database itself changes when a row is deleted (ON DELETE CASCADE removes
  children, ON DELETE SET NULL empties their reference) are found from the foreign keys in the
  models' metadata, recursively through cascades, and snapshotted with the deleted row;
- rows the edit inserted are asked of the store (`store.database.rows_inserted_since`): by
  their ids, never "whatever is newer", which on a team store would take in other members' rows
  (a store file answers by rowid, which only its one writer moves; a team store by the rows its
  own transaction wrote). Undo deletes them, and their cascades with them.

Restoring a snapshot runs in one transaction: rows of the region that should not exist are
deleted first (letting their cascades run), then rows that exist are updated to, and missing
ones inserted with, their snapshotted values (parents before children; a reference to another
row of the same table that is put back too is set once every row is back), so foreign keys hold
at each statement, as PostgreSQL checks them. UNIQUE is checked at each statement too, so rows
that exchange a unique value (two names swapped by one edit, or a deleted row whose name another
took) would collide half-way through; rows about to change a unique value are therefore first
parked on a value no real row has ("\x01undo" and their key, or minus their id for a number),
then everything is written. A collision that remains is with a row outside the region (someone
named a new stakeholder as the one the undo brings back): that refuses the undo with
`UndoConflict`, and the transaction rolls back, so nothing is half restored.

Undo and redo first check, holding the rows (`FOR UPDATE` on a team store), that the region is
exactly as the edit left it (or as undo left it), and that restoring would delete nothing outside
it. A change made off the undo stack in between (a note that saved itself, another member's
edit) makes them refuse with `UndoConflict`, naming what changed and, on a team store, by whom,
and change nothing, rather than lose that change silently. Who wrote a row (`created_by`,
`changed_by`, `written_by`) is the database's to set on a team store (`0011_authorship`), so it
is not compared: a row this member restored by an update says it was changed by them; a row put
back by an insert (an undone delete) gets back its author and last changer, which the database
kept, and the notes other members wrote on it are re-attached by the database
(`0016_undo_restores`), private ones included, which this member cannot see.

A region row found after the edit that neither existed in the "before" snapshot nor was inserted
by the edit means the region was incomplete; `Recorded` refuses it (`RegionError`) rather than
record an undo that would not restore the store exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    event,
    insert,
    inspect,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from briefing.core.changes import Changes
from briefing.errors import BriefingError
from briefing.store.database import defer_references, row_ceilings, rows_inserted_since
from briefing.store.models import Base

Key = tuple[str, tuple]  # (table name, primary key values)
Row = dict[str, Any]
Edit = Callable[[Session], Changes]

# Written by a team store's triggers from the member's role, whatever the client sends.
_AUTHORSHIP = ("created_by", "changed_by", "written_by")
_CHUNK = 250  # keys per statement: below SQLite's limit on bound parameters, pairs included


class RegionError(RuntimeError):
    """An edit touched rows that its recorded region does not cover (a bug, not user input)."""


class UndoConflict(BriefingError):
    """The rows an undo or redo would restore were changed since by an edit off the undo stack
    (a note that saved itself, another member); restoring them would lose that change, so
    nothing is done."""


def _tables() -> dict[str, Table]:
    return dict(Base.metadata.tables)


def _order() -> list[str]:
    """Table names, parents before the tables that refer to them."""
    return [table.name for table in Base.metadata.sorted_tables]


def _key_columns(table: Table) -> list[Column]:
    return list(table.primary_key.columns)


def _keys_in(table: Table, keys: list[tuple]):
    columns = _key_columns(table)
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return tuple_(*columns).in_(keys)


def _key_of(table: Table, values: Row) -> tuple:
    return tuple(values[column.key] for column in _key_columns(table))


def _chunks(keys: Iterable[tuple]) -> Iterable[list[tuple]]:
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _rows(
    session: Session, table: Table, keys: Iterable[tuple], *, hold: bool = False
) -> dict[tuple, Row]:
    found: dict[tuple, Row] = {}
    for chunk in _chunks(keys):
        statement = select(table).where(_keys_in(table, chunk))
        if hold:  # no other member changes them until this transaction ends
            statement = statement.with_for_update()
        for row in session.execute(statement):
            values = dict(row._mapping)
            found[_key_of(table, values)] = values
    return found


def deletion_region(session: Session, keys: Iterable[Key]) -> dict[str, set[tuple]]:
    """The rows deleting `keys` would change: the rows themselves, what ON DELETE CASCADE
    removes (recursively) and what ON DELETE SET NULL empties, by table.

    Worked out a table at a time (one query per foreign key and a few hundred rows), not a row
    at a time: the region of a pack import that added 20,000 rows takes seconds, not minutes."""
    tables = _tables()
    region: dict[str, set[tuple]] = {}
    pending: dict[str, set[tuple]] = {}
    for name, key in keys:
        pending.setdefault(name, set()).add(key)
    while pending:
        name, wanted = pending.popitem()
        new = wanted - region.get(name, set())
        if not new:
            continue
        region.setdefault(name, set()).update(new)
        parent = tables[name]
        for child in tables.values():
            for fk in child.foreign_keys:
                if fk.column.table is not parent or fk.ondelete is None:
                    continue
                action = fk.ondelete.upper()
                if action not in ("CASCADE", "SET NULL"):
                    continue
                for chunk in _chunks(new):
                    referenced = select(fk.column).where(_keys_in(parent, chunk))
                    children = {
                        tuple(row)
                        for row in session.execute(
                            select(*_key_columns(child)).where(fk.parent.in_(referenced))
                        )
                    }
                    if action == "CASCADE":
                        pending.setdefault(child.name, set()).update(children)
                    else:  # the rows stay, with one reference emptied
                        region.setdefault(child.name, set()).update(children)
    return region


def _same(one: Row | None, other: Row | None) -> bool:
    if one is None or other is None:
        return one is other
    return all(one[column] == other.get(column) for column in one if column not in _AUTHORSHIP)


# What a record is called in a refusal, by its table: the column that names it.
_NAMED_BY = {
    "topics": "name",
    "stakeholders": "name",
    "positions": "headline",
    "sources": "title",
    "quotes": "text",
    "questions": "text",
    "notes": "body",
    "events": "title",
    "briefings": "title",
    "tags": "name",
}


def _called(name: str, row: Row) -> str:
    kind = name.removesuffix("s").replace("_", " ")
    words = " ".join(str(row.get(_NAMED_BY.get(name, ""), "") or "").split())
    if not words:
        return f"a {kind}"
    words = words if len(words) <= 40 else words[:39] + "\u2026"
    return f"the {kind} \u2018{words}\u2019"


def _by(row: Row) -> str:
    who = row.get("changed_by") or row.get("written_by") or row.get("created_by")
    return f" by {who}" if who else ""


@dataclass
class Snapshot:
    """Rows of a region as they were at one moment; None for a row that did not exist."""

    rows: dict[Key, Row | None] = field(default_factory=dict)

    def current(self, session: Session, *, hold: bool = False) -> Snapshot:
        """The same region as it is now."""
        tables = _tables()
        now = Snapshot()
        by_table: dict[str, list[tuple]] = {}
        for name, key in self.rows:
            by_table.setdefault(name, []).append(key)
        for name, keys in by_table.items():
            found = _rows(session, tables[name], keys, hold=hold)
            for key in keys:
                now.rows[(name, key)] = found.get(key)
        return now

    def check_unchanged(self, session: Session, target: Snapshot, what: str) -> None:
        """Refuse to restore `target` unless the region is still exactly `self`, and restoring
        deletes nothing outside it (a note added since to a record the undo removes)."""
        session.flush()
        now = self.current(session, hold=True)
        changed: dict[str, list[str]] = {}
        for key, row in now.rows.items():
            was = self.rows[key]
            if _same(row, was):
                continue
            name = key[0]
            if row is None:
                told = f"{_called(name, was)} was deleted"
            elif was is None:
                told = f"{_called(name, row)} was added{_by(row)}"
            else:
                told = f"{_called(name, row)} was changed{_by(row)}"
            changed.setdefault(name, []).append(told)
        doomed = [
            key for key, row in target.rows.items() if row is None and now.rows[key] is not None
        ]
        tables = _tables()
        for name, keys in deletion_region(session, doomed).items():
            outside = [key for key in keys if (name, key) not in self.rows]
            for row in _rows(session, tables[name], outside).values():
                changed.setdefault(name, []).append(f"{_called(name, row)} was added{_by(row)}")
        if changed:
            kinds = ", ".join(sorted(name.replace("_", " ") for name in changed))
            told = "; ".join(sorted(t for tolds in changed.values() for t in tolds)[:4])
            raise UndoConflict(
                f"cannot {what}: records it would restore ({kinds}) have changed since "
                f"({told}); undoing it would lose those changes, so nothing was changed"
            )

    def restore(self, session: Session, what: str = "undo this") -> None:
        """Make every row of the region exactly what it was, in the caller's transaction."""
        tables = _tables()
        session.flush()
        defer_references(session)
        by_table: dict[str, dict[tuple, Row | None]] = {}
        for (name, key), row in self.rows.items():
            by_table.setdefault(name, {})[key] = row
        order = [name for name in _order() if name in by_table]
        # Rows that should not exist go first, so their cascades run before anything is put back.
        for name in reversed(order):
            absent = [key for key, row in by_table[name].items() if row is None]
            for chunk in _chunks(absent):
                session.execute(delete(tables[name]).where(_keys_in(tables[name], chunk)))
        present = {name: _rows(session, tables[name], by_table[name]) for name in order}
        for name in order:
            _park_unique_values(session, tables[name], present[name], by_table[name])
        try:
            # Parents first. A reference to a row of the same table that this restore also
            # inserts is set once every row is back; any other row goes in whole, as it was (a
            # team store gives a row inserted as it was deleted its authors back, 0016).
            later: dict[str, set[tuple]] = {}
            for name in order:
                table = tables[name]
                own = [fk.parent.key for fk in table.foreign_keys if fk.column.table is table]
                missing = {
                    key: row
                    for key, row in by_table[name].items()
                    if row is not None and key not in present[name]
                }
                for key, row in missing.items():
                    pending = [c for c in own if row[c] is not None and (row[c],) in missing]
                    if pending:
                        later.setdefault(name, set()).add(key)
                    session.execute(insert(table).values({**row, **dict.fromkeys(pending)}))
            for name in order:
                table = tables[name]
                for key, row in by_table[name].items():
                    if row is not None and (key in present[name] or key in later.get(name, ())):
                        session.execute(update(table).where(_keys_in(table, [key])).values(row))
        except IntegrityError as error:
            raise UndoConflict(
                f"cannot {what}: a record made since has the same {_clash(error)} as one it "
                "would restore; rename or delete that record first"
            ) from error
        session.expire_all()


def _clash(error: IntegrityError) -> str:
    """The unique columns a restored row collided on, as "stakeholders.name"."""
    orig = error.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)  # PostgreSQL
    if constraint:
        for table in Base.metadata.tables.values():
            for unique in [*table.constraints, *table.indexes]:
                if unique.name == constraint:
                    columns = ", ".join(f"{table.name}.{c.name}" for c in unique.columns)
                    return columns
        return constraint
    text = str(orig)
    return text.partition("failed: ")[2] or text  # SQLite: "UNIQUE constraint failed: ..."


def _unique_column_sets(table: Table) -> list[list[Column]]:
    """The table's UNIQUE columns and constraints (its key never moves)."""
    sets = [[column] for column in table.columns if column.unique]
    sets += [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
        and not isinstance(constraint, PrimaryKeyConstraint)
    ]
    return sets


def _park_unique_values(
    session: Session, table: Table, now: dict[tuple, Row], rows: dict[tuple, Row | None]
) -> None:
    """Move rows whose unique values are about to change onto values no real row has, so that
    rows exchanging values (or taking a value a moving row leaves) do not collide on the way."""
    for columns in _unique_column_sets(table):
        first = columns[0]
        for key, row in rows.items():
            if row is None or key not in now:
                continue
            if all(now[key][c.key] == row[c.key] for c in columns):
                continue
            if isinstance(first.type, Integer):
                parked: object = -int(key[0])
            else:  # no name, uuid or text a person or a pack writes has a control character
                parked = "\x01undo " + "/".join(str(part) for part in key)
            session.execute(update(table).where(_keys_in(table, [key])).values({first.key: parked}))


class _Tracker:
    """Snapshots rows the ORM is about to update or delete, before each flush writes them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.before: dict[Key, Row | None] = {}

    def keep(self, region: dict[str, set[tuple]]) -> None:
        tables = _tables()
        for name, keys in region.items():
            new = [key for key in keys if (name, key) not in self.before]
            if not new:
                continue
            found = _rows(self.session, tables[name], new)
            for key in new:
                self.before[(name, key)] = found.get(key)

    @staticmethod
    def _link_rows(session: Session, state, region: dict[str, set[tuple]]) -> None:
        """The rows of many-to-many link tables (a note's tags) that a changed collection is
        about to rewrite: the ORM deletes them without the object's own row showing it."""
        for relationship in state.mapper.relationships:
            secondary = relationship.secondary
            if secondary is None or not state.attrs[relationship.key].history.has_changes():
                continue
            for parent_column, link_column in relationship.synchronize_pairs:
                value = state.attrs[state.mapper.get_property_by_column(parent_column).key].value
                keys = session.execute(select(*_key_columns(secondary)).where(link_column == value))
                region.setdefault(secondary.name, set()).update(tuple(key) for key in keys)

    def before_flush(self, session: Session, _context, _instances) -> None:
        updated: dict[str, set[tuple]] = {}
        for obj in session.dirty:
            state = inspect(obj)
            if state.key is not None and session.is_modified(obj):
                updated.setdefault(state.mapper.local_table.name, set()).add(tuple(state.key[1]))
                self._link_rows(session, state, updated)
        self.keep(updated)
        deleted = [
            (inspect(obj).mapper.local_table.name, tuple(inspect(obj).key[1]))
            for obj in session.deleted
            if inspect(obj).key is not None
        ]
        if deleted:
            self.keep(deletion_region(session, deleted))


def record(session: Session, edit: Edit) -> tuple[Changes, Snapshot, Snapshot]:
    """Run `edit` in `session`; return what it changed and the region before and after it."""
    tracker = _Tracker(session)
    session.flush()
    ceilings = row_ceilings(session)
    event.listen(session, "before_flush", tracker.before_flush)
    try:
        changes = edit(session)
        session.flush()
    finally:
        event.remove(session, "before_flush", tracker.before_flush)

    tables = _tables()
    inserted = rows_inserted_since(session, ceilings)
    for key in inserted:
        tracker.before.setdefault(key, None)
    # Undo deletes the inserted rows; whatever that would cascade to must be in the region too.
    undo_region = deletion_region(session, inserted)
    for name, keys in undo_region.items():
        for key in keys:
            if (name, key) not in tracker.before:
                raise RegionError(f"the edit changed {name} row {key} without recording it")

    after = Snapshot()
    by_table: dict[str, list[tuple]] = {}
    for name, key in tracker.before:
        by_table.setdefault(name, []).append(key)
    for name, keys in by_table.items():
        found = _rows(session, tables[name], keys)
        for key in keys:
            after.rows[(name, key)] = found.get(key)
    return changes, Snapshot(dict(tracker.before)), after


class Recorded:
    """An edit that can be undone and redone: hand `do` and `undo` to `Operations.push`.

    The first `do` runs the edit and records the region; later calls restore the recorded
    "after" rows instead of running the edit again.
    """

    def __init__(self, edit: Edit) -> None:
        self._edit = edit
        self._before: Snapshot | None = None
        self._after: Snapshot | None = None
        self.changes: Changes = Changes()

    def do(self, session: Session) -> Changes:
        if self._after is None or self._before is None:
            self.changes, self._before, self._after = record(session, self._edit)
        else:
            self._before.check_unchanged(session, self._after, "redo this")
            self._after.restore(session, "redo this")
        return self.changes

    def undo(self, session: Session) -> Changes:
        if self._before is None or self._after is None:
            raise RuntimeError("undo before the edit was done")
        self._after.check_unchanged(session, self._before, "undo this")
        self._before.restore(session, "undo this")
        return self.changes


def dump(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table (as this session may see them), by key: what the undo tests
    compare. Who wrote a row is left out: on a team store the database names whoever wrote it
    last, an undo included (`_AUTHORSHIP`)."""
    result = {}
    for name, table in sorted(_tables().items()):
        columns = [column for column in table.columns if column.name not in _AUTHORSHIP]
        rows = session.execute(select(*columns).order_by(*_key_columns(table))).all()
        result[name] = [tuple(row) for row in rows]
    return result
