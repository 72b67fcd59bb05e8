"""What `briefing info` and the status bar say about a store: where it is, its schema, counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from briefing.store.models import (
    Note,
    Position,
    Quote,
    Source,
    Stakeholder,
    Topic,
    source_imports,
)

COUNTED = {
    "topics": Topic,
    "stakeholders": Stakeholder,
    "positions": Position,
    "sources": Source,
    "quotes": Quote,
    "notes": Note,
}


@dataclass(frozen=True)
class StoreInfo:
    path: str
    schema_version: str | None
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {"path": self.path, "schema_version": self.schema_version, "counts": self.counts}


def counts(session: Session) -> dict[str, int]:
    """How many of each kind of record the store holds. A source whose import is still under
    way (or was cut short, to be cleaned up at the next opening) is not one yet, as in lists
    and search: it and anything on it are left out."""
    unfinished = select(source_imports.c.source_id)
    left_out = {
        "sources": Source.id.not_in(unfinished),
        "quotes": Quote.source_id.is_(None) | Quote.source_id.not_in(unfinished),
        "notes": Note.source_id.is_(None) | Note.source_id.not_in(unfinished),
    }
    return {
        name: session.scalar(
            select(func.count()).select_from(model).where(left_out.get(name, true()))
        )
        or 0
        for name, model in COUNTED.items()
    }
