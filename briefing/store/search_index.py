"""The full-text index's layout, as the migration `db/versions/0002_search.py` creates it.

The index is an FTS5 virtual table kept in sync by triggers; it is not an ORM model, because it
is not a table of records but a derived structure that SQLite maintains. FTS5 backs it with
shadow tables (`search_index_data`, `_idx`, `_content`, `_docsize`, `_config`), which Alembic
would otherwise report as tables missing from the models: `include_in_schema` tells Alembic's
comparison (in `db/env.py` and the models-versus-migrations test) to leave them out.
"""

from __future__ import annotations

SEARCH_TABLE = "search_index"

# A row's rowid is `record id * KIND_FACTOR + code`; see the migration's docstring.
KIND_FACTOR = 8
KIND_CODES = {"stakeholder": 1, "position": 2, "source": 3, "quote": 4, "note": 5}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}

# The tables whose rows the index holds, each with its insert, update and delete triggers.
INDEXED_TABLES = {
    "stakeholder": "stakeholders",
    "position": "positions",
    "source": "sources",
    "quote": "quotes",
    "note": "notes",
}

# Start and end of a highlighted match in snippets: Unicode noncharacters, which the standard
# reserves for a program's internal use, so they do not occur in text people type or import.
MARK_START = "\ufdd0"
MARK_END = "\ufdd1"


def is_search_table(name: str | None) -> bool:
    """True for the index and the shadow tables FTS5 creates for it."""
    return name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))


def include_in_schema(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic `include_object` hook: compare every table except the search index's."""
    return not (type_ == "table" and is_search_table(name))
