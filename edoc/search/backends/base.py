"""What both backends share: the entry writes, and the interface of the queries."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select

from edoc.search.entries import IndexEntry
from edoc.search.models import SearchEntry, SearchKey, SearchSpan

__all__ = ["ATTR_COLUMNS", "NO_HINTS", "W_BODY", "W_META", "W_TITLE", "Backend", "Hints",
           "TextQuery", "safe_words"]

#: bm25 / ts_rank_cd weights: a word in the title counts far more than one deep in the body
W_TITLE, W_META, W_BODY = 10.0, 5.0, 1.0


@dataclass(frozen=True, slots=True)
class Hints:
    """What the caller's conditions narrow, for a backend that plans around them."""

    agency_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: a filter with its own index (the document type): walking it visits few rows
    indexed_filter: bool = False
    #: that filter's value (the document type key), for its share of the entries
    type_key: str | None = None


NO_HINTS = Hints()


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Folded words that must all occur."""

    words: tuple[str, ...] = ()


ATTR_COLUMNS = ("agency_id", "direction", "state", "type_key", "urgency", "confidentiality",
                 "date", "title", "number_notation", "drafter_id", "signer_id", "created_by_id",
                 "submitted_to_id")


class Backend:
    name = ""

    # --- writing ------------------------------------------------------------------------------
    def write(self, conn: Any, entries: Sequence[IndexEntry]) -> None:
        """Insert or replace ``entries`` (keys and full text included)."""
        if not entries:
            return
        written = self._upsert(conn, entries)
        if written is None:
            ids, inserted = self._entry_ids(conn, entries), set()
        else:
            ids, inserted = written
        # An entry inserted just now has no keys yet.
        replaced = [i for i in ids.values() if i not in inserted]
        if replaced:
            conn.execute(delete(SearchKey).where(SearchKey.entry_id.in_(replaced)))
        keys = [{"entry_id": ids[(e.kind, e.object_id)], "key": k[:160], "agency_id": e.agency_id,
                 "cited": cited}
                for e in entries
                for cited, ks in ((False, e.keys), (True, e.cited - e.keys)) for k in sorted(ks)]
        if keys:
            conn.execute(insert(SearchKey), keys)
        self._write_text(conn, entries, ids)
        spans: dict[tuple[int, date], list[int]] = {}
        for e in entries:
            entry_id = ids[(e.kind, e.object_id)]
            span = spans.setdefault((e.agency_id, e.date.replace(day=1)), [entry_id, entry_id])
            span[0], span[1] = min(span[0], entry_id), max(span[1], entry_id)
        self._widen_spans(conn, [{"agency_id": a, "month": m, "min_id": lo, "max_id": hi}
                                 for (a, m), (lo, hi) in sorted(spans.items())])

    def _widen_spans(self, conn: Any, rows: list[dict]) -> None:
        raise NotImplementedError

    def rebuild_spans(self, conn: Any, *, exact: bool = False) -> None:
        """Bring search_spans in line with the entries after a reindex.

        By default spans only widen: an entry written by a concurrent transaction, which this
        one cannot see, keeps its span. ``exact`` recomputes them (narrower after deletions);
        only safe when nothing else writes, e.g. after ``reindex --fresh``.
        """
        month = self._month(SearchEntry.date)
        rows = [{"agency_id": a, "month": m if isinstance(m, date) else date.fromisoformat(m),
                 "min_id": lo, "max_id": hi}
                for a, m, lo, hi in conn.execute(
                    select(SearchEntry.agency_id, month, func.min(SearchEntry.id),
                           func.max(SearchEntry.id)).group_by(SearchEntry.agency_id, month))]
        if exact:
            conn.execute(delete(SearchSpan))
        if rows:
            self._widen_spans(conn, rows)

    def _month(self, column: Any) -> Any:
        raise NotImplementedError

    def update_attributes(self, conn: Any, kind: str, object_id: int,
                          values: dict[str, Any]) -> None:
        """Change filter/display columns of an entry whose words did not change."""
        values = {k: v for k, v in values.items() if k in ATTR_COLUMNS}
        if values:
            conn.execute(_update_stmt(frozenset(values)),
                         {**{f"new_{k}": v for k, v in values.items()}, "the_kind": kind,
                          "the_object_id": object_id})

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

    def _upsert(self, conn: Any, entries: Sequence[IndexEntry]
                ) -> tuple[dict[tuple[str, int], int], set[int]] | None:
        """Insert or update the entries' rows. Returns their ids by (kind, object id) and the
        ids of those inserted (not updated), or None if the backend cannot tell."""
        raise NotImplementedError

    def _write_text(self, conn: Any, entries: Sequence[IndexEntry],
                    ids: dict[tuple[str, int], int]) -> None:
        raise NotImplementedError

    # --- querying -----------------------------------------------------------------------------
    def matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int, *,
                hints: Hints = NO_HINTS) -> list[tuple[int, bool]]:
        """The newest ``cap`` entries matching ``tq`` and ``conditions``, newest first, each with
        whether every word occurs in the title or metadata. ``hints`` repeat what the
        conditions narrow, for planning."""
        raise NotImplementedError

    def relevance(self, session: Any, tq: TextQuery, ids: Sequence[int]) -> dict[int, float]:
        """bm25 / ts_rank_cd of these matching entries (higher is better)."""
        raise NotImplementedError

    def ranked_matches(self, session: Any, tq: TextQuery, conditions: Sequence[Any], cap: int,
                       window: int, *, hints: Hints = NO_HINTS
                       ) -> tuple[list[tuple[int, bool]], dict[int, float]]:
        """:meth:`matches`, and the :meth:`relevance` of the first (newest) ``window`` of
        them. A backend may answer both in fewer statements."""
        found = self.matches(session, tq, conditions, cap, hints=hints)
        return found, self.relevance(session, tq, [i for i, _ in found[:window]])

    def matching_objects(self, tq: TextQuery, conditions: Sequence[Any], *,
                         head_only: bool = False) -> Any:
        """SELECT of the ``object_id`` of every entry matching ``tq`` (in the title and
        metadata only if ``head_only``) and ``conditions``; unordered and unbounded, for
        another query to filter on (a document list's ``q``)."""
        raise NotImplementedError

    def date_span(self, session: Any, hints: Hints) -> tuple[int, int] | None:
        """The entry ids (lowest, highest) that can hold the agency's entries dated within the
        date filter, from search_spans (which only ever widen, so nothing is left out); None
        without a date filter, (0, -1) when no entry can match."""
        stmt = self.date_span_select(hints)
        if stmt is None:
            return None
        lo, hi = session.execute(stmt).one()
        return (0, -1) if lo is None else (lo, hi)

    def date_span_select(self, hints: Hints) -> Any:
        """SELECT of one row (lo, hi) for :meth:`date_span` (NULLs when no entry can match),
        or None without a date filter."""
        if not (hints.date_from or hints.date_to) or hints.agency_id is None:
            return None
        return select(func.min(SearchSpan.min_id).label("lo"),
                      func.max(SearchSpan.max_id).label("hi")).where(
            SearchSpan.agency_id == hints.agency_id,
            SearchSpan.month >= (hints.date_from or date.min).replace(day=1),
            SearchSpan.month <= (hints.date_to or date.max))

    def newest(self, session: Any, conditions: Sequence[Any], cap: int, *,
               hints: Hints = NO_HINTS) -> list[int]:
        """The newest ``cap`` entries satisfying ``conditions`` (no words: a filtered list)."""
        return list(session.scalars(select(SearchEntry.id).where(*conditions)
                                    .order_by(SearchEntry.id.desc()).limit(cap)))


@functools.lru_cache(maxsize=64)
def _update_stmt(columns: frozenset[str]):
    """UPDATE of these entry columns (parameters ``new_<column>``), built once per set."""
    table = SearchEntry.__table__
    return (table.update()
            .where(table.c.kind == bindparam("the_kind"),
                   table.c.object_id == bindparam("the_object_id"))
            .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in sorted(columns)}))


def safe_words(words: Sequence[str], bad: str) -> list[str]:
    """Words are folded tokens (letters and digits only); anything else is dropped, not
    escaped."""
    return [w for w in words if w and not any(c in w for c in bad)]
