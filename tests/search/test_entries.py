"""What an index entry holds (no database)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from edoc.search.entries import cited_keys, document_entry, folded_words, words
from edoc.search.text import fold


@pytest.mark.parametrize("text", [
    "Quyết định số 15/QĐ-UBND ngày 05/3/2025 của Ủy ban nhân dân tỉnh",
    "  Hoà\tgiải  ở\ncơ sở_ĐÔNG  HÀ  ", "ﬁnal ½ x²", "", "đ Đ Ð ð",
])
def test_folding_once_gives_the_same_words(text):
    assert folded_words(fold(text)) == words(text)


def test_cited_keys():
    text = fold("Căn cứ Quyết định số 15/QĐ-UBND ngày 5/3/2025 và Nghị định 30/2020/NĐ-CP; "
                "Công văn số 7 / UBND – VP. Số điện thoại 0233/3852; ngày 05/3/2025.")
    assert cited_keys(text) == {"qd-ubnd", "15/qd-ubnd", "nd-cp", "30/nd-cp", "2020/nd-cp",
                                "30/2020/nd-cp", "ubnd-vp", "7/ubnd-vp"}


def test_document_entry():
    row = {"id": 7, "agency_id": 3, "direction": "incoming", "state": "registered",
           "type_key": "quyet_dinh", "subject": "Quyết định về Hoà giải (sửa 2/QĐ-UBND)",
           "urgency": "khan", "confidentiality": "mat", "number": 5, "notation": "QĐ-STC",
           "document_date": None, "received_at": datetime(2025, 3, 6, 1, tzinfo=UTC),
           "created_at": datetime(2025, 3, 7, tzinfo=UTC), "issuing_agency": "Sở Tài chính",
           "notes": "ghi chú", "direction_note": "", "result": ""}
    e = document_entry(row, "Căn cứ 15/QĐ-UBND. Trích yếu: 05/QĐ-STC.")
    assert (e.kind, e.object_id, e.agency_id, e.date) == ("document", 7, 3, date(2025, 3, 6))
    assert e.number_notation == "05/QĐ-STC"
    assert e.title_words == "quyet dinh ve hoa giai sua 2 qd ubnd"
    assert e.meta_words == "05 qd stc so tai chinh quyet dinh"
    assert e.body_words == "can cu 15 qd ubnd trich yeu 05 qd stc ghi chu"
    assert e.keys == {"qd-stc", "5/qd-stc"}
    # its own notation, quoted in the text, is not a citation
    assert e.cited == {"qd-ubnd", "2/qd-ubnd", "15/qd-ubnd"}
