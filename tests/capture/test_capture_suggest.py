"""Metadata suggestion from first pages: real PDFs and DOCX, and text as OCR gives it."""
from __future__ import annotations

import json
from datetime import date

import pytest

from edoc.capture.extract import extract_docx, extract_pdf
from edoc.capture.suggest import FIELDS, suggest_metadata
from tests.capture.samples import (
    CONG_VAN,
    KE_HOACH,
    QUYET_DINH,
    decree30_docx,
    decree30_pdf,
)

EXPECTED = {
    "quyet_dinh": dict(
        number="15", notation="QĐ-SNV", document_date=date(2025, 3, 5), place="Phú Thọ",
        issuing_agency="SỞ NỘI VỤ", parent_agency="UBND TỈNH PHÚ THỌ", type_key="quyet_dinh",
        subject="Về việc phê duyệt Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức tỉnh Phú Thọ "
                "năm 2025",
        urgency_key=None, confidentiality_key=None),
    "cong_van": dict(
        number="05", notation="UBND-VP", document_date=date(2025, 2, 12), place="Phú Thọ",
        issuing_agency="ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ", parent_agency=None, type_key="cong_van",
        subject="V/v triển khai Kế hoạch chuyển đổi số năm 2025", urgency_key="khan",
        confidentiality_key=None),
    "ke_hoach": dict(
        number="07", notation="KH-PNV", document_date=date(2025, 1, 9), place="Tam Nông",
        issuing_agency="PHÒNG NỘI VỤ", parent_agency="UBND HUYỆN TAM NÔNG", type_key="ke_hoach",
        subject="Tổ chức Hội nghị tổng kết công tác thi đua, khen thưởng năm 2024",
        urgency_key="hoa_toc", confidentiality_key="mat"),
}
SAMPLES = {"quyet_dinh": QUYET_DINH, "cong_van": CONG_VAN, "ke_hoach": KE_HOACH}


def _fields(suggestion) -> dict:
    return {name: getattr(suggestion, name) for name in EXPECTED["quyet_dinh"]}


@pytest.mark.parametrize("order", ["columns", "right_first", "rows"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_suggestion_from_a_decree30_pdf(sample, order):
    text = extract_pdf(decree30_pdf(SAMPLES[sample], order=order)).first_page
    suggestion = suggest_metadata(text)
    assert _fields(suggestion) == EXPECTED[sample]
    for name, value in EXPECTED[sample].items():
        assert (suggestion.confidence[name] >= 0.7) if value else (
            suggestion.confidence[name] == 0.0), name


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_suggestion_from_a_decree30_docx(sample):
    text = extract_docx(decree30_docx(SAMPLES[sample])).first_page
    assert _fields(suggest_metadata(text)) == EXPECTED[sample]


def test_as_dict_is_json_ready():
    suggestion = suggest_metadata(extract_pdf(decree30_pdf(QUYET_DINH)).first_page)
    payload = json.loads(json.dumps(suggestion.as_dict()))
    assert payload["document_date"] == "2025-03-05"
    assert payload["notation"] == "QĐ-SNV"
    assert set(payload["confidence"]) == set(FIELDS)
    assert suggestion.number_notation == "15/QĐ-SNV"


def test_nothing_to_read():
    for text in ("", "   \n  ", None, "Một dòng chữ bình thường không có gì đáng chú ý."):
        suggestion = suggest_metadata(text)
        assert all(getattr(suggestion, name) is None for name in FIELDS)
        assert set(suggestion.confidence.values()) == {0.0}


OCR_TEXT = """UBND TỈNH PHÚ THỌ
SỞ TÀI NGUYÊN
VÀ MÔI TRƯỜNG
Số : 15 / Q\u00d0 - STNMT
CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập – Tự do – Hạnh phúc
Việt Trì, ngày 5/3/2025
QUYẾT \u00d0ỊNH
Về việc cấp giấy phép khai thác nước dưới đất
GIÁM ĐỐC SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG
"""


def test_ocr_style_text():
    s = suggest_metadata(OCR_TEXT)
    assert (s.number, s.notation) == ("15", "QĐ-STNMT")
    assert (s.document_date, s.place) == (date(2025, 3, 5), "Việt Trì")
    assert (s.issuing_agency, s.parent_agency) == ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
                                                   "UBND TỈNH PHÚ THỌ")
    assert s.type_key == "quyet_dinh"
    assert s.subject == "Về việc cấp giấy phép khai thác nước dưới đất"


def test_draft_without_number_and_date_ignores_references_in_the_body():
    text = """ỦY BAN NHÂN DÂN
TỈNH PHÚ THỌ
Số:      /QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Phú Thọ, ngày      tháng      năm 2025
DỰ THẢO
QUYẾT ĐỊNH
Ban hành Quy chế công tác văn thư
ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ
Căn cứ Quyết định số 09/2024/QĐ-UBND ngày 01 tháng 02 năm 2024 của Ủy ban nhân dân tỉnh;
"""
    s = suggest_metadata(text)
    assert (s.number, s.notation) == (None, "QĐ-UBND")
    assert s.confidence["number"] == 0.0 and s.confidence["notation"] > 0
    assert s.document_date is None
    assert s.issuing_agency == "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"
    assert s.subject == "Ban hành Quy chế công tác văn thư"


def test_number_with_year_segment_and_no_colon():
    s = suggest_metadata("UBND TỈNH PHÚ THỌ\nSố 123/2025/QĐ-UBND\nPhú Thọ, ngày 20 tháng 10 "
                         "năm 2025\nQUYẾT ĐỊNH\nBan hành Quy định về quản lý văn bản điện tử")
    assert (s.number, s.notation) == ("123", "2025/QĐ-UBND")
    assert s.number_notation == "123/2025/QĐ-UBND"
    assert s.confidence["notation"] == 0.8


def test_motto_wrapped_over_two_lines_is_not_an_agency():
    text = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
NAM
Độc lập - Tự do -
Hạnh phúc
Hà Nội, ngày 28 tháng 02 năm 2025
BỘ NỘI VỤ
Số: 1234/BNV-VP
V/v hướng dẫn lập hồ sơ điện tử
Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.
"""
    s = suggest_metadata(text)
    assert s.issuing_agency == "BỘ NỘI VỤ" and s.parent_agency is None
    assert (s.number, s.notation, s.type_key) == ("1234", "BNV-VP", "cong_van")
    assert s.subject == "V/v hướng dẫn lập hồ sơ điện tử"
    assert (s.document_date, s.place) == (date(2025, 2, 28), "Hà Nội")


def test_cong_van_rows_with_subject_and_date_on_one_line():
    text = """UBND TỈNH PHÚ THỌ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
VĂN PHÒNG Độc lập - Tự do - Hạnh phúc
Số: 88/VP-KGVX
V/v tăng cường quản lý văn bản điện tử Phú Thọ, ngày 03 tháng 4 năm 2025
trên hệ thống quản lý văn bản và điều hành
THƯỢNG KHẨN
Kính gửi: Sở Thông tin và Truyền thông.
"""
    s = suggest_metadata(text)
    assert (s.issuing_agency, s.parent_agency) == ("VĂN PHÒNG", "UBND TỈNH PHÚ THỌ")
    assert s.subject == ("V/v tăng cường quản lý văn bản điện tử trên hệ thống quản lý văn bản "
                         "và điều hành")
    assert (s.document_date, s.place) == (date(2025, 4, 3), "Phú Thọ")
    assert s.urgency_key == "thuong_khan"
    assert s.type_key == "cong_van"


@pytest.mark.parametrize(("marks", "urgency", "secrecy"), [
    ("HỎA TỐC", "hoa_toc", None),
    ("HOẢ TỐC", "hoa_toc", None),          # old tone placement
    ("KHẨN", "khan", None),
    ("TUYỆT MẬT", None, "tuyet_mat"),
    ("TỐI MẬT\nTHƯỢNG KHẨN", "thuong_khan", "toi_mat"),
    ("MẬT KHẨN", "khan", "mat"),
    ("Khẩn trương", None, None),          # an ordinary word, not a stamp
])
def test_urgency_and_confidentiality_marks(marks, urgency, secrecy):
    text = f"SỞ Y TẾ\nSố: 45/TB-SYT\n{marks}\nTHÔNG BÁO\nKết luận cuộc họp giao ban tháng 5"
    s = suggest_metadata(text)
    assert (s.urgency_key, s.confidentiality_key) == (urgency, secrecy)
    assert s.type_key == "thong_bao" and s.issuing_agency == "SỞ Y TẾ"


def test_heading_and_subject_on_one_line():
    s = suggest_metadata("SỞ NỘI VỤ\nSố: 12/TTr-SNV\nTỜ TRÌNH Về việc đề nghị phê duyệt "
                         "biên chế công chức năm 2026\nKính gửi: Ủy ban nhân dân tỉnh.")
    assert s.type_key == "to_trinh"
    assert s.subject == "Về việc đề nghị phê duyệt biên chế công chức năm 2026"


def test_letter_spaced_heading():
    s = suggest_metadata("SỞ NỘI VỤ\nSố: 30/GM-SNV\nG I Ấ Y  M Ờ I\nDự hội nghị tập huấn "
                         "công tác văn thư, lưu trữ\nTrân trọng kính mời:")
    assert s.type_key == "giay_moi"
    assert s.subject == "Dự hội nghị tập huấn công tác văn thư, lưu trữ"


@pytest.mark.parametrize(("number_line", "type_key", "confidence"), [
    ("Số: 20/TB-UBND", "thong_bao", 0.6),
    ("Số: 12/UBND-VX", "cong_van", 0.4),
    ("Số: 7/QyĐ-UBND", "quy_dinh", 0.6),
])
def test_type_from_the_notation_when_there_is_no_heading(number_line, type_key, confidence):
    s = suggest_metadata(f"ỦY BAN NHÂN DÂN\nHUYỆN CẨM KHÊ\n{number_line}\nCẩm Khê, ngày 01 "
                         "tháng 6 năm 2025")
    assert s.type_key == type_key
    assert s.confidence["type_key"] == confidence
    assert s.issuing_agency == "ỦY BAN NHÂN DÂN HUYỆN CẨM KHÊ"


def test_heading_that_disagrees_with_the_notation_lowers_confidence():
    s = suggest_metadata("SỞ NỘI VỤ\nSố: 5/KH-SNV\nQUYẾT ĐỊNH\nVề việc thành lập tổ công tác")
    assert s.type_key == "quyet_dinh"
    assert s.confidence["type_key"] == 0.6


def test_subject_wraps_and_stops_at_the_body():
    text = """SỞ NỘI VỤ
Số: 9/BC-SNV
BÁO CÁO
Kết quả thực hiện công tác cải cách hành chính quý I năm 2025
theo Kế hoạch số 12/KH-UBND của Ủy ban nhân dân tỉnh
Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Sở Nội vụ báo cáo như sau:
I. KẾT QUẢ ĐẠT ĐƯỢC
"""
    s = suggest_metadata(text)
    assert s.subject == ("Kết quả thực hiện công tác cải cách hành chính quý I năm 2025 theo Kế "
                         "hoạch số 12/KH-UBND của Ủy ban nhân dân tỉnh")
    assert (s.number, s.notation) == ("9", "BC-SNV")


def test_invalid_dates_are_not_suggested():
    s = suggest_metadata("SỞ NỘI VỤ\nSố: 1/TB-SNV\nPhú Thọ, ngày 31 tháng 2 năm 2025\nTHÔNG BÁO\n"
                         "Lịch làm việc")
    assert s.document_date is None
    assert s.confidence["document_date"] == 0.0


@pytest.mark.slow
def test_suggestion_from_word_files_printed_to_pdf_by_libreoffice(tmp_path):
    """Writer lays the header table out like Word does (the motto wraps in its column), and its
    PDF's text order is another real-world order."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice, "libreoffice-writer-nogui is a system dependency"
    for sample, doc in SAMPLES.items():
        (tmp_path / f"{sample}.docx").write_bytes(decree30_docx(doc))
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path),
         *(str(tmp_path / f"{sample}.docx") for sample in SAMPLES)],
        check=True, capture_output=True, timeout=180)
    for sample in SAMPLES:
        text = extract_pdf((tmp_path / f"{sample}.pdf").read_bytes()).first_page
        assert _fields(suggest_metadata(text)) == EXPECTED[sample], sample


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", [
    "Số : 15 / " + "QĐ - " * 10_000,
    "UBND TỈNH PHÚ THỌ\n" * 5_000,
    "cộng hòa " * 20_000,
    "ngày " * 20_000,
])
def test_long_hostile_text(text):
    suggestion = suggest_metadata(text)
    assert suggestion.document_date is None


def test_number_without_the_word_so_at_the_start_of_a_line():
    s = suggest_metadata("UBND TỈNH PHÚ THỌ\n123/2025/QĐ-UBND\nPhú Thọ, ngày 5 tháng 3 năm "
                         "2025\nQUYẾT ĐỊNH\nBan hành Quy định về công tác văn thư")
    assert (s.number, s.notation, s.issuing_agency) == ("123", "2025/QĐ-UBND",
                                                        "UBND TỈNH PHÚ THỌ")
    assert s.confidence["notation"] == 0.6
