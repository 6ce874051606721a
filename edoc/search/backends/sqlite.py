"""SQLite: FTS5 table ``search_fts`` (title, meta, body; rowid = entry id), bm25 with column
weights. FTS5 walks a word's rows in rowid order, newest first, cheaply: no planning needed."""
from __future__ import annotations

import math
import time
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
    _fts = table(FTS_TABLE, column("rowid"), column("title"), column("meta"), column("body"))

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
        span = self.date_span(session, hints)
        if span:
            # FTS5 seeks to the id range of a date filter instead of walking newer matches.
            conditions = [*conditions, fts.c.rowid >= span[0], fts.c.rowid <= span[1]]
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

    def matching_objects(self, tq: TextQuery, conditions: Sequence[Any], *,
                         head_only: bool = False) -> Any:
        # The FTS5 matches first, as a list the entries are read by: joined, SQLite may walk
        # the agency's entries and probe FTS5 for each (seconds on 100,000 entries).
        fts = self._fts
        return select(SearchEntry.object_id).where(
            SearchEntry.id.in_(select(fts.c.rowid).where(self._match(tq, head_only=head_only))),
            *conditions)

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        """FTS5's bm25 (same formula, weights and statistics), computed here.

        FTS5's own bm25() counts, on every query, the rows holding each word (for the IDF) by
        reading the word's whole posting list: most of a query's time for a common word. Here
        the counts are kept for a while (:func:`_document_frequency`); the per-row part reads
        the matching rows' folded words (tokens separated by single spaces, as indexed).
        """
        words = list(dict.fromkeys(safe_words(tq.words, '"')))
        if not ids or not words:
            return {}
        n_rows, total_tokens = _totals(session)
        if not n_rows:
            return {}
        avgdl = total_tokens / n_rows
        idf = []
        for w in words:
            # (FTS5 floors the IDF of a word in over half the rows at 1e-6)
            n_hit = _document_frequency(session, w, n_rows)
            idf.append(max(math.log((n_rows - n_hit + 0.5) / (n_hit + 0.5)), 1e-6))
        # Occurrences of a word in a column: " w " in the text with its spaces doubled (every
        # token then has spaces of its own on both sides, so repeats are all counted).
        patterns = [f" {w} " for w in words]
        scored = list(zip(patterns, idf, strict=True))
        k1, k1_plus = BM25_K1, BM25_K1 + 1.0
        fts = self._fts
        out = {}
        for rowid, *columns in session.execute(
                select(fts.c.rowid, fts.c.title, fts.c.meta, fts.c.body)
                .where(fts.c.rowid.in_(list(ids)))):
            size = 0
            freq = dict.fromkeys(patterns, 0.0)
            for weight, col in zip((W_TITLE, W_META, W_BODY), columns, strict=True):
                if col:
                    size += col.count(" ") + 1
                    padded = f" {col.replace(' ', '  ')} "
                    for p in patterns:
                        freq[p] += weight * padded.count(p)
            norm = k1 * (1 - BM25_B + BM25_B * size / avgdl)
            out[rowid] = sum(w_idf * freq[p] * k1_plus / (freq[p] + norm) for p, w_idf in scored)
        return out


#: FTS5's bm25 constants
BM25_K1, BM25_B = 1.2, 0.75
#: how long a word's row count is kept, in seconds, and under which index size counts are not
#: kept at all (counting is then cheap, and small indexes change quickly in relative terms)
STATS_TTL, STATS_MIN_ROWS = 600, 50_000
#: a kept count is dropped once the index has grown or shrunk by this share
STATS_DRIFT = 0.01
_FREQ: dict[tuple[str, str], tuple[float, int, int]] = {}
_FREQ_MAX = 20_000


def _totals(session: Any) -> tuple[int, int]:
    """Rows in the FTS index and tokens in all their columns: FTS5's averages record (row 1 of
    ``search_fts_data``: varints, the row count then each column's token count), which
    bm25() itself reads."""
    block = session.execute(text("SELECT block FROM search_fts_data WHERE id = 1")).scalar()
    if not block:
        return 0, 0
    values, i = [], 0
    while i < len(block):
        value, i = _varint(block, i)
        values.append(value)
    return values[0], sum(values[1:])


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``buf[i]``: the value and the next offset."""
    value = 0
    for _ in range(8):
        byte = buf[i]
        i += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, i
    return (value << 8) | buf[i], i + 1


def _document_frequency(session: Any, word: str, n_rows: int) -> int:
    """How many rows hold ``word`` (any column): counted, and on a large index kept for
    STATS_TTL seconds or until the index size drifts (a word's share changes slowly)."""
    key = (session.get_bind().url.render_as_string(hide_password=True), word)
    if n_rows >= STATS_MIN_ROWS:
        kept = _FREQ.get(key)
        if kept is not None and time.monotonic() - kept[0] < STATS_TTL \
                and abs(n_rows - kept[1]) <= n_rows * STATS_DRIFT:
            return kept[2]
    count = session.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"),
                            {"q": fts_query([word])}).scalar() or 0
    if n_rows >= STATS_MIN_ROWS:
        if len(_FREQ) >= _FREQ_MAX:
            _FREQ.clear()
        _FREQ[key] = (time.monotonic(), n_rows, count)
    return count


def fts_query(words: Sequence[str], *, head_only: bool = False) -> str:
    """FTS5 query text: every word (AND), in the title and metadata only if ``head_only``."""
    expr = " AND ".join(f'"{w}"' for w in safe_words(words, '"'))
    return f"{{title meta}} : ({expr})" if head_only else expr
