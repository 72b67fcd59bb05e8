"""What a change to the store touched, so that views refresh what they show and nothing else.

Every use case that writes returns a `Changes`; the GUI announces it after the transaction
commits (see `briefing.ui.operations`), and each view decides whether it is concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = frozenset(
    {
        "topic",
        "stakeholder",
        "position",
        "source",
        "quote",
        "question",
        "answer",
        "note",
        "tag",
        "event",
        "briefing",
    }
)


@dataclass(frozen=True)
class Changes:
    kinds: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = self.kinds - KINDS
        if unknown:
            raise ValueError(f"unknown kinds of record: {sorted(unknown)}")

    @classmethod
    def of(cls, *kinds: str) -> Changes:
        return cls(frozenset(kinds))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def touches(self, *kinds: str) -> bool:
        return not self.kinds.isdisjoint(kinds)


HAPPENED = frozenset({"added", "edited", "deleted"})


@dataclass(frozen=True)
class Edited(Changes):
    """What an edit changed, and the id of the record it made or changed. `happened` says what
    became of that record when the edit knows: "added" (a new record, so nothing stored before
    refers to it), "edited" (its own facts changed) or "deleted"; None says nothing more.

    A view may refresh less after an `Edited` it understands (`added_record`); any other
    `Changes`, and the union of two (a plain `Changes`), means "these kinds changed"."""

    id: int | None = None
    happened: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.happened is not None and self.happened not in HAPPENED:
            raise ValueError(f"unknown happening: {self.happened!r}")


def added_record(changes: Changes, kind: str) -> int | None:
    """The id of the one record of `kind` that a change added and nothing else, else None."""
    return _one_record(changes, kind, "added")


def edited_record(changes: Changes, kind: str) -> int | None:
    """The id of the one record of `kind` whose own facts a change edited and nothing else
    (an edit, or its undo and redo, which announce the same), else None."""
    return _one_record(changes, kind, "edited")


def _one_record(changes: Changes, kind: str, happened: str) -> int | None:
    if (
        isinstance(changes, Edited)
        and changes.happened == happened
        and changes.kinds == frozenset({kind})
    ):
        return changes.id
    return None
