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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Text,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from edoc.search.ddl import FTS_TABLE
from edoc.search.entries import IndexEntry
from edoc.search.models import SearchEntry, SearchKey

__all__ = ["Backend", "TextQuery", "backend_for"]

#: bm25 / ts_rank_cd weights: a word in the title counts far more than one deep in the body
W_TITLE, W_META, W_BODY = 10.0, 5.0, 1.0

#: PostgreSQL id windows: the first spans this many entries per wanted candidate, each next
#: one this many times the previous
WINDOW_FACTOR, WINDOW_GROWTH = 16, 4


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Folded words that must all occur."""

    words: tuple[str, ...] = ()


_ATTR_COLUMNS = ("agency_id", "direction", "state", "type_key", "urgency", "confidentiality",
                 "date", "title", "number_notation")


class Backend:
    name = ""

    # --- writing ------------------------------------------------------------------------------
    def write(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        """Insert or replace ``entries`` (keys and full text included)."""
        if not entries:
            return
        self._upsert(conn, entries)
        ids = self._entry_ids(conn, entries)
        entry_ids = list(ids.values())
        conn.execute(delete(SearchKey).where(SearchKey.entry_id.in_(entry_ids)))
        keys = [{"entry_id": ids[(e.kind, e.object_id)], "key": k[:160], "agency_id": e.agency_id,
                 "cited": cited}
                for e in entries
                for cited, ks in ((False, e.keys), (True, e.cited - e.keys)) for k in sorted(ks)]
        if keys:
            conn.execute(insert(SearchKey), keys)
        self._write_text(conn, entries, ids)

    def update_attributes(self, conn: Any, kind: str, object_id: int,
                          values: dict[str, Any]) -> None:
        """Change filter/display columns of an entry whose words did not change."""
        values = {k: v for k, v in values.items() if k in _ATTR_COLUMNS}
        if values:
            conn.execute(SearchEntry.__table__.update()
                         .where(SearchEntry.kind == kind, SearchEntry.object_id == object_id)
                         .values(**values))

    def delete(self, conn: Any, kind: str, object_ids: Iterable[int]) -> None:
        object_ids = list(object_ids)
        if not object_ids:
            return
        ids = select(SearchEntry.id).where(SearchEntry.kind == kind,
                                           SearchEntry.object_id.in_(object_ids))
        conn.execute(delete(SearchKey).where(SearchKey.entry_id.in_(ids)))
        # The FTS row goes with the entry (SQLite trigger); tsv is a column of the entry.
        conn.execute(delete(SearchEntry).where(SearchEntry.kind == kind,
                                               SearchEntry.object_id.in_(object_ids)))

    def _entry_ids(self, conn: Any, entries: Sequence[IndexEntry]) -> dict[tuple[str, int], int]:
        by_kind: dict[str, list[int]] = {}
        for e in entries:
            by_kind.setdefault(e.kind, []).append(e.object_id)
        out: dict[tuple[str, int], int] = {}
        for kind, object_ids in by_kind.items():
            # kind = ? AND object_id IN (...): an index range per id (a row-value IN list
            # becomes an OR chain that PostgreSQL plans slowly).
            rows = conn.execute(select(SearchEntry.object_id, SearchEntry.id)
                                .where(SearchEntry.kind == kind,
                                       SearchEntry.object_id.in_(object_ids)))
            out.update({(kind, o): i for o, i in rows})
        return out

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        raise NotImplementedError

    def _write_text(self, conn: Any, entries: Sequence[IndexEntry],
                    ids: dict[tuple[str, int], int]) -> None:
        raise NotImplementedError

    # --- querying -----------------------------------------------------------------------------
    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any],
                cap: int) -> list[tuple[int, bool]]:
        """The newest ``cap`` entries matching ``tq`` and ``conditions``, newest first, each with
        whether every word occurs in the title or metadata."""
        raise NotImplementedError

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        """bm25 / ts_rank_cd of these matching entries (higher is better)."""
        raise NotImplementedError

    def newest(self, session: Any, conditions: Sequence[Any], cap: int) -> list[int]:
        """The newest ``cap`` entries satisfying ``conditions`` (no words: a filtered list)."""
        return list(session.scalars(select(SearchEntry.id).where(*conditions)
                                    .order_by(SearchEntry.id.desc()).limit(cap)))


class SqliteBackend(Backend):
    name = "sqlite"
    _fts = table(FTS_TABLE, column("rowid"))

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        stmt = sqlite.insert(SearchEntry)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "object_id"],
            set_={c: stmt.excluded[c] for c in _ATTR_COLUMNS})
        conn.execute(stmt, [e.attributes() for e in entries])

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

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any],
                cap: int) -> list[tuple[int, bool]]:
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


def _safe(words: Sequence[str], bad: str) -> list[str]:
    # Words are folded tokens (letters and digits only); anything else is dropped, not escaped.
    return [w for w in words if w and not any(c in w for c in bad)]


def fts_query(words: Sequence[str], *, head_only: bool = False) -> str:
    """FTS5 query text: every word (AND), in the title and metadata only if ``head_only``."""
    expr = " AND ".join(f'"{w}"' for w in _safe(words, '"'))
    return f"{{title meta}} : ({expr})" if head_only else expr


class PostgresBackend(Backend):
    name = "postgresql"
    _config = literal_column("'simple'::regconfig")
    _weights = literal_column(f"'{{{W_BODY / W_TITLE}, 0.2, {W_META / W_TITLE}, 1.0}}'::float4[]")

    def _tsv(self):
        def part(name: str, weight: str):
            return func.setweight(func.to_tsvector(self._config, bindparam(name, type_=Text)),
                                  literal_column(f"'{weight}'"))
        return part("title_words", "A").op("||")(part("meta_words", "B")).op("||")(
            part("body_words", "D"))

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        stmt = postgresql.insert(SearchEntry).values(tsv=self._tsv())
        stmt = stmt.on_conflict_do_update(
            constraint="uq_search_entries_object",
            set_={c: stmt.excluded[c] for c in (*_ATTR_COLUMNS, "tsv")})
        conn.execute(stmt, [{**e.attributes(), "title_words": e.title_words,
                             "meta_words": e.meta_words, "body_words": e.body_words}
                            for e in entries])

    def _write_text(self, conn: Any, entries: Sequence[IndexEntry],
                    ids: dict[tuple[str, int], int]) -> None:
        return None  # the tsv column was written with the entry

    def tsquery(self, tq: TextQuery, *, head_only: bool = False):
        name = "ts_head" if head_only else "ts_all"
        return func.to_tsquery(self._config, bindparam(name, tsquery_text(
            tq.words, head_only=head_only)))

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any],
                cap: int) -> list[tuple[int, bool]]:
        """Newest first, through id windows that grow from the newest entries back.

        A GIN index finds matches but cannot give the newest first; a backward scan gives the
        newest first but must test every row. Either plan, left alone on a million rows, costs
        seconds for a word of middling frequency (too common for the bitmap, too rare for the
        scan). Within a window of ids both are bounded, and the planner picks the cheaper.
        """
        q = self.tsquery(tq)
        is_head = SearchEntry.tsv.op("@@")(self.tsquery(tq, head_only=True))
        rows = self._windows(session, lambda lo, hi, limit: select(SearchEntry.id, is_head).where(
            SearchEntry.tsv.op("@@")(q), SearchEntry.id >= lo, SearchEntry.id < hi, *conditions)
            .order_by(SearchEntry.id.desc()).limit(limit), cap)
        return [(i, bool(h)) for i, h in rows]

    def newest(self, session: Any, conditions: Sequence[Any], cap: int) -> list[int]:
        # Filters alone (an old date range, a rare type) meet the same problem as words.
        rows = self._windows(session, lambda lo, hi, limit: select(SearchEntry.id).where(
            SearchEntry.id >= lo, SearchEntry.id < hi, *conditions)
            .order_by(SearchEntry.id.desc()).limit(limit), cap)
        return [r[0] for r in rows]

    def _windows(self, session: Any, build: Any, cap: int) -> list[tuple]:
        bounds = session.execute(select(func.min(SearchEntry.id), func.max(SearchEntry.id))).one()
        if bounds[0] is None:
            return []
        low, hi = bounds[0], bounds[1] + 1
        span = max(1000, WINDOW_FACTOR * cap)
        out: list[tuple] = []
        while hi > low and len(out) < cap:
            lo = max(low, hi - span)
            out.extend(tuple(r) for r in session.execute(build(lo, hi, cap - len(out))))
            hi, span = lo, span * WINDOW_GROWTH
        return out

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        if not ids:
            return {}
        rel = func.ts_rank_cd(self._weights, SearchEntry.tsv, self.tsquery(tq))
        rows = session.execute(select(SearchEntry.id, rel).where(SearchEntry.id.in_(list(ids))))
        return {i: float(r) for i, r in rows}


def tsquery_text(words: Sequence[str], *, head_only: bool = False) -> str:
    """to_tsquery input, every word (AND); ``:AB`` keeps only title (A) and metadata (B)
    positions."""
    suffix = ":AB" if head_only else ""
    return " & ".join(f"'{w}'{suffix}" for w in _safe(words, "'\\"))


_BACKENDS: dict[str, Backend] = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def backend_for(bind: Any) -> Backend:
    """The backend of a Connection, Engine or Session's bind."""
    name = bind.dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise RuntimeError(f"search: unsupported database dialect {name!r}") from None
