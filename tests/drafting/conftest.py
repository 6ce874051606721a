"""Draft specs for every template type, and their LibreOffice conversions (made once)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from edoc.drafting import DraftSpec, Invitation, docx_draft_to_pdf, render_draft
from edoc.drafting.templates import TEMPLATE_TYPES

COMMON = dict(
    governing_body="UBND tỉnh Phú Thọ",
    agency_name="Ủy ban nhân dân huyện Tam Đảo",
    agency_notation="UBND",
    unit_notation="VP",
    place="Vĩnh Phúc",
    signer_name="Trần Thị Bình",
    signer_position="Phó Chủ tịch",
    signing_capacity="KT.",
    capacity_holder="Chủ tịch",
    collective_body="Ủy ban nhân dân",
    recipients=["Sở Nội vụ tỉnh Phú Thọ", "Các phòng chuyên môn"],
    archive_notation="VT, VP",
)

SUBJECTS = {
    "cong_van": "Về việc triển khai phần mềm quản lý văn bản",
    "quyet_dinh": "Về việc thành lập Tổ công tác chuyển đổi số",
    "to_trinh": "Về việc phê duyệt dự toán kinh phí năm 2025",
    "bao_cao": "Kết quả công tác văn thư, lưu trữ năm 2024",
    "thong_bao": "Kết luận của Chủ tịch tại buổi làm việc",
    "ke_hoach": "Triển khai chữ ký số chuyên dùng năm 2025",
    "giay_moi": "Dự Hội nghị triển khai chuyển đổi số",
}

BODIES = {
    "cong_van": ["Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc ứng dụng công nghệ thông "
                 "tin, Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị khẩn trương triển khai."],
    "quyet_dinh": ["Thành lập Tổ công tác chuyển đổi số của huyện Tam Đảo.",
                   "Quyết định này có hiệu lực kể từ ngày ký.",
                   "Chánh Văn phòng và Thủ trưởng các cơ quan liên quan chịu trách nhiệm "
                   "thi hành."],
    "to_trinh": ["Căn cứ nhu cầu thực tế, Ủy ban nhân dân huyện kính trình phê duyệt dự toán."],
    "bao_cao": ["I. KẾT QUẢ ĐẠT ĐƯỢC", "Năm 2024, toàn huyện tiếp nhận 12.345 văn bản đến."],
    "thong_bao": ["Ngày 05 tháng 3 năm 2025, đồng chí Chủ tịch đã làm việc với các phòng."],
    "ke_hoach": ["I. MỤC ĐÍCH, YÊU CẦU", "1. Bảo đảm an toàn thông tin khi ký số văn bản."],
    "giay_moi": ["Đề nghị đại biểu đến đúng giờ."],
}


def make_spec(type_key: str, **overrides) -> DraftSpec:
    values = dict(COMMON, type_key=type_key, subject=SUBJECTS.get(type_key, "Về việc thử"),
                  body=BODIES.get(type_key, ["Nội dung."]))
    if type_key == "quyet_dinh":
        values.update(legal_bases=["Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
                                   "Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020"],
                      proposal="Chánh Văn phòng HĐND và UBND huyện")
    if type_key in {"cong_van", "to_trinh"}:
        values["addressees"] = ["Ủy ban nhân dân tỉnh Phú Thọ"]
    if type_key == "giay_moi":
        values["invitation"] = Invitation(
            invitees="Đồng chí Trưởng phòng Nội vụ",
            event="Hội nghị triển khai chuyển đổi số năm 2025",
            time=dt.datetime(2025, 3, 10, 8, 0),
            venue="Hội trường tầng 3, trụ sở Ủy ban nhân dân huyện")
    values.update(overrides)
    return DraftSpec(**values)


@pytest.fixture(scope="session")
def template_docx() -> dict[str, bytes]:
    return {key: render_draft(make_spec(key)) for key in TEMPLATE_TYPES}


@pytest.fixture(scope="session")
def converted(template_docx):
    """Each template converted once by LibreOffice (about a second each)."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is required: scripts/system-deps.sh installs it")
    return {key: docx_draft_to_pdf(data) for key, data in template_docx.items()}
