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


def default_store_path() -> Path:
    """The store used when neither `--db` nor `BRIEFING_DB` names one."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV]).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / STORE_FILENAME
