"""Database objects of the search index that SQLAlchemy models cannot express.

SQLite: the FTS5 table ``search_fts`` (rowid = ``search_entries.id``; columns title, meta, body
hold folded words separated by spaces) and a trigger that drops an entry's FTS row when the entry
is deleted. PostgreSQL needs nothing here: the ``tsv`` column and its GIN index are in the model.

Both :func:`create_search_objects` and :func:`drop_search_objects` are idempotent; the Alembic
migration that creates ``search_entries`` calls them (``op.get_bind()``), and ``create_all``
calls them through the table's ``after_create`` event.
"""
from __future__ import annotations

import re
from typing import Any

__all__ = ["FTS_TABLE", "create_search_objects", "drop_search_objects", "is_search_ddl_object"]

FTS_TABLE = "search_fts"

# The text is folded before it gets here, so the tokenizer only splits (no diacritics work);
# its token characters (letters and digits, "_" a separator) match edoc.search.text.tokens.
_SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, meta, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS search_entries_fts_ad AFTER DELETE ON search_entries BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_entries_fts_ad",
    "DROP TABLE IF EXISTS search_fts",
)
_FTS_NAME = re.compile(rf"^{FTS_TABLE}(_(data|idx|content|docsize|config))?$")


def create_search_objects(connection: Any) -> None:
    """Create the dialect's extra search objects on ``connection`` (a SQLAlchemy Connection)."""
    if connection.dialect.name == "sqlite":
        for stmt in _SQLITE_CREATE:
            connection.exec_driver_sql(stmt)


def drop_search_objects(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        for stmt in _SQLITE_DROP:
            connection.exec_driver_sql(stmt)


def is_search_ddl_object(name: str | None, type_: str) -> bool:
    """True for the FTS5 table and its shadow tables, which are not in the metadata.

    For Alembic's ``include_object`` hook: ``return not is_search_ddl_object(name, type_)``.
    """
    return type_ == "table" and bool(name) and bool(_FTS_NAME.match(name))
