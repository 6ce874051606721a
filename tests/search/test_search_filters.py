"""Scopes and filters: direction, type, dates, state, urgency."""
from __future__ import annotations

from datetime import date

import pytest

from edoc.search import SearchFilters, search
from tests.search.conftest import ids, make_doc


@pytest.fixture
def docs(office):
    a = office["agency"]
    return {
        "in_cv": make_doc(a, subject="Công văn về dự toán ngân sách", type_key="cong_van",
                          document_date=date(2025, 1, 10), state="registered"),
        "in_done": make_doc(a, subject="Báo cáo dự toán ngân sách", type_key="bao_cao",
                            document_date=date(2025, 3, 10), state="done", urgency="khan"),
        "out_qd": make_doc(a, subject="Quyết định giao dự toán ngân sách", direction="outgoing",
                           type_key="quyet_dinh", document_date=date(2024, 12, 20)),
    }


def _ids(office, q="du toan", scope="all", **f):
    return set(ids(search(office["clerk"], q, scope=scope, filters=SearchFilters(**f))))


def test_scopes(office, docs):
    assert _ids(office) == {d.id for d in docs.values()}
    assert _ids(office, scope="incoming") == {docs["in_cv"].id, docs["in_done"].id}
    assert _ids(office, scope="outgoing") == {docs["out_qd"].id}
    assert _ids(office, scope="records") == set()
    assert _ids(office, direction="outgoing") == {docs["out_qd"].id}


def test_type_state_urgency(office, docs):
    assert _ids(office, type="quyet_dinh") == {docs["out_qd"].id}
    assert _ids(office, state="done") == {docs["in_done"].id}
    assert _ids(office, urgency="khan") == {docs["in_done"].id}


def test_date_range(office, docs):
    assert _ids(office, date_from=date(2025, 1, 1)) == {docs["in_cv"].id, docs["in_done"].id}
    assert _ids(office, date_to=date(2025, 1, 10)) == {docs["in_cv"].id, docs["out_qd"].id}
    assert _ids(office, date_from=date(2025, 1, 1), date_to=date(2025, 2, 1)) == \
        {docs["in_cv"].id}


def test_filters_without_words(office, docs):
    assert _ids(office, q="", scope="incoming", state="done") == {docs["in_done"].id}


def test_filters_apply_to_exact_notation_hits(office):
    a = office["agency"]
    doc = make_doc(a, subject="Quyết định", direction="outgoing", number=3, notation="QĐ-UBND",
                   document_date=date(2025, 5, 5))
    assert _ids(office, q="3/QĐ-UBND") == {doc.id}
    assert _ids(office, q="3/QĐ-UBND", scope="incoming") == set()
    assert _ids(office, q="3/QĐ-UBND", date_to=date(2025, 1, 1)) == set()


def test_unknown_scope_is_refused(office):
    with pytest.raises(ValueError):
        search(office["clerk"], "x", scope="everything")


def test_date_filter_finds_backdated_entries(office):
    """A paper document of 2019 registered today has a new entry id but an old date."""
    from sqlalchemy import select

    from edoc.extensions import db
    from edoc.search.models import SearchSpan

    a = office["agency"]
    old = make_doc(a, subject="Báo cáo đất đai", document_date=date(2019, 5, 1))
    for i in range(5):
        make_doc(a, subject=f"Báo cáo đất đai quý {i}", document_date=date(2025, 4, 1))
    late = make_doc(a, subject="Báo cáo đất đai (bản giấy)", document_date=date(2019, 5, 20))
    assert late.id > old.id
    assert _ids(office, q="dat dai", date_from=date(2019, 5, 1), date_to=date(2019, 5, 31)) \
        == {old.id, late.id}
    assert _ids(office, q="", date_to=date(2019, 12, 31)) == {old.id, late.id}
    span = db.session.scalar(select(SearchSpan).where(SearchSpan.agency_id == a.id,
                                                      SearchSpan.month == date(2019, 5, 1)))
    assert span.max_id > span.min_id  # widened by the late entry
    # moving a document to another month widens that month's span too
    late.document_date = date(2018, 1, 2)
    db.session.commit()
    assert _ids(office, q="dat dai", date_to=date(2018, 12, 31)) == {late.id}
