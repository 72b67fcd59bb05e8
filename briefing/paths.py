"""Where the app finds its bundled files and where it keeps the user's store.

An installed wheel carries `resources/` and `db/` inside the package as `_resources` and `_db`
(see pyproject.toml); a source checkout has them beside the package. Both layouts are looked up
here and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Briefing"
STORE_FILENAME = "briefing.sqlite3"
DB_ENV = "BRIEFING_DB"

_PACKAGE = Path(__file__).resolve().parent


def _bundled(installed: str, checkout: str) -> Path:
    for candidate in (_PACKAGE / installed, _PACKAGE.parent / checkout):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the app's {checkout}/ folder is missing from {_PACKAGE}")


def resources_dir() -> Path:
    return _bundled("_resources", "resources")


def migrations_dir() -> Path:
    return _bundled("_db", "db")


def is_team_address(text: object) -> bool:
    """A team store's address (`postgresql://...`, see `briefing.store.team`), not a path."""
    if not isinstance(text, str):
        return False
    scheme, separator, _rest = text.partition("://")
    return bool(separator) and scheme.lower() in ("postgresql", "postgres", "postgresql+psycopg")


def store_location(text: str) -> Path | str:
    """What `--db` or BRIEFING_DB names: a store file's path, or a team store's address."""
    return text if is_team_address(text) else Path(text)


def default_store_path() -> Path:
    """The store used when neither `--db` nor `BRIEFING_DB` names one (a team store's address
    in BRIEFING_DB is a `str`, see `default_store`)."""
    if os.environ.get(DB_ENV) and not is_team_address(os.environ[DB_ENV]):
        return Path(os.environ[DB_ENV]).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / STORE_FILENAME


def default_store() -> Path | str:
    """The store `BRIEFING_DB` names (a path or a team store's address), else the default file."""
    if is_team_address(os.environ.get(DB_ENV)):
        return os.environ[DB_ENV]
    return default_store_path()
