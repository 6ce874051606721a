"""Ký hiệu for every Decree 30 type (§3.3): type abbreviation + agency (15/QĐ-UBND); công văn
and thư công: agency + drafting unit (05/UBND-VP)."""
from __future__ import annotations

import pytest

from edoc.documents.doctypes import DOCUMENT_TYPES
from edoc.documents.models import Document
from edoc.errors import ValidationError

#: Phụ lục III, written out again here on purpose.
ABBREVIATIONS = {
    "nghi_quyet": "NQ", "quyet_dinh": "QĐ", "chi_thi": "CT", "quy_che": "QC", "quy_dinh": "QyĐ",
    "thong_cao": "TC", "thong_bao": "TB", "huong_dan": "HD", "chuong_trinh": "CTr",
    "ke_hoach": "KH", "phuong_an": "PA", "de_an": "ĐA", "du_an": "DA", "bao_cao": "BC",
    "bien_ban": "BB", "to_trinh": "TTr", "hop_dong": "HĐ", "cong_dien": "CĐ",
    "ban_ghi_nho": "BGN", "ban_thoa_thuan": "BTT", "giay_uy_quyen": "GUQ", "giay_moi": "GM",
    "giay_gioi_thieu": "GGT", "giay_nghi_phep": "GNP", "phieu_gui": "PG", "phieu_chuyen": "PC",
    "phieu_bao": "PB",
}


def _doc(db, org, type_key: str, unit=None) -> Document:
    doc = Document(agency_id=org.agency.id, direction="outgoing", state="signed",
                   type_key=type_key, drafting_unit_id=(unit or org.unit).id,
                   planned_recipients={})
    db.session.add(doc)
    db.session.flush()
    return doc


def test_notation_for_every_type(app, db, org):
    from edoc.documents.outgoing.services import document_notation

    draftable = [t for t in DOCUMENT_TYPES if not t.is_copy]
    assert {t.key for t in draftable} == set(ABBREVIATIONS) | {"cong_van", "thu_cong"}
    for t in draftable:
        expected = "UBND-VP" if t.key in ("cong_van", "thu_cong") else (
            f"{ABBREVIATIONS[t.key]}-UBND")
        assert document_notation(_doc(db, org, t.key)) == expected, t.key
    # A công văn drafted by another unit carries that unit's abbreviation.
    assert document_notation(_doc(db, org, "cong_van", org.other_unit)) == "UBND-NV"


def test_number_and_notation_line(app, db, org):
    from edoc.drafting import format_number_line

    doc = _doc(db, org, "quyet_dinh")
    doc.number, doc.notation = 5, "QĐ-UBND"
    assert doc.number_notation == "05/QĐ-UBND"
    assert format_number_line(15, "QĐ-UBND") == "Số: 15/QĐ-UBND"
    assert format_number_line(5, "UBND-VP") == "Số: 05/UBND-VP"


def test_agency_without_notation_cannot_issue(app, db, org):
    from edoc.documents.outgoing.services import document_notation

    org.agency.notation = ""
    with pytest.raises(ValidationError) as err:
        document_notation(_doc(db, org, "quyet_dinh"))
    assert err.value.code == "agency_notation_missing"
