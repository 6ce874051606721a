"""SQLite: FTS5 table ``search_fts`` (title, meta, body; rowid = entry id), bm25 with column
weights. FTS5 walks a word's rows in rowid order, newest first, cheaply: no planning needed."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, column, func, literal_column, select, table, text
from sqlalchemy.dialects import sqlite

from edoc.search.backends.base import (
    ATTR_COLUMNS,
    NO_HINTS,
    W_BODY,
    W_META,
    W_TITLE,
    Backend,
    Hints,
    TextQuery,
    safe_words,
)
from edoc.search.ddl import FTS_TABLE
from edoc.search.entries import IndexEntry
from edoc.search.models import SearchEntry, SearchSpan

__all__ = ["SqliteBackend", "fts_query"]


class SqliteBackend(Backend):
    name = "sqlite"
    _fts = table(FTS_TABLE, column("rowid"))

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        stmt = sqlite.insert(SearchEntry)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "object_id"],
            set_={c: stmt.excluded[c] for c in ATTR_COLUMNS})
        conn.execute(stmt, [e.attributes() for e in entries])

    def _widen_spans(self, conn: Any, rows: list[dict]) -> None:
        stmt = sqlite.insert(SearchSpan)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["agency_id", "month"],
            set_={"min_id": func.min(SearchSpan.min_id, stmt.excluded.min_id),
                  "max_id": func.max(SearchSpan.max_id, stmt.excluded.max_id)}), rows)

    def _month(self, column: Any) -> Any:
        return func.date(column, "start of month")

    def _write_text(self, conn: Any, entries: Sequence[IndexEntry],
                    ids: dict[tuple[str, int], int]) -> None:
        rowids = list(ids.values())
        conn.execute(text("DELETE FROM search_fts WHERE rowid IN :ids")
                     .bindparams(bindparam("ids", expanding=True)), {"ids": rowids})
        conn.execute(text("INSERT INTO search_fts (rowid, title, meta, body) "
                          "VALUES (:rowid, :title, :meta, :body)"),
                     [{"rowid": ids[(e.kind, e.object_id)], "title": e.title_words,
                       "meta": e.meta_words, "body": e.body_words} for e in entries])

    def _match(self, tq: TextQuery, *, head_only: bool = False):
        name = "fts_head" if head_only else "fts_all"
        return literal_column(FTS_TABLE).op("MATCH")(bindparam(name, fts_query(
            tq.words, head_only=head_only)))

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                hints: Hints = NO_HINTS) -> list[tuple[int, bool]]:
        fts = self._fts
        ids = list(session.scalars(
            select(SearchEntry.id)
            .select_from(fts.join(SearchEntry.__table__, SearchEntry.id == fts.c.rowid))
            .where(self._match(tq), *conditions)
            .order_by(fts.c.rowid.desc()).limit(cap)))
        if not ids:
            return []
        # FTS5 walks rowid ranges cheaply: the title/metadata test is one bounded query.
        head = set(session.scalars(select(fts.c.rowid).where(
            self._match(tq, head_only=True), fts.c.rowid >= ids[-1], fts.c.rowid <= ids[0])))
        return [(i, i in head) for i in ids]

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        if not ids:
            return {}
        # bm25 has a fixed cost (it counts the rows holding each word, for the IDF) and a
        # per-row one: only the given range is scored.
        fts = self._fts
        rel = -func.bm25(literal_column(FTS_TABLE), W_TITLE, W_META, W_BODY)
        wanted = set(ids)
        rows = session.execute(select(fts.c.rowid, rel).where(
            self._match(tq), fts.c.rowid >= min(ids), fts.c.rowid <= max(ids)))
        return {i: float(r) for i, r in rows if i in wanted}


def fts_query(words: Sequence[str], *, head_only: bool = False) -> str:
    """FTS5 query text: every word (AND), in the title and metadata only if ``head_only``."""
    expr = " AND ".join(f'"{w}"' for w in safe_words(words, '"'))
    return f"{{title meta}} : ({expr})" if head_only else expr
