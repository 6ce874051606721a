"""The query side: parse, gather candidates, rank, page, build highlighted hits.

Ranking is by tier, then relevance, then recency:

3. exact number/notation (or record code) match: ``15/QĐ-UBND`` names this very document;
2. every word in the title or metadata (trích yếu, số ký hiệu, cơ quan ban hành);
1. the words anywhere, body included (for a notation query: the notation cited in the title or
   text, found through the cited keys, see :mod:`edoc.search.entries`);
0. no query words: the filtered list, newest first.

Relevance is bm25 (SQLite) or ts_rank_cd (PostgreSQL) with the title weighing most.

Bounds, which keep every query fast whatever its breadth: the candidates are the newest
``SEARCH_CANDIDATE_CAP`` (default 500) matching entries (highest entry id, after filters and
visibility), plus as many exact notation hits; relevance is computed for the newest
``SEARCH_RANK_WINDOW`` (default 100) of them, older candidates following in their tier newest
first. A query matching more than the cap (``ubnd`` over a million documents) thus ranks its
newest matches and reports its total as a lower bound (``total_exact`` False); words or filters
that narrow it bring older matches in.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy import and_, bindparam, or_, select

from edoc.search import highlight as hl
from edoc.search.access import entry_visible_clause
from edoc.search.backends import Hints, TextQuery, backend_for
from edoc.search.entries import DOCUMENT, RECORD, query_key
from edoc.search.models import SearchEntry, SearchKey
from edoc.search.text import looks_like_notation, notation_keys, tokens

__all__ = ["SCOPES", "ParsedQuery", "SearchFilters", "SearchHit", "SearchResults",
           "matching_documents", "parse", "search"]

SCOPES = ("all", "incoming", "outgoing", "records")
DEFAULT_CAP = 500
#: relevance (bm25 / ts_rank_cd) is computed for the newest this-many text matches
DEFAULT_WINDOW = 100
#: more words than this add little and cost a lot (each is a posting list to intersect)
MAX_WORDS = 12
MAX_QUERY_CHARS = 500

TIER_EXACT, TIER_HEAD, TIER_TEXT, TIER_LIST = 3, 2, 1, 0


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    raw: str
    #: folded tokens, in order
    words: tuple[str, ...]
    #: keys looked up in search_keys (notation keys, or the whole query as a code)
    keys: tuple[str, ...]
    #: the query is essentially a number/notation
    is_notation: bool
    #: ... with a number (15/QĐ-UBND): its keys alone answer it
    numbered: bool = False


@dataclass(frozen=True, slots=True)
class SearchFilters:
    type: str | None = None
    state: str | None = None
    urgency: str | None = None
    direction: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    id: int
    direction: str | None
    title: str
    #: the title, escaped, query words marked
    title_html: Markup
    number_notation: str
    date: date
    state: str
    type_key: str
    urgency: str
    confidentiality: str
    #: an excerpt of the original text, escaped, query words in <mark>
    snippet: Markup
    score: float
    tier: int


@dataclass(frozen=True, slots=True)
class SearchResults:
    items: list[SearchHit]
    total: int
    page: int
    per_page: int
    #: False when a candidate set was cut at the cap: ``total`` is a lower bound
    total_exact: bool = True
    query: ParsedQuery | None = None
    words: tuple[str, ...] = field(default=())


def parse(q: str | None) -> ParsedQuery:
    raw = (q or "").strip()[:MAX_QUERY_CHARS]
    words = tuple(dict.fromkeys(tokens(raw)))[:MAX_WORDS]
    is_notation = looks_like_notation(raw)
    keys: set[str] = set()
    numbered: list[str] = []
    if is_notation:
        found = notation_keys(raw)
        numbered = [k for k in found if k[:1].isdigit() and "/" in k]
        if numbered:
            most = max(k.count("/") for k in numbered)
            keys = {k for k in numbered if k.count("/") == most}
        else:
            keys = set(found)
    if raw and " " not in raw.strip() and len(raw) <= 160:
        keys.add(query_key(raw))  # a record code, or the notation exactly as indexed
    return ParsedQuery(raw=raw, words=words, keys=tuple(sorted(k for k in keys if k)),
                       is_notation=is_notation, numbered=bool(numbered))


def _kinds(scope: str) -> tuple[str, ...]:
    if scope == "records":
        return (RECORD,)
    if scope in ("incoming", "outgoing"):
        return (DOCUMENT,)
    return (DOCUMENT, RECORD)


def _conditions(user: Any, scope: str, f: SearchFilters) -> tuple[list[Any], Hints]:
    """The conditions on entries, and what they narrow (for the backend's planning)."""
    kinds = _kinds(scope)
    conds: list[Any] = [SearchEntry.agency_id == user.agency_id]
    if f.date_from:
        conds.append(SearchEntry.date >= f.date_from)
    if f.date_to:
        conds.append(SearchEntry.date <= f.date_to)
    if len(kinds) == 1:
        conds.append(SearchEntry.kind == kinds[0])
    direction = scope if scope in ("incoming", "outgoing") else f.direction
    if direction:
        conds.append(SearchEntry.direction == direction)
    if f.type:
        conds.append(SearchEntry.type_key == f.type)
    if f.state:
        conds.append(SearchEntry.state == f.state)
    if f.urgency:
        conds.append(SearchEntry.urgency == f.urgency)
    conds.append(entry_visible_clause(user, kinds))
    return conds, Hints(agency_id=user.agency_id, date_from=f.date_from, date_to=f.date_to,
                        indexed_filter=bool(f.type), type_key=f.type)


def search(user: Any, q: str | None = "", *, scope: str = "all",
           filters: SearchFilters | None = None, page: int = 1,
           per_page: int = 20) -> SearchResults:
    """Entries ``user`` may see that match ``q`` and the filters, ranked, one page of them."""
    from edoc.extensions import db

    if scope not in SCOPES:
        raise ValueError(f"unknown search scope {scope!r}")
    page, per_page = max(1, page), max(1, per_page)
    parsed = parse(q)
    conds, hints = _conditions(user, scope, filters or SearchFilters())
    session = db.session
    backend = backend_for(session.get_bind())

    cap = int(current_app.config.get("SEARCH_CANDIDATE_CAP", DEFAULT_CAP))
    window = min(cap, int(current_app.config.get("SEARCH_RANK_WINDOW", DEFAULT_WINDOW)))
    ranked: dict[int, list] = {}  # entry id -> [tier, relevance]
    complete = True

    def add(ids: Sequence[int], tier: int) -> None:
        nonlocal complete
        if len(ids) >= cap:
            complete = False
        for i in ids:
            hit = ranked.get(i)
            if hit is None:
                ranked[i] = [tier, 0.0]
            elif hit[0] < tier:
                hit[0] = tier

    if not parsed.words and not parsed.keys:
        add(backend.newest(session, conds, cap, hints=hints), TIER_LIST)
    else:
        if parsed.keys:
            # Documents citing a numbered notation come next; citations of a bare symbol are
            # too many to mean anything.
            for cited, tier in ((False, TIER_EXACT), (True, TIER_TEXT))[:2 if parsed.numbered
                                                                          else 1]:
                add(list(session.scalars(
                    select(SearchKey.entry_id)
                    .join(SearchEntry, SearchEntry.id == SearchKey.entry_id)
                    .where(SearchKey.agency_id == user.agency_id,
                           SearchKey.key.in_(parsed.keys), SearchKey.cited == cited, *conds)
                    .order_by(SearchKey.entry_id.desc()).limit(cap))), tier)
        if parsed.words and not parsed.numbered:
            # A numbered notation is answered by the keys alone (its own, and those cited in
            # titles and texts); a bare symbol may also be a hyphenated word (COVID-19).
            tq = TextQuery(words=parsed.words)
            matches, relevance = backend.ranked_matches(session, tq, conds, cap, window,
                                                        hints=hints)
            add([i for i, head in matches if not head], TIER_TEXT)
            add([i for i, head in matches if head], TIER_HEAD)
            if len(matches) >= cap:
                complete = False
            for i, rel in relevance.items():
                ranked[i][1] = rel

    order = sorted(ranked.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]), reverse=True)
    exact_total = complete
    start = (page - 1) * per_page
    page_ids = order[start:start + per_page]
    items = _hits(session, page_ids, parsed) if page_ids else []
    return SearchResults(items=items, total=len(order), page=page, per_page=per_page,
                         total_exact=exact_total, query=parsed, words=parsed.words)


def matching_documents(agency_id: int, q: str | None, *, direction: str | None = None):
    """SQL condition on ``documents.id``: the agency's documents whose subject, number and
    notation, issuing agency or type hold every word of ``q`` (accent-insensitive, as the index
    folds them), or whose own number/notation ``q`` is in any of its written forms
    (``15/QĐ-UBND``, ``qd-ubnd 15``); None when ``q`` has nothing to look up.

    For lists that keep their own filters, order, paging and visibility and only narrow by
    text (a document list's ``q``: the fields the list shows, not the body, which is the
    search page's job): the index answers from posting lists and notation keys instead of a
    substring scan of every row.
    """
    from edoc.documents.models import Document
    from edoc.extensions import db

    parsed = parse(q)
    if not parsed.words and not parsed.keys:
        return None
    conds: list[Any] = [SearchEntry.kind == DOCUMENT, SearchEntry.agency_id == agency_id]
    if direction:
        conds.append(SearchEntry.direction == direction)
    parts = []
    if parsed.keys:
        parts.append(select(SearchEntry.object_id)
                     .join(SearchKey, SearchKey.entry_id == SearchEntry.id)
                     .where(SearchKey.agency_id == agency_id, SearchKey.key.in_(parsed.keys),
                            SearchKey.cited.is_(False), *conds))
    if parsed.words and not parsed.numbered:
        backend = backend_for(db.session.get_bind())
        parts.append(backend.matching_objects(TextQuery(words=parsed.words), conds,
                                              head_only=True))
    return or_(*(Document.id.in_(p) for p in parts))


def _score(tier: int, rel: float) -> float:
    """Tier plus relevance squashed into [0, 1): sortable, and the tier stays readable."""
    rel = max(rel, 0.0)
    return round(tier + rel / (1.0 + rel), 4)


def _hits(session: Any, page_ids: list[tuple[int, list]],
          parsed: ParsedQuery) -> list[SearchHit]:
    rows = {r.id: r for r in session.execute(_page_stmt(),
                                             {"page_ids": [i for i, _ in page_ids]})}
    texts = {(DOCUMENT, r.object_id): (r.content or r.notes or "", r.issuing_agency or "")
             for r in rows.values() if r.kind == DOCUMENT}
    records = [r.object_id for r in rows.values() if r.kind == RECORD]
    if records:
        texts.update(_record_texts(session, records))
    out = []
    for entry_id, (tier, rel) in page_ids:
        e = rows.get(entry_id)
        if e is None:
            continue
        body, meta = texts.get((e.kind, e.object_id), ("", ""))
        words = parsed.words
        snip = hl.snippet(body, words) or hl.snippet(meta, words) or hl.lead(body or meta)
        out.append(SearchHit(
            kind=e.kind, id=e.object_id, direction=e.direction, title=e.title,
            title_html=hl.highlight(e.title, words), number_notation=e.number_notation,
            date=e.date, state=e.state, type_key=e.type_key, urgency=e.urgency,
            confidentiality=e.confidentiality, snippet=snip, score=_score(tier, rel),
            tier=tier))
    return out


@functools.cache
def _page_stmt() -> Any:
    """The page's entries with, for documents, the texts of their snippets (body as written:
    the extracted text, else the notes; metadata: the issuing agency), in one statement.
    Built once (parameter ``page_ids``)."""
    from edoc.documents.models import Document, DocumentText

    return (select(SearchEntry.id, SearchEntry.kind, SearchEntry.object_id,
                   SearchEntry.direction, SearchEntry.title, SearchEntry.number_notation,
                   SearchEntry.date, SearchEntry.state, SearchEntry.type_key,
                   SearchEntry.urgency, SearchEntry.confidentiality, Document.issuing_agency,
                   Document.notes, DocumentText.content)
            .select_from(SearchEntry)
            .outerjoin(Document, and_(SearchEntry.kind == DOCUMENT,
                                      Document.id == SearchEntry.object_id))
            .outerjoin(DocumentText, DocumentText.document_id == Document.id)
            .where(SearchEntry.id.in_(bindparam("page_ids", expanding=True))))


def _record_texts(session: Any, rec_ids: Sequence[int]) -> Mapping[tuple[str, int], tuple]:
    """(description, metadata text) of records, for the snippets."""
    from edoc.search.indexer import record_model

    Record = record_model()
    stmt = select(Record.id, Record.description, Record.code, Record.heading,
                  Record.keywords).where(Record.id.in_(rec_ids))
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for rec_id, description, code, heading, keywords in session.execute(stmt):
        meta = " · ".join(t for t in (code, heading, ", ".join(keywords or [])) if t)
        out[(RECORD, rec_id)] = (description or "", meta)
    return out
