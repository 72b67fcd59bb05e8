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
