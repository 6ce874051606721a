"""How a word search runs on PostgreSQL, so that its cost stays bounded on a million entries.

Left to itself, the planner estimates several words by multiplying their frequencies, which
is far off for words that go together, and picks the plan for the wrong case: it sorts
hundreds of thousands of rows for a common phrase, or walks the whole table for a rare
combination of common words. The choice is made here, from PostgreSQL's own word statistics
(``pg_stats.most_common_elems`` of ``folded_tsv``, kept by ANALYZE/autovacuum; a phrase counts
as often as its rarest word pair, separate words as the product of their frequencies):

* Very common (share >= :data:`WALK_DENSITY`): walk the ``(agency_id, entry_date, id)``
  index newest first, testing each row; a page fills after a few dozen rows.
* Expected to be few (<= :data:`FETCH_ALL`, or a word rarer than any in the statistics):
  read the (id, date) of every match through the GIN index (bitmap scan: only matching rows
  are fetched), sort them here, cut the page; the total is exact. If that turns out to be many
  after all (:data:`FETCH_CAP`), go on below.
* Otherwise: take the matches period by period, newest first, straight from the GIN index:
  every entry also carries its year and month as tokens (``_y2025``, ``_m202503``), so "these
  words in March 2025" is one index lookup that returns only that month's matches. Months
  while the matches are dense, years after, and past :data:`MAX_WINDOWS` periods everything
  older at once. The total is then a lower bound ("more than").

The tsvector and the token text are kept out of line (TOAST, see archive_models), so the rows
the bitmap scans fetch are narrow.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.orm import defer

from edoc.extensions import db
from edoc.records.archive_models import ArchiveEntry
from edoc.records.search_index import period_token

__all__ = ["FETCH_ALL", "FETCH_CAP", "MAX_WINDOWS", "WALK_DENSITY", "lexeme_frequencies",
           "words_page"]

#: share of matching rows from which walking the date index is the better plan (each row
#: walked reads its tsvector out of line, ~50 µs: only worth it when a page fills at once)
WALK_DENSITY = 0.2
#: expected matches up to which all of them are read and sorted
FETCH_ALL = 4000
#: matches read in that case before switching to periods
FETCH_CAP = 5000
#: periods (months, then years) read one by one before reading everything older at once
MAX_WINDOWS = 8
#: expected matches a year above which the periods are months
MONTHS_ABOVE = 600
_STATS_TTL_S = 300
_STATS_KEY = "edoc.records.lexeme_stats"


def _load_stats() -> tuple[dict[str, float], float, float] | None:
    row = db.session.execute(text(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
        "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
        "WHERE s.schemaname = current_schema() AND s.tablename = 'archive_entries' "
        "AND s.attname = 'folded_tsv'")).first()
    if row is None or row[0] is None:
        return None
    elems, freqs = list(row[0]), list(row[1])
    table = dict(zip(elems, freqs[:len(elems)], strict=False))
    return table, (min(table.values()) if table else 0.0), float(row[2] or 0)


def _stats() -> tuple[dict[str, float], float, float] | None:
    cache = current_app.extensions.get(_STATS_KEY)
    now = time.monotonic()
    if cache is None or cache[0] < now:
        cache = (now + _STATS_TTL_S, _load_stats())
        current_app.extensions[_STATS_KEY] = cache
    return cache[1]


def lexeme_frequencies(lexemes: list[str]) -> list[float] | None:
    """The share of rows holding each lexeme (None: no statistics yet). A lexeme missing from
    the most-common list is taken as frequent as the rarest in it (an upper bound)."""
    stats = _stats()
    if stats is None:
        return None
    table, floor, _rows = stats
    return [table.get(lexeme, floor) for lexeme in lexemes]


@contextmanager
def _planner(**settings: bool) -> Iterator[None]:
    """Switch planner methods off for the statements inside (this transaction only); one
    round trip to set them, one to restore them."""
    def apply(values: dict[str, bool]) -> None:
        calls = ", ".join(f"set_config('enable_{name}', '{'on' if on else 'off'}', true)"
                          for name, on in values.items())
        db.session.execute(text(f"SELECT {calls}"))

    apply(settings)
    try:
        yield
    finally:
        apply(dict.fromkeys(settings, True))


def _page(built: Any, items: list, total: int, capped: bool, page: int, per_page: int) -> Any:
    from edoc.records.search import SearchPage

    return SearchPage(items, total, capped, page, per_page, tuple(built.terms))


def _walk(built: Any, page: int, per_page: int) -> Any:
    from edoc.records.search import window

    # The date index in its order, nothing else: the planner, trusting its (too low) estimate
    # of the matches, would otherwise read the whole table and sort it.
    with _planner(bitmapscan=False, seqscan=False, sort=False):
        return window(built.with_words(), page, per_page, tuple(built.terms))


def _matches(stmt: Any, limit: int | None = None) -> list[Any]:
    """(id, entry_date) of matching rows; run inside ``_bitmaps_only()``."""
    probe = stmt.order_by(None).with_only_columns(ArchiveEntry.id, ArchiveEntry.entry_date)
    if limit is not None:
        probe = probe.limit(limit)
    return list(db.session.execute(probe).all())


def _bitmaps_only() -> Any:
    """Bitmap scans only: the GIN index finds the matches, only they are fetched."""
    return _planner(indexscan=False, seqscan=False)


def _cut(built: Any, rows: list[Any], total: int, capped: bool, page: int,
         per_page: int) -> Any:
    rows.sort(key=lambda r: (r.entry_date, r.id), reverse=True)
    ids = [r.id for r in rows[(page - 1) * per_page: page * per_page]]
    found = {e.id: e for e in db.session.scalars(
        select(ArchiveEntry).options(defer(ArchiveEntry.folded))
        .where(ArchiveEntry.id.in_(ids)))} if ids else {}
    return _page(built, [found[i] for i in ids], total, capped, page, per_page)


def _periods(newest: date, oldest: date, months: bool) -> Iterator[tuple[str, date, date]]:
    """(token, first day, end) of the periods to read, newest first and disjoint: months first
    (when asked, at most MAX_WINDOWS of them), then years. A row counts for a period only when
    it is older than ``end`` (a year token also holds the months already read)."""
    end = date.max
    year, month = newest.year, newest.month
    if months:
        for _ in range(MAX_WINDOWS):
            start = date(year, month, 1)
            yield period_token(year, month), start, end
            end = start
            if start <= oldest:
                return
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    for y in range(year, oldest.year - 1, -1):
        start = date(y, 1, 1)
        yield period_token(y), start, end
        end = start


def _by_period(built: Any, page: int, per_page: int, expected: float | None) -> Any:
    query = built.query
    oldest, newest = db.session.execute(
        select(func.min(ArchiveEntry.entry_date), func.max(ArchiveEntry.entry_date))
        .where(ArchiveEntry.agency_id == built.agency_id)).one()
    if newest is None:
        return _page(built, [], 0, False, page, per_page)
    if query.date_to and query.date_to < newest:
        newest = query.date_to
    if query.date_from and query.date_from > oldest:
        oldest = query.date_from
    years = max(1, newest.year - oldest.year + 1)
    months = expected is None or expected / years > MONTHS_ABOVE
    need = page * per_page
    rows: list[Any] = []
    capped = False
    with _bitmaps_only():
        for n, (token, start, end) in enumerate(_periods(newest, oldest, months), start=1):
            found = _matches(built.with_words([token]))
            rows.extend(r for r in found if r.entry_date < end)
            if len(rows) > need:  # one more than the page: the next page exists
                capped = start > oldest
                break
            if n >= 2 * MAX_WINDOWS and start > oldest:
                # Sparse after all: everything older at once.
                rows.extend(_matches(built.with_words().where(
                    ArchiveEntry.entry_date < start)))
                break
    return _cut(built, rows, len(rows), capped, page, per_page)


def words_page(built: Any, page: int, per_page: int) -> Any:
    stats = _stats()
    share = expected = None
    rare = True  # a word missing from the statistics: rarer than every word listed there
    if stats is not None:
        table, floor, rows_total = stats
        freqs = [table.get(lexeme, floor) for lexeme in built.lexemes] or [0.0]
        rare = any(lexeme not in table for lexeme in built.lexemes)
        share = min(freqs) if built.phrase else math.prod(freqs)
        expected = share * rows_total
    if share is not None and share >= WALK_DENSITY:
        return _walk(built, page, per_page)
    if rare or expected is None or expected <= FETCH_ALL:
        with _bitmaps_only():
            rows = _matches(built.with_words(), FETCH_CAP)
        if len(rows) < FETCH_CAP:
            return _cut(built, rows, len(rows), False, page, per_page)
        expected = None  # many after all: take them by period
    return _by_period(built, page, per_page, expected)
