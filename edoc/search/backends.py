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

#: PostgreSQL newest-first search (see PostgresBackend._newest_first): entries walked first per
#: wanted candidate, and the most entries walked after that
SCAN_FIRST, SCAN_BUDGET = 4, 15_000


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Folded words that must all occur."""

    words: tuple[str, ...] = ()


_ATTR_COLUMNS = ("agency_id", "direction", "state", "type_key", "urgency", "confidentiality",
                 "date", "title", "number_notation", "drafter_id", "signer_id", "created_by_id",
                 "submitted_to_id")


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
    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                span: Sequence[Any] = ()) -> list[tuple[int, bool]]:
        """The newest ``cap`` entries matching ``tq`` and ``conditions``, newest first, each with
        whether every word occurs in the title or metadata.

        ``span``: the indexable part of the conditions (agency, dates), which a backend may
        use to bound the ids it looks at.
        """
        raise NotImplementedError

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        """bm25 / ts_rank_cd of these matching entries (higher is better)."""
        raise NotImplementedError

    def newest(self, session: Any, conditions: Sequence[Any], cap: int, *,
               span: Sequence[Any] = ()) -> list[int]:
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

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                span: Sequence[Any] = ()) -> list[tuple[int, bool]]:
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

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                span: Sequence[Any] = ()) -> list[tuple[int, bool]]:
        q = self.tsquery(tq)
        is_head = SearchEntry.tsv.op("@@")(self.tsquery(tq, head_only=True))
        rows = self._newest_first(session, lambda lo, hi, limit: select(SearchEntry.id, is_head)
                                  .where(SearchEntry.tsv.op("@@")(q), SearchEntry.id >= lo,
                                         SearchEntry.id < hi, *conditions)
                                  .order_by(SearchEntry.id.desc()).limit(limit), cap, span)
        return [(i, bool(h)) for i, h in rows]

    def newest(self, session: Any, conditions: Sequence[Any], cap: int, *,
               span: Sequence[Any] = ()) -> list[int]:
        # Filters alone (an old date range, a rare type) meet the same problem as words.
        rows = self._newest_first(session, lambda lo, hi, limit: select(SearchEntry.id).where(
            SearchEntry.id >= lo, SearchEntry.id < hi, *conditions)
            .order_by(SearchEntry.id.desc()).limit(limit), cap, span)
        return [r[0] for r in rows]

    def _newest_first(self, session: Any, build: Any, cap: int,
                      span: Sequence[Any]) -> list[tuple]:
        """Run ``build(lo, hi, limit)`` over id ranges from the newest entries back until
        ``cap`` rows are found.

        Two plans answer "the newest matches": walking the entries newest first and testing
        each (cost: entries walked, about cap / match rate), or a GIN bitmap of every match,
        then a sort (cost: the words' posting lists, plus a heap visit per match). Left to
        itself on a million rows the planner misjudges the middle ground (a common word pair
        matching a few per cent) and takes seconds. So: walk the newest ``SCAN_FIRST * cap``
        entries (within the id range of the date filter, from an index), measure the match
        rate, and size the next id range to hold the missing matches at that rate: walked if
        it spans at most ``SCAN_BUDGET`` entries, otherwise (a rare match) left to the
        planner's indexes, which then visit about as many rows as there are matches in it.
        """
        # psycopg prepares a statement run five times, and PostgreSQL may then use a generic
        # plan that knows neither the words nor the range; plan each run for its parameters.
        # SET LOCAL settings end with the transaction; the bitmap one is restored below.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        if len(span) > 1:
            # A date filter: its id range, from the (agency, date, id) index alone. ("+ 0"
            # stops PostgreSQL turning min/max into a walk of the id index that tests dates.)
            ident = SearchEntry.id + 0
            bounds = session.execute(select(func.min(ident), func.max(ident)).where(*span)).one()
        else:
            bounds = session.execute(select(func.min(SearchEntry.id),
                                            func.max(SearchEntry.id))).one()
        if bounds[0] is None:
            return []
        low, hi = bounds[0], bounds[1] + 1
        out: list[tuple] = []
        walked, width, walking = 0, SCAN_FIRST * cap, True
        try:
            while hi > low and len(out) < cap:
                need = cap - len(out)
                if walked:
                    # Enough entries to find the rest at the rate seen so far (or, having seen
                    # none, four times as many as walked): walked if that is cheap, else
                    # searched through the indexes, whose heap visits stay near ``need``.
                    rate = len(out) / walked
                    width = int(need / rate * 1.5) + 1 if rate > 0 else walked * 4
                    walking = width <= SCAN_BUDGET
                lo = max(low, hi - width)
                session.execute(text("SET LOCAL enable_bitmapscan = "
                                     + ("off" if walking else "on")))
                out.extend(tuple(r) for r in session.execute(build(lo, hi, need)))
                walked += hi - lo
                hi = lo
        finally:
            session.execute(text("SET LOCAL enable_bitmapscan = on"))
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
