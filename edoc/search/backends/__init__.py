"""The two full-text backends behind one interface, chosen by the connection's dialect.

Both index the same folded words (:mod:`edoc.search.entries`) and answer the same two
questions: which are the newest ``cap`` entries that satisfy the caller's conditions and match
the words (and is each a title/metadata match), and how relevant are some of them (higher is
better). Ranking happens in :mod:`edoc.search.query`.

* SQLite: FTS5 table ``search_fts`` (title, meta, body), bm25 with column weights.
* PostgreSQL: ``tsv`` = setweight A (title) || B (meta) || D (body) over the 'simple'
  configuration, GIN index, ``ts_rank_cd``.
"""
from __future__ import annotations

from typing import Any

from edoc.search.backends.base import Backend, Hints, TextQuery
from edoc.search.backends.postgres import PostgresBackend
from edoc.search.backends.sqlite import SqliteBackend

__all__ = ["Backend", "Hints", "PostgresBackend", "SqliteBackend", "TextQuery", "backend_for"]

_BACKENDS: dict[str, Backend] = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def backend_for(bind: Any) -> Backend:
    """The backend of a Connection, Engine or Session's bind."""
    name = bind.dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise RuntimeError(f"search: unsupported database dialect {name!r}") from None
