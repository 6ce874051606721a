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


STRATEGIES = {
    # name: (WALK_DENSITY, FETCH_ALL, FETCH_CAP, MONTHS_ABOVE, MAX_WINDOWS)
    "walk": (0.0, 4000, 20_000, 600, 8),
    "fetch_all": (2.0, 10**9, 20_000, 600, 8),
    "fetch_cap_then_months": (2.0, 10**9, 3, 600, 8),
    "months": (2.0, -1, 20_000, -1, 100),
    "months_then_older": (2.0, -1, 20_000, -1, 2),
    "years": (2.0, -1, 20_000, 10**9, 100),
}


@pytest.mark.parametrize("q", ["le hoi", "cong", "tam dao", "dai ke hoach", "hung le dat dao",
                               "xyz"])
def test_every_strategy_returns_the_reference_page(corpus, db, q):
    from edoc.records import search_pg

    reference = _reference(db, corpus, q)
    if not reference and len(tokens(q)) > 1:
        reference = _reference(db, corpus, q, phrase=False)
    assert bool(reference) == (q != "xyz")
    for strategy, values in STRATEGIES.items():
        with pytest.MonkeyPatch.context() as mp:
            for name, value in zip(("WALK_DENSITY", "FETCH_ALL", "FETCH_CAP", "MONTHS_ABOVE",
                                    "MAX_WINDOWS"), values, strict=True):
                mp.setattr(search_pg, name, value)
            for page in (1, 2, 3):
                result = search_archive(corpus, ArchiveQuery(q=q, page=page, per_page=7),
                                        confidential=True)
                expected = reference[(page - 1) * 7: page * 7]
                assert [e.id for e in result.items] == expected, (strategy, q, page)
                if result.capped:
                    assert page * 7 < result.total <= len(reference), (strategy, q, page)
                else:
                    assert result.total == len(reference), (strategy, q, page)
