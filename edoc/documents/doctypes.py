"""Decree 30/2020/NĐ-CP document types, urgency and confidentiality levels, as data.

Sources: Điều 7 (the 29 administrative document types), Phụ lục III mục I (type abbreviations,
including the copy kinds), Phụ lục I III.2 (urgency and confidentiality marks). See
shared/spec/vn-standards.md §3.2 and §3.6.

The keys are part of the API contract (stored in the database and sent by API clients), so they
never change; names and headings are the Vietnamese text as printed (registers, edXML, search
index and the API keep them). Pages show :func:`type_label`, :func:`urgency_label` and
:func:`confidentiality_label` instead: the same names through the translation layer.

Công văn and thư công have no type abbreviation: a công văn's notation is the agency's
abbreviation plus the drafting unit's (``05/UBND-VP``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

__all__ = [
    "CONFIDENTIALITIES",
    "DOCUMENT_TYPES",
    "URGENCIES",
    "DocumentType",
    "Level",
    "by_abbreviation",
    "confidentiality_label",
    "find_type",
    "get_confidentiality",
    "get_type",
    "get_urgency",
    "type_label",
    "urgency_label",
]


@dataclass(frozen=True, slots=True)
class DocumentType:
    key: str
    name: str                 # "Quyết định"
    heading: str              # "QUYẾT ĐỊNH", the type name as printed on the document
    abbreviation: str | None  # "QĐ"; None for công văn and thư công
    is_copy: bool = False     # bản sao y / trích sao / sao lục


@dataclass(frozen=True, slots=True)
class Level:
    """One urgency or confidentiality level.

    ``rank`` orders the levels (0 = ordinary). For urgency it equals the edXML ``Priority`` code
    (0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc); ``mark`` is the stamp text, None for "thường".
    """

    key: str
    name: str
    mark: str | None
    rank: int


def _t(key: str, name: str, abbreviation: str | None, *, heading: str | None = None,
       is_copy: bool = False) -> DocumentType:
    return DocumentType(key=key, name=name, heading=heading or name.upper(),
                        abbreviation=abbreviation, is_copy=is_copy)


# Order of Điều 7, then the copy kinds of Phụ lục III.
DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    _t("nghi_quyet", "Nghị quyết", "NQ"),
    _t("quyet_dinh", "Quyết định", "QĐ"),
    _t("chi_thi", "Chỉ thị", "CT"),
    _t("quy_che", "Quy chế", "QC"),
    _t("quy_dinh", "Quy định", "QyĐ"),
    _t("thong_cao", "Thông cáo", "TC"),
    _t("thong_bao", "Thông báo", "TB"),
    _t("huong_dan", "Hướng dẫn", "HD"),
    _t("chuong_trinh", "Chương trình", "CTr"),
    _t("ke_hoach", "Kế hoạch", "KH"),
    _t("phuong_an", "Phương án", "PA"),
    _t("de_an", "Đề án", "ĐA"),
    _t("du_an", "Dự án", "DA"),
    _t("bao_cao", "Báo cáo", "BC"),
    _t("bien_ban", "Biên bản", "BB"),
    _t("to_trinh", "Tờ trình", "TTr"),
    _t("hop_dong", "Hợp đồng", "HĐ"),
    _t("cong_van", "Công văn", None),
    _t("cong_dien", "Công điện", "CĐ"),
    _t("ban_ghi_nho", "Bản ghi nhớ", "BGN"),
    _t("ban_thoa_thuan", "Bản thỏa thuận", "BTT"),
    _t("giay_uy_quyen", "Giấy ủy quyền", "GUQ"),
    _t("giay_moi", "Giấy mời", "GM"),
    _t("giay_gioi_thieu", "Giấy giới thiệu", "GGT"),
    _t("giay_nghi_phep", "Giấy nghỉ phép", "GNP"),
    _t("phieu_gui", "Phiếu gửi", "PG"),
    _t("phieu_chuyen", "Phiếu chuyển", "PC"),
    _t("phieu_bao", "Phiếu báo", "PB"),
    _t("thu_cong", "Thư công", None),
    # Copies: the heading is the copy form printed on an electronic copy (Phụ lục I, ô 14).
    _t("ban_sao_y", "Bản sao y", "SY", heading="SAO Y", is_copy=True),
    _t("ban_trich_sao", "Bản trích sao", "TrS", heading="TRÍCH SAO", is_copy=True),
    _t("ban_sao_luc", "Bản sao lục", "SL", heading="SAO LỤC", is_copy=True),
)

URGENCIES: tuple[Level, ...] = (
    Level("thuong", "Thường", None, 0),
    Level("khan", "Khẩn", "KHẨN", 1),
    Level("thuong_khan", "Thượng khẩn", "THƯỢNG KHẨN", 2),
    Level("hoa_toc", "Hỏa tốc", "HỎA TỐC", 3),
)

CONFIDENTIALITIES: tuple[Level, ...] = (
    Level("thuong", "Thường", None, 0),
    Level("mat", "Mật", "MẬT", 1),
    Level("toi_mat", "Tối mật", "TỐI MẬT", 2),
    Level("tuyet_mat", "Tuyệt mật", "TUYỆT MẬT", 3),
)

_BY_KEY = {t.key: t for t in DOCUMENT_TYPES}
_BY_ABBR = {t.abbreviation: t for t in DOCUMENT_TYPES if t.abbreviation}
_BY_ABBR_UPPER = {a.upper(): t for a, t in _BY_ABBR.items()}
_URGENCY_BY_KEY = {lv.key: lv for lv in URGENCIES}
_CONFIDENTIALITY_BY_KEY = {lv.key: lv for lv in CONFIDENTIALITIES}


def _fold_abbr(abbr: str) -> str:
    decomposed = unicodedata.normalize("NFD", abbr.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _unique_folded() -> dict[str, DocumentType]:
    groups: dict[str, list[DocumentType]] = {}
    for abbr, t in _BY_ABBR.items():
        groups.setdefault(_fold_abbr(abbr), []).append(t)
    # ĐA/DA (đề án/dự án) and HĐ/HD (hợp đồng/hướng dẫn) collide once folded: those stay ambiguous.
    return {k: v[0] for k, v in groups.items() if len(v) == 1}


_BY_ABBR_FOLDED = _unique_folded()


def get_type(key: str) -> DocumentType:
    """The type with this key; KeyError if there is none."""
    return _BY_KEY[key]


def find_type(key: str | None) -> DocumentType | None:
    """The type with this key, or None."""
    return _BY_KEY.get(key) if key else None


def by_abbreviation(abbreviation: str | None) -> DocumentType | None:
    """The type whose Decree 30 abbreviation this is, or None.

    Exact match first ("QĐ"), then case-insensitive ("QYĐ" → quy định), then without diacritics
    ("QD" from OCR or a keyboard without Vietnamese input) when that is unambiguous: "HD" stays
    None because it could be hướng dẫn (HD) or hợp đồng (HĐ) — except that an exact "HD" is
    hướng dẫn.
    """
    if not abbreviation:
        return None
    abbr = unicodedata.normalize("NFC", abbreviation.strip()).replace("\u00d0", "Đ")
    found = _BY_ABBR.get(abbr) or _BY_ABBR_UPPER.get(abbr.upper())
    if found is not None:
        return found
    return _BY_ABBR_FOLDED.get(_fold_abbr(abbr))


def get_urgency(key: str) -> Level:
    """The urgency level with this key; KeyError if there is none."""
    return _URGENCY_BY_KEY[key]


def get_confidentiality(key: str) -> Level:
    """The confidentiality level with this key; KeyError if there is none."""
    return _CONFIDENTIALITY_BY_KEY[key]


# --- display labels ------------------------------------------------------------------------
# The names above through the translation layer, for pages only (msgids equal the names; a test
# keeps them in step). "Thường" needs a context: ordinary urgency and no classification are two
# different words in English.

_TYPE_LABELS = {
    "nghi_quyet": _l("Nghị quyết"), "quyet_dinh": _l("Quyết định"), "chi_thi": _l("Chỉ thị"),
    "quy_che": _l("Quy chế"), "quy_dinh": _l("Quy định"), "thong_cao": _l("Thông cáo"),
    "thong_bao": _l("Thông báo"), "huong_dan": _l("Hướng dẫn"),
    "chuong_trinh": _l("Chương trình"), "ke_hoach": _l("Kế hoạch"),
    "phuong_an": _l("Phương án"), "de_an": _l("Đề án"), "du_an": _l("Dự án"),
    "bao_cao": _l("Báo cáo"), "bien_ban": _l("Biên bản"), "to_trinh": _l("Tờ trình"),
    "hop_dong": _l("Hợp đồng"), "cong_van": _l("Công văn"), "cong_dien": _l("Công điện"),
    "ban_ghi_nho": _l("Bản ghi nhớ"), "ban_thoa_thuan": _l("Bản thỏa thuận"),
    "giay_uy_quyen": _l("Giấy ủy quyền"), "giay_moi": _l("Giấy mời"),
    "giay_gioi_thieu": _l("Giấy giới thiệu"), "giay_nghi_phep": _l("Giấy nghỉ phép"),
    "phieu_gui": _l("Phiếu gửi"), "phieu_chuyen": _l("Phiếu chuyển"),
    "phieu_bao": _l("Phiếu báo"), "thu_cong": _l("Thư công"),
    "ban_sao_y": _l("Bản sao y"), "ban_trich_sao": _l("Bản trích sao"),
    "ban_sao_luc": _l("Bản sao lục"),
}

_URGENCY_LABELS = {
    "thuong": lazy_pgettext("urgency", "Thường"), "khan": _l("Khẩn"),
    "thuong_khan": _l("Thượng khẩn"), "hoa_toc": _l("Hỏa tốc"),
}

_CONFIDENTIALITY_LABELS = {
    "thuong": lazy_pgettext("confidentiality", "Thường"), "mat": _l("Mật"),
    "toi_mat": _l("Tối mật"), "tuyet_mat": _l("Tuyệt mật"),
}


def type_label(key: str | None) -> str:
    """The document type's name in the interface language; an unknown key as it is."""
    return str(_TYPE_LABELS[key]) if key in _TYPE_LABELS else (key or "")


def urgency_label(key: str | None) -> str:
    return str(_URGENCY_LABELS[key]) if key in _URGENCY_LABELS else (key or "")


def confidentiality_label(key: str | None) -> str:
    return str(_CONFIDENTIALITY_LABELS[key]) if key in _CONFIDENTIALITY_LABELS else (key or "")
