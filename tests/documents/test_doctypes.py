"""Decree 30 document types, urgency and confidentiality levels."""
from __future__ import annotations

import dataclasses

import pytest

from edoc.documents.doctypes import (
    CONFIDENTIALITIES,
    DOCUMENT_TYPES,
    URGENCIES,
    by_abbreviation,
    find_type,
    get_confidentiality,
    get_type,
    get_urgency,
)
from edoc.search.text import fold

CONTRACT_KEYS = [
    "nghi_quyet", "quyet_dinh", "chi_thi", "quy_che", "quy_dinh", "thong_cao", "thong_bao",
    "huong_dan", "chuong_trinh", "ke_hoach", "phuong_an", "de_an", "du_an", "bao_cao", "bien_ban",
    "to_trinh", "hop_dong", "cong_van", "cong_dien", "ban_ghi_nho", "ban_thoa_thuan",
    "giay_uy_quyen", "giay_moi", "giay_gioi_thieu", "giay_nghi_phep", "phieu_gui",
    "phieu_chuyen", "phieu_bao", "thu_cong", "ban_sao_y", "ban_trich_sao", "ban_sao_luc",
]

# Phụ lục III, mục I of Decree 30 (vn-standards.md §3.2), complete.
ABBREVIATIONS = {
    "nghi_quyet": "NQ", "quyet_dinh": "QĐ", "chi_thi": "CT", "quy_che": "QC", "quy_dinh": "QyĐ",
    "thong_cao": "TC", "thong_bao": "TB", "huong_dan": "HD", "chuong_trinh": "CTr",
    "ke_hoach": "KH", "phuong_an": "PA", "de_an": "ĐA", "du_an": "DA", "bao_cao": "BC",
    "bien_ban": "BB", "to_trinh": "TTr", "hop_dong": "HĐ", "cong_van": None, "cong_dien": "CĐ",
    "ban_ghi_nho": "BGN", "ban_thoa_thuan": "BTT", "giay_uy_quyen": "GUQ", "giay_moi": "GM",
    "giay_gioi_thieu": "GGT", "giay_nghi_phep": "GNP", "phieu_gui": "PG", "phieu_chuyen": "PC",
    "phieu_bao": "PB", "thu_cong": None, "ban_sao_y": "SY", "ban_trich_sao": "TrS",
    "ban_sao_luc": "SL",
}


def test_the_full_list_in_decree_order_with_the_contract_keys():
    assert [t.key for t in DOCUMENT_TYPES] == CONTRACT_KEYS
    assert len({t.key for t in DOCUMENT_TYPES}) == 32
    assert sum(not t.is_copy for t in DOCUMENT_TYPES) == 29  # Điều 7
    assert [t.key for t in DOCUMENT_TYPES if t.is_copy] == [
        "ban_sao_y", "ban_trich_sao", "ban_sao_luc"]


def test_keys_are_the_folded_vietnamese_names():
    for t in DOCUMENT_TYPES:
        assert t.key == fold(t.name).replace(" ", "_"), t


def test_abbreviations_match_appendix_iii():
    assert {t.key: t.abbreviation for t in DOCUMENT_TYPES} == ABBREVIATIONS


def test_names_and_headings_are_vietnamese_as_printed():
    qd = get_type("quyet_dinh")
    assert (qd.name, qd.heading, qd.abbreviation, qd.is_copy) == (
        "Quyết định", "QUYẾT ĐỊNH", "QĐ", False)
    assert get_type("giay_uy_quyen").heading == "GIẤY ỦY QUYỀN"
    assert get_type("ban_thoa_thuan").name == "Bản thỏa thuận"
    assert get_type("ban_sao_y").heading == "SAO Y"


def test_types_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_type("quyet_dinh").abbreviation = "X"  # type: ignore[misc]


def test_get_type_raises_and_find_type_returns_none():
    with pytest.raises(KeyError):
        get_type("luat")
    assert find_type("luat") is None
    assert find_type(None) is None
    assert find_type("to_trinh").abbreviation == "TTr"


@pytest.mark.parametrize(("abbr", "key"), [
    ("QĐ", "quyet_dinh"), ("QyĐ", "quy_dinh"), ("QYĐ", "quy_dinh"), ("qđ", "quyet_dinh"),
    ("QD", "quyet_dinh"),   # no diacritics (OCR, keyboard): unambiguous
    ("Q\u00d0", "quyet_dinh"),  # Ð (U+00D0) from OCR
    ("TTr", "to_trinh"), ("TTR", "to_trinh"), ("HD", "huong_dan"), ("HĐ", "hop_dong"),
    ("ĐA", "de_an"), ("DA", "du_an"), ("TrS", "ban_trich_sao"), ("CĐ", "cong_dien"),
    ("qyđ", "quy_dinh"),
])
def test_by_abbreviation(abbr, key):
    assert by_abbreviation(abbr).key == key


def test_by_abbreviation_unknown_or_ambiguous():
    assert by_abbreviation("UBND") is None
    assert by_abbreviation("") is None
    assert by_abbreviation(None) is None
    # Công văn and thư công have no abbreviation.
    assert all(by_abbreviation(t.abbreviation) is t for t in DOCUMENT_TYPES if t.abbreviation)


def test_urgency_and_confidentiality_levels():
    assert [lv.key for lv in URGENCIES] == ["thuong", "khan", "thuong_khan", "hoa_toc"]
    assert [lv.key for lv in CONFIDENTIALITIES] == ["thuong", "mat", "toi_mat", "tuyet_mat"]
    assert [lv.name for lv in URGENCIES] == ["Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"]
    assert [lv.name for lv in CONFIDENTIALITIES] == ["Thường", "Mật", "Tối mật", "Tuyệt mật"]
    # Urgency ranks are the edXML Priority codes (0 thường .. 3 hỏa tốc).
    assert [lv.rank for lv in URGENCIES] == [0, 1, 2, 3]
    assert get_urgency("hoa_toc").mark == "HỎA TỐC"
    assert get_confidentiality("toi_mat").mark == "TỐI MẬT"
    assert get_urgency("thuong").mark is None
    with pytest.raises(KeyError):
        get_urgency("rat_khan")
