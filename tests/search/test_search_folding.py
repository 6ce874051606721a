"""Accent-insensitive search: quyet dinh finds Quyết định, đ folds to d, hoà equals hòa."""
from __future__ import annotations

import unicodedata

import pytest

from edoc.search import search
from tests.search.conftest import ids, make_doc


@pytest.fixture
def docs(office):
    agency = office["agency"]
    return {
        "qd": make_doc(agency, subject="Quyết định về việc phê duyệt kế hoạch chuyển đổi số",
                       type_key="quyet_dinh"),
        "dong_ha": make_doc(agency, subject="Báo cáo tình hình thiên tai",
                            issuing_agency="UBND thành phố Đông Hà"),
        "hoa_old": make_doc(agency, subject="Công văn về công tác hoà giải ở cơ sở"),
        "hoa_new": make_doc(agency, subject="Kế hoạch tổ chức hòa giải viên giỏi"),
        "thuy": make_doc(agency, subject="Tờ trình về thủy lợi nội đồng"),
        "other": make_doc(agency, subject="Giấy mời họp giao ban"),
    }


@pytest.mark.parametrize("q", ["quyet dinh", "Quyết định", "QUYET DINH", "quyết dinh",
                               "quyet   dinh"])
def test_accents_and_case_do_not_matter(office, docs, q):
    found = ids(search(office["clerk"], q))
    assert docs["qd"].id in found
    assert docs["other"].id not in found


def test_d_stroke_folds_to_d(office, docs):
    for q in ("dong ha", "Đông Hà", "ĐÔNG HÀ", "Dong Ha"):
        assert ids(search(office["clerk"], q)) == [docs["dong_ha"].id], q


def test_old_and_new_tone_placement_are_the_same(office, docs):
    both = {docs["hoa_old"].id, docs["hoa_new"].id}
    assert set(ids(search(office["clerk"], "hoà giải"))) == both
    assert set(ids(search(office["clerk"], "hòa giải"))) == both
    assert set(ids(search(office["clerk"], "hoa giai"))) == both
    assert ids(search(office["clerk"], "thuỷ lợi")) == [docs["thuy"].id]


def test_decomposed_query_matches_composed_text(office, docs):
    q = unicodedata.normalize("NFD", "chuyển đổi số")
    assert ids(search(office["clerk"], q)) == [docs["qd"].id]


def test_body_text_is_searched_folded(office):
    doc = make_doc(office["agency"], subject="Công văn đến",
                   content="Nội dung: đề nghị hỗ trợ kinh phí khắc phục hậu quả bão số 3.")
    assert ids(search(office["clerk"], "khac phuc hau qua")) == [doc.id]
    assert ids(search(office["clerk"], "KHẮC PHỤC")) == [doc.id]


def test_all_words_must_occur(office, docs):
    assert ids(search(office["clerk"], "chuyển đổi số giao ban")) == []


def test_words_are_whole_tokens(office, docs):
    # "hoa" must not match inside other words, nor "dinh" inside "dinhx"
    assert ids(search(office["clerk"], "quye")) == []
