"""The local SQLite store: models, opening and upgrading a store file, sessions. No Qt here.

`Store` and `open_store` are loaded on first use, so that `briefing.store.first_screen` can read
the window's first screen before SQLAlchemy is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.store.database import Store, open_store

__all__ = ["Store", "open_store"]


def __getattr__(name: str):
    if name in __all__:
        from briefing.store import database

        return getattr(database, name)
    raise AttributeError(f"module 'briefing.store' has no attribute {name!r}")
