"""The local SQLite store: models, opening and upgrading a store file, sessions. No Qt here."""

from briefing.store.database import Store, open_store

__all__ = ["Store", "open_store"]
