"""Notation-aware search: 15/QĐ-UBND, QĐ-UBND 15, qd-ubnd 15, 15/qd-ubnd find the same document;
qd-ubnd alone finds every document with that symbol; exact notation hits rank first."""
from __future__ import annotations

from datetime import date

import pytest

from edoc.search import search
from tests.search.conftest import ids, make_doc


@pytest.fixture
def docs(office):
    agency = office["agency"]
    return {
        "qd15": make_doc(agency, subject="Quyết định khen thưởng", direction="outgoing",
                         number=15, notation="QĐ-UBND", type_key="quyet_dinh"),
        "qd16": make_doc(agency, subject="Quyết định thành lập tổ công tác", direction="outgoing",
                         number=16, notation="QĐ-UBND", type_key="quyet_dinh"),
        "cv15": make_doc(agency, subject="Công văn đôn đốc", number=15, notation="UBND-VP",
                         issuing_agency="UBND huyện"),
        "qd5_stc": make_doc(agency, subject="Quyết định của Sở Tài chính", number=5,
                            notation="QĐ-STC", issuing_agency="Sở Tài chính"),
        # cites 15/QĐ-UBND in its text: found, but after the document itself
        "citing": make_doc(agency, subject="Báo cáo thực hiện",
                           content="Thực hiện Quyết định số 15/QĐ-UBND ngày 05/3/2025 của UBND."),
    }


@pytest.mark.parametrize("q", ["15/QĐ-UBND", "QĐ-UBND 15", "qd-ubnd 15", "15/qd-ubnd",
                               "15/QD-UBND", "Số: 15/QĐ-UBND", "số 15 QĐ UBND", "015/QĐ-UBND",
                               "15 / QĐ - UBND"])
def test_every_form_finds_the_document_first(office, docs, q):
    results = search(office["clerk"], q)
    assert results.items[0].id == docs["qd15"].id, q
    found = ids(results)
    assert docs["qd16"].id not in found
    assert docs["cv15"].id not in found
    assert docs["qd5_stc"].id not in found


def test_citing_document_comes_after_the_exact_match(office, docs):
    found = ids(search(office["clerk"], "QĐ-UBND 15"))
    assert found == [docs["qd15"].id, docs["citing"].id]
    hits = search(office["clerk"], "15/QĐ-UBND").items
    assert hits[0].tier > hits[1].tier and hits[0].score > hits[1].score


@pytest.mark.parametrize("q", ["qd-ubnd", "QĐ-UBND", "qđ-ubnd"])
def test_symbol_alone_finds_every_document_with_it(office, docs, q):
    results = search(office["clerk"], q)
    exact = [h.id for h in results.items if h.tier == 3]
    assert set(exact) == {docs["qd15"].id, docs["qd16"].id}
    assert docs["cv15"].id not in ids(results)
    assert docs["qd5_stc"].id not in ids(results)


def test_number_notation_is_returned_as_printed(office, docs):
    hit = search(office["clerk"], "qd-ubnd 16").items[0]
    assert hit.number_notation == "16/QĐ-UBND"


def test_cong_van_notation(office, docs):
    assert search(office["clerk"], "15/UBND-VP").items[0].id == docs["cv15"].id
    assert search(office["clerk"], "ubnd-vp 15").items[0].id == docs["cv15"].id


def test_same_notation_in_two_years_newest_first(office):
    agency = office["agency"]
    old = make_doc(agency, subject="Quyết định năm trước", direction="outgoing", number=7,
                   notation="QĐ-UBND", document_date=date(2024, 2, 1))
    new = make_doc(agency, subject="Quyết định năm nay", direction="outgoing", number=7,
                   notation="QĐ-UBND", document_date=date(2025, 2, 1))
    assert ids(search(office["clerk"], "7/QĐ-UBND"))[:2] == [new.id, old.id]


def test_year_segment_notation(office):
    doc = make_doc(office["agency"], subject="Quyết định quy phạm", direction="outgoing",
                   number=123, notation="2025/QĐ-UBND")
    assert doc.number_notation == "123/2025/QĐ-UBND"
    for q in ("123/2025/QĐ-UBND", "123/2025/qd-ubnd"):
        assert search(office["clerk"], q).items[0].id == doc.id


def test_notation_words_also_match_as_text(office, docs):
    # an ordinary query that mentions a notation among other words
    found = ids(search(office["clerk"], "khen thưởng QĐ-UBND"))
    assert found == [docs["qd15"].id]


def test_hyphenated_words_are_still_words(office):
    doc = make_doc(office["agency"], subject="Kế hoạch phòng chống dịch COVID-19",
                   content="Triển khai hệ thống e-office.")
    assert ids(search(office["clerk"], "covid-19")) == [doc.id]
    assert ids(search(office["clerk"], "E-Office")) == [doc.id]
