"""PostgreSQL: ``tsv`` = setweight A (title) || B (metadata) || D (body) over the 'simple'
configuration, a GIN index, ``ts_rank_cd``; and the planning that finds the newest matches
among a million entries (:meth:`PostgresBackend._newest_first`)."""
from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Text, bindparam, case, func, literal_column, select, text, true
from sqlalchemy.dialects import postgresql

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
from edoc.search.entries import IndexEntry
from edoc.search.models import SearchEntry, SearchSpan

__all__ = ["PostgresBackend", "tsquery_text"]

#: entries walked first per wanted candidate, the most entries walked in one go, and the cost
#: of a GIN posting and of a heap visit, in walked entries (measured on a million entries)
SCAN_FIRST, SCAN_BUDGET, GIN_POSTING, HEAP_VISIT = 4, 60_000, 0.15, 5.0
#: postings of another word decoded per entry of the rarest one when GIN skips ahead (a
#: compressed posting segment holds a few dozen)
GIN_SKIP = 32
#: share of the entries of an id range a walk of the type index visits, when pg_stats does
#: not know the type's share (a guess that holds for every type but the commonest, công văn)
INDEXED_WALK = 0.25
#: cost of an entry visited through the type index, in entries walked in id order: its rows
#: lie scattered over the heap (~5 µs a row against ~1.5 µs, measured on a million entries)
TYPE_VISIT = 3.0
#: how long the word frequencies read from pg_stats are trusted, in seconds
STATS_TTL = 600

_STATS: dict[str, tuple] = {}


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

    @functools.cached_property
    def _upsert_stmt(self):
        """Built once (building it cost more than running it for one entry)."""
        stmt = postgresql.insert(SearchEntry).values(tsv=self._tsv())
        stmt = stmt.on_conflict_do_update(
            constraint="uq_search_entries_object",
            set_={c: stmt.excluded[c] for c in (*ATTR_COLUMNS, "tsv")})
        # The ids come back with the rows (no second query); xmax is 0 only on a row version
        # that no transaction has updated or locked, i.e. one this statement inserted.
        return stmt.returning(SearchEntry.kind, SearchEntry.object_id, SearchEntry.id,
                              literal_column("search_entries.xmax = 0"))

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]
                ) -> tuple[dict[tuple[str, int], int], set[int]]:
        rows = conn.execute(
            self._upsert_stmt,
            [{**e.attributes(), "title_words": e.title_words, "meta_words": e.meta_words,
              "body_words": e.body_words} for e in entries])
        ids: dict[tuple[str, int], int] = {}
        inserted: set[int] = set()
        for kind, object_id, entry_id, fresh in rows:
            ids[(kind, object_id)] = entry_id
            if fresh:
                inserted.add(entry_id)
        return ids, inserted

    def _write_text(self, conn: Any, entries: Sequence[IndexEntry],
                    ids: dict[tuple[str, int], int]) -> None:
        return None  # the tsv column was written with the entry

    @functools.cached_property
    def _widen_stmt(self):
        stmt = postgresql.insert(SearchSpan)
        return stmt.on_conflict_do_update(
            index_elements=["agency_id", "month"],
            set_={"min_id": func.least(SearchSpan.min_id, stmt.excluded.min_id),
                  "max_id": func.greatest(SearchSpan.max_id, stmt.excluded.max_id)})

    def _widen_spans(self, conn: Any, rows: list[dict]) -> None:
        conn.execute(self._widen_stmt, rows)

    def _month(self, column: Any) -> Any:
        return func.cast(func.date_trunc("month", column), Date)

    def tsquery(self, tq: TextQuery, *, head_only: bool = False):
        name = "ts_head" if head_only else "ts_all"
        return func.to_tsquery(self._config, bindparam(name, tsquery_text(
            tq.words, head_only=head_only)))

    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                hints: Hints = NO_HINTS) -> list[tuple[int, bool]]:
        return self.ranked_matches(session, tq, conditions, cap, 0, hints=hints)[0]

    def ranked_matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int,
                       window: int, *, hints: Hints = NO_HINTS
                       ) -> tuple[list[tuple[int, bool]], dict[int, float]]:
        # The relevance of the newest ``window`` matches comes with the walk that finds them
        # (ts_rank_cd of the rows at hand, numbered newest first), not from a second query
        # that looks the same rows up again.
        q = self.tsquery(tq)
        is_head = SearchEntry.tsv.op("@@")(self.tsquery(tq, head_only=True))
        walk = (select(SearchEntry.id, is_head.label("head"), SearchEntry.tsv)
                .where(SearchEntry.tsv.op("@@")(q), *_id_range(), *conditions)
                .order_by(SearchEntry.id.desc()).limit(bindparam("walk_limit")).subquery("walk"))
        first = func.row_number().over(order_by=walk.c.id.desc()) <= bindparam("walk_ranked")
        stmt = select(walk.c.id, walk.c.head,
                      case((first, func.ts_rank_cd(self._weights, walk.c.tsv, q))))
        rows = self._newest_first(session, stmt, cap, hints, window=window,
                                  postings=self._postings(session, tq.words))
        return ([(i, bool(h)) for i, h, _ in rows],
                {i: float(r) for i, _, r in rows if r is not None})

    def newest(self, session: Any, conditions: Sequence[Any], cap: int, *,
               hints: Hints = NO_HINTS) -> list[int]:
        # Filters alone (an old date range, a rare type) meet the same problem as words.
        stmt = (select(SearchEntry.id).where(*_id_range(), *conditions)
                .order_by(SearchEntry.id.desc()).limit(bindparam("walk_limit")))
        return [r[0] for r in self._newest_first(session, stmt, cap, hints)]

    def _postings(self, session: Any, words: Sequence[str]) -> float:
        """Estimated GIN postings read for ``words`` (AND), from the statistics PostgreSQL
        keeps on the tsv column (refreshed every STATS_TTL s): the rarest word's, plus for
        each other word its own, or as many as skipping to each of the rarest word's entries
        decodes (GIN_SKIP per entry), whichever is fewer. (The rarest word's alone, as this
        once said, took "giải phóng mặt bằng" for cheap: GIN spent 160 ms intersecting
        'phong', in nearly every document, with the rest, where a walk took 12 ms.)"""
        key = session.get_bind().url.render_as_string(hide_password=True)
        cached = _STATS.get(key)
        if cached is None or time.monotonic() - cached[0] > STATS_TTL:
            row = session.execute(text(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
                "c.reltuples FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname "
                "AND s.attname = 'tsv' WHERE c.relname = 'search_entries'")).first()
            elems, freqs, rows = row if row else (None, None, 0)
            freq = dict(zip(elems or (), freqs or (), strict=False))
            # A word missing from the list is rarer than its last entry (the list ends with
            # the per-query minimum and maximum frequencies, then a null-fraction, for tsv).
            floor = min(freqs[:len(elems)]) if elems and freqs else 0.0
            cached = _STATS[key] = (time.monotonic(), freq, floor, max(float(rows or 0), 0.0))
        _, freq, floor, rows = cached
        counts = sorted(freq.get(w, floor) * rows for w in words)
        if not counts:
            return 0.0
        rarest = counts[0]
        return rarest + sum(min(c, rarest * GIN_SKIP) for c in counts[1:])

    def _type_walk(self, session: Any, type_key: str | None) -> float:
        """Cost of walking the type index over an id range, per entry of the range: the
        type's share of the entries (pg_stats, refreshed every STATS_TTL s) times TYPE_VISIT;
        INDEXED_WALK without statistics."""
        key = "types:" + session.get_bind().url.render_as_string(hide_password=True)
        cached = _STATS.get(key)
        if cached is None or time.monotonic() - cached[0] > STATS_TTL:
            row = session.execute(text(
                "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
                "WHERE tablename = 'search_entries' AND attname = 'type_key'")).first()
            vals, freqs = row if row else (None, None)
            cached = _STATS[key] = (time.monotonic(),
                                    dict(zip(vals or (), freqs or (), strict=False)))
        share = cached[1].get(type_key) if type_key else None
        if share is None:
            return INDEXED_WALK
        return share * TYPE_VISIT

    def _newest_first(self, session: Any, stmt: Any, cap: int, hints: Hints, *,
                      window: int = 0, postings: float | None = None) -> list[tuple]:
        """Run ``stmt`` over id ranges from the newest entries back until ``cap`` rows are
        found (parameters ``walk_lo``, ``walk_hi``: the range; ``walk_limit``: the rows still
        wanted; ``walk_ranked``: of the first ``window`` rows found, those still to rank).

        Two plans answer "the newest matches": walking the entries newest first and testing
        each (cost: entries walked, about cap / match rate), or a GIN bitmap of every match,
        then a sort (cost: the words' posting lists, plus a heap visit per match). Left to
        itself on a million rows the planner misjudges the middle ground (a common word pair
        matching a few per cent) and takes seconds. So: walk the newest ``SCAN_FIRST * cap``
        entries (within the id range of the date filter, from search_spans), measure the match
        rate, and size the next id range to hold the missing matches at that rate. Walk it if
        that costs less than the GIN way (the words' postings, from pg_stats, plus a
        heap visit per match) and spans at most ``SCAN_BUDGET`` entries; otherwise leave it
        to the planner's indexes, which then visit about as many rows as there are matches.
        """
        # psycopg prepares a statement run five times, and PostgreSQL may then use a generic
        # plan that knows neither the words nor the range; plan each run for its parameters.
        # Local settings end with the transaction. Walking = an index that yields ids in
        # order: no bitmap, no sort (the planner would otherwise happily read a whole date
        # range through its index and sort it). And no JIT: these plans' estimated costs
        # (inflated by a disabled sort) would buy a compilation that costs more than the query.
        # Round trips: the settings come with the id bounds, and every walk turns bitmaps and
        # sorts back on as it runs (after it was planned; see _restoring), so that a search
        # is one statement for the bounds plus one per id range.
        dated = bool(hints.date_from or hints.date_to) and hints.agency_id is not None
        span = {"span_agency": hints.agency_id,
                "span_from": (hints.date_from or date.min).replace(day=1),
                "span_to": hints.date_to or date.max} if dated else {}
        lo_id, hi_id = session.execute(_start_stmt(dated), span).one()[-2:]
        stmt = _restoring(stmt)
        bitmaps = False
        out: list[tuple] = []
        try:
            if lo_id is None or lo_id > hi_id:
                return out
            low, hi = lo_id, hi_id + 1
            walked, width, walking = 0, SCAN_FIRST * cap, True
            while hi > low and len(out) < cap:
                need = cap - len(out)
                if walked:
                    # Enough entries to find the rest at the rate seen so far (or, having seen
                    # none, four times as many as walked): walked if that is cheap, else
                    # searched through the indexes, whose heap visits stay near ``need``.
                    rate = len(out) / walked
                    width = int(need / rate * 1.5) + 1 if rate > 0 else walked * 4
                    # (walking an indexed filter, the document type, visits a fraction of it)
                    cost = width * (self._type_walk(session, hints.type_key)
                                    if hints.indexed_filter else 1.0)
                    walking = cost <= SCAN_BUDGET and (
                        postings is None or cost <= postings * GIN_POSTING + need * HEAP_VISIT)
                lo = max(low, hi - width)
                if walking and bitmaps:
                    session.execute(_SETTINGS[True])
                bitmaps = True  # (as the statement leaves them)
                out.extend(tuple(r[2:]) for r in session.execute(stmt, {
                    "walk_lo": lo, "walk_hi": hi, "walk_limit": need,
                    "walk_ranked": max(window - len(out), 0)}) if r[2] is not None)
                walked += hi - lo
                hi = lo
        finally:
            if not bitmaps:
                session.execute(_SETTINGS[False])
        # (the rows of one statement come in the order of its walk: newest first)
        return out

    def matching_objects(self, tq: TextQuery, conditions: Sequence[Any], *,
                         head_only: bool = False) -> Any:
        return select(SearchEntry.object_id).where(
            SearchEntry.tsv.op("@@")(self.tsquery(tq, head_only=head_only)), *conditions)

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        if not ids:
            return {}
        rel = func.ts_rank_cd(self._weights, SearchEntry.tsv, self.tsquery(tq))
        rows = session.execute(select(SearchEntry.id, rel).where(SearchEntry.id.in_(list(ids))))
        return {i: float(r) for i, r in rows}


def _settings(*, walk: bool, first: bool = False) -> list[Any]:
    """set_config() calls, as columns: the planner settings of a walk, or the defaults back."""
    value = "off" if walk else "on"
    calls = [("enable_bitmapscan", value), ("enable_sort", value)]
    if first:
        calls = [("plan_cache_mode", "force_custom_plan"), ("jit", "off"), *calls]
    return [func.set_config(name, v, True).label(f"set_{name}") for name, v in calls]


@functools.cache
def _start_stmt(dated: bool) -> Any:
    """The walk's planner settings, and the entry ids (lo, hi) a search can find: those of
    the date filter's months (search_spans; parameters ``span_agency``, ``span_from``,
    ``span_to``) or else of the whole index. Built once."""
    if dated:
        span = select(func.min(SearchSpan.min_id).label("lo"),
                      func.max(SearchSpan.max_id).label("hi")).where(
            SearchSpan.agency_id == bindparam("span_agency"),
            SearchSpan.month >= bindparam("span_from", type_=Date),
            SearchSpan.month <= bindparam("span_to", type_=Date))
    else:
        span = select(func.min(SearchEntry.id).label("lo"),
                      func.max(SearchEntry.id).label("hi"))
    span = span.subquery("span")
    return select(*_settings(walk=True, first=True), span.c.lo, span.c.hi)


#: the walk's settings (True) or the defaults (False), as a statement of their own
_SETTINGS = {walk: select(*_settings(walk=walk)) for walk in (True, False)}


def _id_range() -> list[Any]:
    """Entry ids in [walk_lo, walk_hi)."""
    return [SearchEntry.id >= bindparam("walk_lo"), SearchEntry.id < bindparam("walk_hi")]


def _restoring(stmt: Any) -> Any:
    """``stmt`` (planned with the walk's settings), whose execution sets the defaults back
    first: a one-row subquery of set_config() calls, joined LATERAL to ``stmt``, is the
    outer side of the join, hence runs first, and once, whether ``stmt`` finds rows or not
    (then the one row has NULLs). Its two columns come first in the result."""
    restore = select(*_settings(walk=False)).subquery("restore")
    inner = stmt.lateral("found")
    return select(*restore.c, *inner.c).select_from(restore).outerjoin(inner, true())


def tsquery_text(words: Sequence[str], *, head_only: bool = False) -> str:
    """to_tsquery input, every word (AND); ``:AB`` keeps only title (A) and metadata (B)
    positions."""
    suffix = ":AB" if head_only else ""
    return " & ".join(f"'{w}'{suffix}" for w in safe_words(words, "'\\"))
