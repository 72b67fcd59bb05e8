"""What `briefing info` and the status bar say about a store: where it is, its schema, counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from briefing.store.models import Note, Position, Quote, Source, Stakeholder, Topic

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
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in COUNTED.items()
    }
