"""Undo and redo for any edit, by restoring the rows it touched exactly as they were.

An edit is any use case of `briefing.core` (a function of a Session that returns `Changes`).
`Recorded(edit)` runs it once and remembers two snapshots of the same *region* of the store: the
rows before and the rows after. Undo puts the region back to the first snapshot, redo to the
second; neither runs the use case again, so a redone record gets back its id and its UUID, and a
note or an answer that pointed at it still does.

The region is found, not declared:

- rows the ORM updates or deletes are snapshotted just before each flush writes them (a
  `before_flush` listener on the edit's session, so even a row changed after an autoflush is
  caught the first time it is seen);
- rows that SQLite itself changes when a row is deleted (ON DELETE CASCADE removes children,
  ON DELETE SET NULL empties their reference) are found from the foreign keys in the models'
  metadata, recursively through cascades, and snapshotted with the deleted row;
- rows the edit inserts are those whose rowid is above the table's largest rowid before the edit
  (SQLite gives a new row max(rowid) + 1; a smaller, reused rowid can only be one this edit
  deleted, which is already in the region). Undo deletes them, and their cascades with them.

Rows are keyed by table and SQLite rowid (for tables with an integer key the rowid *is* the id),
so link tables without an id (a stakeholder on a topic) are handled the same way.

Restoring a snapshot runs in one transaction with foreign-key checks deferred to the commit: rows
of the region that should not exist are deleted first (letting their cascades run), then every
other row of the region is updated to, or inserted with, its snapshotted values. SQLite checks
UNIQUE at each statement, not at the commit, so rows that exchange a unique value (two names
swapped by one edit, or a deleted row whose name another took) would collide half-way through;
rows about to change a unique value are therefore first parked on a value no real row has (a
NUL character and "undo <rowid>", or minus the rowid for a number), then everything is written.
A collision that remains is with a row outside the region (another program, such as the command
line, named a new stakeholder as the one the undo brings back): that refuses the undo with
`UndoConflict`, and the transaction rolls back, so nothing is half restored.

Undo and redo first check that the region is exactly as the edit left it (or as undo left it),
and that restoring would delete nothing outside it. An edit made off the undo stack in between (a
note that saves itself as the user types, on a stakeholder the undo would remove) makes them
refuse with `UndoConflict` and change nothing, rather than lose that edit silently.

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
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from briefing.core.changes import Changes
from briefing.errors import BriefingError
from briefing.store.database import keeps_rowids
from briefing.store.models import Base

Key = tuple[str, int]  # (table name, rowid)
Row = dict[str, Any]
Edit = Callable[[Session], Changes]

_ROWID = "_rowid_"  # SQLite's alias for the rowid that no column of ours shadows


class RegionError(RuntimeError):
    """An edit touched rows that its recorded region does not cover (a bug, not user input)."""


class UndoConflict(BriefingError):
    """The rows an undo or redo would restore were changed since by an edit off the undo stack
    (a note that saved itself, say); restoring them would lose that change, so nothing is done."""


def _tables() -> dict[str, Table]:
    return dict(Base.metadata.tables)


_WITH_ROWID: dict[str, Table] = {}


def _with_rowid(table: Table) -> Table:
    """The table with its rowid as a column, to insert a row back under its old rowid."""
    if table.name not in _WITH_ROWID:
        columns = [Column(c.name, c.type, key=c.key) for c in table.columns]
        _WITH_ROWID[table.name] = Table(table.name, MetaData(), Column(_ROWID, Integer), *columns)
    return _WITH_ROWID[table.name]


def _rows(session: Session, table: Table, rowids: Iterable[int]) -> dict[int, Row]:
    rowids = sorted(set(rowids))
    found: dict[int, Row] = {}
    rowid = literal_column(_ROWID)
    for start in range(0, len(rowids), 500):  # stay below SQLite's limit on bound parameters
        chunk = rowids[start : start + 500]
        for row in session.execute(select(rowid.label(_ROWID), table).where(rowid.in_(chunk))):
            values = dict(row._mapping)
            found[values.pop(_ROWID)] = values
    return found


def _max_rowids(session: Session) -> dict[str, int]:
    rowid = literal_column(_ROWID)
    return {
        name: session.scalar(select(func.coalesce(func.max(rowid), 0)).select_from(table)) or 0
        for name, table in _tables().items()
    }


def deletion_region(session: Session, keys: Iterable[Key]) -> dict[str, set[int]]:
    """The rows deleting `keys` would change: the rows themselves, what ON DELETE CASCADE
    removes (recursively) and what ON DELETE SET NULL empties, by table.

    Worked out a table at a time (one query per foreign key and 500 rows), not a row at a time:
    the region of a pack import that added 20,000 rows takes seconds, not minutes."""
    tables = _tables()
    region: dict[str, set[int]] = {}
    pending: dict[str, set[int]] = {}
    for name, key in keys:
        pending.setdefault(name, set()).add(key)
    rowid = literal_column(_ROWID)
    while pending:
        name, wanted = pending.popitem()
        new = sorted(wanted - region.get(name, set()))
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
                for start in range(0, len(new), 500):  # SQLite's limit on bound parameters
                    referenced = (
                        select(fk.column)
                        .select_from(parent)
                        .where(rowid.in_(new[start : start + 500]))
                    )
                    children = session.scalars(
                        select(rowid).select_from(child).where(fk.parent.in_(referenced))
                    )
                    if action == "CASCADE":
                        pending.setdefault(child.name, set()).update(children)
                    else:  # the rows stay, with one reference emptied
                        region.setdefault(child.name, set()).update(children)
    return region


@dataclass
class Snapshot:
    """Rows of a region as they were at one moment; None for a row that did not exist."""

    rows: dict[Key, Row | None] = field(default_factory=dict)

    def current(self, session: Session) -> Snapshot:
        """The same region as it is now."""
        tables = _tables()
        now = Snapshot()
        by_table: dict[str, list[int]] = {}
        for name, key in self.rows:
            by_table.setdefault(name, []).append(key)
        for name, keys in by_table.items():
            found = _rows(session, tables[name], keys)
            for key in keys:
                now.rows[(name, key)] = found.get(key)
        return now

    def check_unchanged(self, session: Session, target: Snapshot, what: str) -> None:
        """Refuse to restore `target` unless the region is still exactly `self`, and restoring
        deletes nothing outside it (a note added since to a record the undo removes)."""
        session.flush()
        now = self.current(session)
        changed = {
            name for key, row in now.rows.items() if row != self.rows[key] for name in [key[0]]
        }
        doomed = [
            key for key, row in target.rows.items() if row is None and now.rows[key] is not None
        ]
        for name, keys in deletion_region(session, doomed).items():
            if any((name, key) not in self.rows for key in keys):
                changed.add(name)
        if changed:
            kinds = ", ".join(sorted(name.replace("_", " ") for name in changed))
            raise UndoConflict(
                f"cannot {what}: records it would restore ({kinds}) have changed since; "
                "undoing it would lose those changes"
            )

    def restore(self, session: Session, what: str = "undo this") -> None:
        """Make every row of the region exactly what it was, in the caller's transaction."""
        tables = _tables()
        rowid = literal_column(_ROWID)
        session.flush()
        # Checked at commit: a row may come back before the row it refers to.
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        by_table: dict[str, dict[int, Row | None]] = {}
        for (name, key), row in self.rows.items():
            by_table.setdefault(name, {})[key] = row
        # Rows that should not exist go first, so their cascades run before anything is put back.
        for name, rows in by_table.items():
            absent = [key for key, row in rows.items() if row is None]
            if absent:
                session.execute(delete(tables[name]).where(rowid.in_(absent)))
        present = {name: _rows(session, tables[name], rows) for name, rows in by_table.items()}
        for name, rows in by_table.items():
            _park_unique_values(session, tables[name], present[name], rows)
        try:
            for name, rows in by_table.items():
                table = tables[name]
                for key, row in rows.items():
                    if row is None:
                        continue
                    if key in present[name]:
                        session.execute(update(table).where(rowid == key).values(row))
                    else:
                        session.execute(insert(_with_rowid(table)).values({_ROWID: key, **row}))
        except IntegrityError as error:
            clash = str(error.orig).partition("failed: ")[2] or str(error.orig)
            raise UndoConflict(
                f"cannot {what}: a record made since has the same {clash} as one it would "
                "restore; rename or delete that record first"
            ) from error
        session.expire_all()


def _unique_column_sets(table: Table) -> list[list[Column]]:
    """The table's UNIQUE columns and constraints (its integer key is the rowid: never moved)."""
    sets = [[column] for column in table.columns if column.unique]
    sets += [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
        and not isinstance(constraint, PrimaryKeyConstraint)
    ]
    return sets


def _park_unique_values(
    session: Session, table: Table, now: dict[int, Row], rows: dict[int, Row | None]
) -> None:
    """Move rows whose unique values are about to change onto values no real row has, so that
    rows exchanging values (or taking a value a moving row leaves) do not collide on the way."""
    rowid = literal_column(_ROWID)
    for columns in _unique_column_sets(table):
        first = columns[0]
        for key, row in rows.items():
            if row is None or key not in now:
                continue
            if all(now[key][c.key] == row[c.key] for c in columns):
                continue
            parked = -key if isinstance(first.type, Integer) else f"\0undo {key}"
            session.execute(update(table).where(rowid == key).values({first.key: parked}))


class _Tracker:
    """Snapshots rows the ORM is about to update or delete, before each flush writes them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.before: dict[Key, Row | None] = {}

    def keep(self, region: dict[str, set[int]]) -> None:
        tables = _tables()
        for name, keys in region.items():
            new = [key for key in keys if (name, key) not in self.before]
            if not new:
                continue
            found = _rows(self.session, tables[name], new)
            for key in new:
                self.before[(name, key)] = found.get(key)

    @staticmethod
    def _link_rows(session: Session, state, region: dict[str, set[int]]) -> None:
        """The rows of many-to-many link tables (a note's tags) that a changed collection is
        about to rewrite: the ORM deletes them without the object's own row showing it."""
        for relationship in state.mapper.relationships:
            secondary = relationship.secondary
            if secondary is None or not state.attrs[relationship.key].history.has_changes():
                continue
            for parent_column, link_column in relationship.synchronize_pairs:
                value = state.attrs[state.mapper.get_property_by_column(parent_column).key].value
                rowids = session.execute(
                    select(literal_column("rowid")).select_from(secondary).where(
                        link_column == value
                    )
                ).scalars()
                region.setdefault(secondary.name, set()).update(rowids)

    def before_flush(self, session: Session, _context, _instances) -> None:
        updated: dict[str, set[int]] = {}
        for obj in session.dirty:
            state = inspect(obj)
            if state.key is not None and session.is_modified(obj):
                updated.setdefault(state.mapper.local_table.name, set()).add(state.key[1][0])
                self._link_rows(session, state, updated)
        self.keep(updated)
        deleted = [
            (inspect(obj).mapper.local_table.name, inspect(obj).key[1][0])
            for obj in session.deleted
            if inspect(obj).key is not None
        ]
        if deleted:
            self.keep(deletion_region(session, deleted))


def record(session: Session, edit: Edit) -> tuple[Changes, Snapshot, Snapshot]:
    """Run `edit` in `session`; return what it changed and the region before and after it."""
    tracker = _Tracker(session)
    session.flush()
    ceilings = _max_rowids(session)
    event.listen(session, "before_flush", tracker.before_flush)
    try:
        changes = edit(session)
        session.flush()
    finally:
        event.remove(session, "before_flush", tracker.before_flush)

    tables = _tables()
    rowid = literal_column(_ROWID)
    inserted: list[Key] = []
    for name, table in tables.items():
        for (key,) in session.execute(
            select(rowid).select_from(table).where(rowid > ceilings[name])
        ):
            inserted.append((name, key))
    for key in inserted:
        tracker.before.setdefault(key, None)
    # Undo deletes the inserted rows; whatever that would cascade to must be in the region too.
    undo_region = deletion_region(session, inserted)
    for name, keys in undo_region.items():
        for key in keys:
            if (name, key) not in tracker.before:
                raise RegionError(f"the edit changed {name} row {key} without recording it")

    after = Snapshot()
    by_table: dict[str, list[int]] = {}
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
        self._unrecorded = False
        self.changes: Changes = Changes()

    def do(self, session: Session) -> Changes:
        if not keeps_rowids(session):
            # A store shared with others (a team store): their edits may build on this one at
            # any moment, so it is made, not recorded, and undo says so.
            self.changes = self._edit(session)
            session.flush()
            self._unrecorded = True
            return self.changes
        if self._after is None or self._before is None:
            self.changes, self._before, self._after = record(session, self._edit)
        else:
            self._before.check_unchanged(session, self._after, "redo this")
            self._after.restore(session, "redo this")
        return self.changes

    def undo(self, session: Session) -> Changes:
        if self._unrecorded:
            raise UndoConflict(
                "changes to a team store are not undone: other members may already have built "
                "on this one; nothing was changed (edit it back instead)"
            )
        if self._before is None or self._after is None:
            raise RuntimeError("undo before the edit was done")
        self._after.check_unchanged(session, self._before, "undo this")
        self._before.restore(session, "undo this")
        return self.changes


def dump(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table, by rowid (by primary key where rows have none: a team
    store): what the tests compare to show a store unchanged."""
    rowid = literal_column(_ROWID)
    result = {}
    for name, table in sorted(_tables().items()):
        if keeps_rowids(session):
            statement = select(rowid, table).order_by(rowid)
        else:
            statement = select(table).order_by(*table.primary_key.columns)
        result[name] = [tuple(row) for row in session.execute(statement).all()]
    return result
