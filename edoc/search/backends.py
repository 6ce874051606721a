"""The two full-text backends behind one interface, chosen by the connection's dialect.

Both index the same folded words (:mod:`edoc.search.entries`) and answer the same candidate
query: the newest ``cap`` entries that satisfy the caller's conditions and match the words, with
a relevance figure (higher is better). Ranking across candidates happens in
:mod:`edoc.search.query`.

* SQLite: FTS5 table ``search_fts`` (title, meta, body), bm25 with column weights.
* PostgreSQL: ``tsv`` = setweight A (title) || B (meta) || D (body) over the 'simple'
  configuration, GIN index, ``ts_rank_cd``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Select,
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

__all__ = ["Backend", "backend_for"]

#: bm25 / ts_rank_cd weights: a word in the title counts far more than one deep in the body
W_TITLE, W_META, W_BODY = 10.0, 5.0, 1.0

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
        keys = [{"entry_id": ids[(e.kind, e.object_id)], "key": k[:160], "agency_id": e.agency_id}
                for e in entries for k in sorted(e.keys)]
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
    def candidates(self, words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
                   head_only: bool, conditions: Sequence[Any], cap: int,
                   ranked: bool = True) -> Select:
        """``(entry id, relevance)`` of the newest ``cap`` matching entries (relevance 0 when
        not ``ranked``).

        Every one of ``words`` must occur; or, when ``phrases`` are given, one of the phrases
        (words adjacent and in order: notation queries). ``head_only``: only title and metadata
        count.
        """
        raise NotImplementedError


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

    def candidates(self, words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
                   head_only: bool, conditions: Sequence[Any], cap: int,
                   ranked: bool = True) -> Select:
        fts = self._fts
        # bm25 has a fixed cost (it counts every row holding each word, for the IDF) on top of
        # a per-row one, so id-only queries skip it.
        rel = -func.bm25(literal_column(FTS_TABLE), W_TITLE, W_META, W_BODY) if ranked \
            else literal_column("0.0")
        match = literal_column(FTS_TABLE).op("MATCH")(
            bindparam("fts_query", fts_query(words, phrases=phrases, head_only=head_only)))
        return (select(SearchEntry.id, rel.label("rel"))
                .select_from(fts.join(SearchEntry.__table__, SearchEntry.id == fts.c.rowid))
                .where(match, *conditions)
                .order_by(fts.c.rowid.desc()).limit(cap))


def _safe(words: Sequence[str], bad: str) -> list[str]:
    # Words are folded tokens (letters and digits only); anything else is dropped, not escaped.
    return [w for w in words if w and not any(c in w for c in bad)]


def fts_query(words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
              head_only: bool = False) -> str:
    """FTS5 query text: every word (AND), or any of the phrases (OR) when phrases are given."""
    if phrases:
        parts = ['"' + " ".join(_safe(p, '"')) + '"' for p in phrases if _safe(p, '"')]
        expr = " OR ".join(parts)
    else:
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

    def tsquery(self, words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
                head_only: bool = False):
        return func.to_tsquery(self._config, bindparam(
            "ts_query", tsquery_text(words, phrases=phrases, head_only=head_only)))

    def candidates(self, words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
                   head_only: bool, conditions: Sequence[Any], cap: int,
                   ranked: bool = True) -> Select:
        q = self.tsquery(words, phrases=phrases, head_only=head_only)
        rel = func.ts_rank_cd(self._weights, SearchEntry.tsv, q) if ranked \
            else literal_column("0.0")
        return (select(SearchEntry.id, rel.label("rel"))
                .where(SearchEntry.tsv.op("@@")(q), *conditions)
                .order_by(SearchEntry.id.desc()).limit(cap))


def tsquery_text(words: Sequence[str], *, phrases: Sequence[Sequence[str]] = (),
                 head_only: bool = False) -> str:
    """to_tsquery input; ``:AB`` keeps only title (A) and metadata (B) positions."""
    suffix = ":AB" if head_only else ""

    def quoted(ws: Sequence[str]) -> list[str]:
        return [f"'{w}'{suffix}" for w in _safe(ws, "'\\")]

    if phrases:
        return " | ".join(f"({' <-> '.join(quoted(p))})" for p in phrases if quoted(p))
    return " & ".join(quoted(words))


_BACKENDS: dict[str, Backend] = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def backend_for(bind: Any) -> Backend:
    """The backend of a Connection, Engine or Session's bind."""
    name = bind.dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise RuntimeError(f"search: unsupported database dialect {name!r}") from None
