"""Unified search over incoming and outgoing documents and records.

Accent-insensitive (Vietnamese folding, :mod:`edoc.search.text`), notation-aware, ranked,
filtered, with highlighted snippets, and limited to what the user may see. SQLite FTS5 in the
embedded setup, PostgreSQL full text in production, behind one interface
(:mod:`edoc.search.backends`). The index follows the data in the same transaction
(:mod:`edoc.search.indexer`); ``flask search reindex`` rebuilds it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from edoc.search.query import SearchFilters, SearchHit, SearchResults

__all__ = [
    "SearchFilters",
    "SearchHit",
    "SearchResults",
    "index_document",
    "index_record",
    "init_app",
    "reindex",
    "remove",
    "search",
]


def init_app(app: Flask) -> None:
    from edoc.extensions import csrf
    from edoc.search import api, models, views  # noqa: F401 - models register the tables
    from edoc.search.cli import search_cli
    from edoc.search.indexer import install_session_hooks

    app.config.setdefault("SEARCH_CANDIDATE_CAP", 500)
    app.extensions["edoc.search"] = True
    install_session_hooks()
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(search_cli)


def __getattr__(name: str):
    # Lazy re-exports: importing edoc.search (e.g. edoc.search.text) stays free of the app.
    if name in ("search", "SearchFilters", "SearchHit", "SearchResults"):
        from edoc.search import query

        return getattr(query, name)
    if name in ("index_document", "index_record", "remove", "reindex"):
        from edoc.search import indexer

        return getattr(indexer, name)
    raise AttributeError(name)
