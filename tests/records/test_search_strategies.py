"""Every way a word search can run returns the same page as a plain reference: the walk of
the date index, reading all matches, and reading them period by period (PostgreSQL), and FTS5
(SQLite). The thresholds are forced so that each strategy runs on a small data set."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, text

from edoc.records.archive_models import ArchiveEntry
from edoc.records.search import ArchiveQuery, search_archive
from edoc.records.search_index import pairs, searchable, time_tokens
from edoc.search.text import tokens
from tests.records.helpers import archived_record

WORDS = ["le", "hoi", "den", "hung", "dat", "dai", "ke", "hoach", "cong", "van", "tam", "dao"]


@pytest.fixture
def corpus(client, office, make_document, db):
    """One archived record, plus 400 index rows of it with random words and dates."""
    record = archived_record(client, office, [make_document()])
    rng = random.Random(7)
    rows = []
    for n in range(400):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 9)))
        rows.append({"agency_id": office.agency.id, "kind": "document", "record_id": record["id"],
                     "document_id": None, "code": record["code"],
                     "code_folded": record["code"].lower(), "title": f"Văn bản {n} {words}",
                     "notation": "", "notation_key": None, "notation_symbol": None,
                     "type_key": "cong_van", "entry_date": day, "end_date": day,
                     "retention_kind": "years", "retention_years": 10, "mode": "01",
                     "folded": " ".join([searchable(words), *time_tokens(day)])})
    db.session.execute(insert(ArchiveEntry), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE archive_entries"))
    return office.agency.id


def _reference(db, agency_id: int, q: str, phrase: bool = True) -> list[int]:
    words = tokens(q)
    wanted = set(pairs(words) if phrase and len(words) > 1 else words)
    entries = db.session.query(ArchiveEntry).filter(ArchiveEntry.agency_id == agency_id).all()
    hits = [e for e in entries if wanted <= set(e.folded.split())]
    hits.sort(key=lambda e: (e.entry_date, e.id), reverse=True)
    return [e.id for e in hits]


class _EveryWord(dict):
    """Statistics that know every word, at one frequency."""

    def __init__(self, share: float) -> None:
        super().__init__()
        self.share = share

    def __contains__(self, key: object) -> bool:
        return True

    def get(self, key, default=None):
        return self.share


STRATEGIES = {
    # name: (word frequency, FETCH_ALL, FETCH_CAP, MONTHS_ABOVE, MAX_WINDOWS, path taken)
    "walk": (0.5, 4000, 20_000, 600, 8, "_walk"),
    "fetch_all": (0.0001, 10**9, 20_000, 600, 8, "_cut"),
    "fetch_cap_then_months": (0.0001, 10**9, 3, 600, 8, "_by_period"),
    "months": (0.01, -1, 20_000, -1, 100, "_by_period"),
    "months_then_older": (0.01, -1, 20_000, -1, 2, "_by_period"),
    "years": (0.01, -1, 20_000, 10**9, 100, "_by_period"),
}


@pytest.mark.parametrize("q", ["le hoi", "cong", "tam dao", "dai ke hoach", "hung le dat dao",
                               "xyz"])
def test_every_strategy_returns_the_reference_page(corpus, db, q):
    from edoc.records import search_pg

    reference = _reference(db, corpus, q)
    if not reference and len(tokens(q)) > 1:
        reference = _reference(db, corpus, q, phrase=False)
    assert bool(reference) == (q != "xyz")
    postgres = db.engine.dialect.name == "postgresql"
    for strategy, (share, *values, path) in STRATEGIES.items():
        taken: list[str] = []
        with pytest.MonkeyPatch.context() as mp:
            for name, value in zip(("FETCH_ALL", "FETCH_CAP", "MONTHS_ABOVE", "MAX_WINDOWS"),
                                   values, strict=True):
                mp.setattr(search_pg, name, value)
            mp.setattr(search_pg, "_stats", lambda share=share: (_EveryWord(share), share,
                                                                 400.0))
            for spied in ("_walk", "_cut", "_by_period"):
                original = getattr(search_pg, spied)
                mp.setattr(search_pg, spied, lambda *a, _o=original, _n=spied, _t=taken, **k: (
                    _t.append(_n), _o(*a, **k))[1])
            for page in (1, 2, 3):
                result = search_archive(corpus, ArchiveQuery(q=q, page=page, per_page=7),
                                        confidential=True)
                expected = reference[(page - 1) * 7: page * 7]
                assert [e.id for e in result.items] == expected, (strategy, q, page)
                if result.capped:
                    assert page * 7 < result.total <= len(reference), (strategy, q, page)
                else:
                    assert result.total == len(reference), (strategy, q, page)
        # (fewer matches than FETCH_CAP never leave the first read)
        if postgres and not (strategy == "fetch_cap_then_months" and len(reference) < 3):
            assert path in taken, (strategy, taken)
