"""Sample messages used by the golden files and the round-trip tests.

The golden files under tests/data/edxml are written from these by
``python -m tests.connectors.make_golden``; the tests check that building these models still
gives the same XML.
"""

from __future__ import annotations

import datetime as dt

from connectors.edxml import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    BusinessType,
    DocumentCode,
    DocumentType,
    EdocMessage,
    Organization,
    OtherInfo,
    Priority,
    PromulgationInfo,
    Receiver,
    ReceiverType,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    SteeringType,
    TraceHeader,
    make_document_id,
)

ICT = dt.timezone(dt.timedelta(hours=7))

PROVINCE = Organization(
    organ_id="000.00.00.H44",
    organization_in_charge="UBND tỉnh Phú Thọ",
    name="UBND tỉnh Phú Thọ",
    address="Số 1 đường Trần Phú, phường Việt Trì, tỉnh Phú Thọ",
    email="vanthu@phutho.gov.vn",
    telephone="0210 3846 000",
    fax="0210 3846 001",
    website="https://phutho.gov.vn",
)
WARD = Organization(
    organ_id="000.00.31.H44",
    organization_in_charge="UBND tỉnh Phú Thọ",
    name="UBND phường Vĩnh Phúc",
    address="Phường Vĩnh Phúc, tỉnh Phú Thọ",
    email="vanthu.vinhphuc@phutho.gov.vn",
    telephone="0211 3862 000",
)
DEPARTMENT = Organization(
    organ_id="000.00.12.H44",
    organization_in_charge="UBND tỉnh Phú Thọ",
    name="Sở Nội vụ tỉnh Phú Thọ",
)


def tiny_pdf(label: str) -> bytes:
    """A small valid one-page PDF (enough for attachment tests; not a signed document)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


PROMULGATED = dt.date(2025, 3, 5)
CODE = DocumentCode(number="15", notation="QĐ-UBND")
DOCUMENT_ID = make_document_id(PROVINCE.organ_id, PROMULGATED, CODE)
SENT_AT = dt.datetime(2025, 3, 5, 14, 30, 15, tzinfo=ICT)
CLERK = StaffInfo(
    department="Văn phòng UBND tỉnh",
    department_id="VP",
    staff="Trần Thị Bình",
    staff_id="vt01",
    email="tranthibinh@phutho.gov.vn",
    mobile="0912000001",
)
WARD_CLERK = StaffInfo(department="Văn thư", staff="Lê Văn Cường", email="", mobile="0912000002")
MAIN_PDF = Attachment(
    name="15-QD-UBND.signed.pdf",
    content_type="application/pdf",
    data=tiny_pdf("Quyet dinh 15/QD-UBND"),
    description="Văn bản chính",
    content_id="cid:6f1c2d3e-0001-4a5b-8c9d-000000000001",
)


def new_document() -> EdocMessage:
    return EdocMessage(
        sender=PROVINCE,
        receivers=(WARD,),
        document_id=DOCUMENT_ID,
        code=CODE,
        promulgation=PromulgationInfo(place="Phú Thọ", date=PROMULGATED),
        document_type=DocumentType(type="2", type_detail="2", type_name="Quyết định"),
        subject="Về việc phê duyệt kế hoạch chuyển đổi số năm 2025",
        content="Phê duyệt kế hoạch chuyển đổi số của UBND phường Vĩnh Phúc năm 2025.",
        signer=SignerInfo(
            competence="KT. CHỦ TỊCH", position="Phó Chủ tịch", full_name="Nguyễn Văn An"
        ),
        due_date=dt.date(2025, 3, 20),
        other_info=OtherInfo(
            priority=Priority.URGENT,
            sphere_of_promulgation="Liên thông văn bản",
            typer_notation="NVA",
            promulgation_amount=5,
            page_amount=2,
            appendixes=("Phụ lục I: Danh mục nhiệm vụ",),
        ),
        steering_type=SteeringType.NOT_DIRECTIVE,
        to_places=("Như Điều 3", "Lưu: VT, KGVX"),
        trace_headers=(TraceHeader(organ_id=PROVINCE.organ_id, timestamp=SENT_AT),),
        business=Business(
            business_type=BusinessType.NEW, reason="Văn bản điện tử mới", staff_info=CLERK
        ),
        attachments=(MAIN_PDF,),
    )


def multi_document() -> EdocMessage:
    """Two receivers, two attachments, a reply reference and the uncertain (U) fields."""
    code = DocumentCode(number="204", notation="UBND-KGVX")
    date = dt.date(2025, 4, 2)
    return EdocMessage(
        sender=PROVINCE,
        receivers=(WARD, DEPARTMENT),
        document_id=make_document_id(PROVINCE.organ_id, date, code),
        code=code,
        promulgation=PromulgationInfo(place="Phú Thọ", date=date),
        document_type=DocumentType(type="1", type_detail="0", type_name="Công văn"),
        subject="V/v báo cáo kết quả thực hiện Đề án 06",
        content="Đề nghị các đơn vị báo cáo trước ngày 15/4/2025.",
        signer=SignerInfo(
            competence="TL. CHỦ TỊCH", position="Chánh Văn phòng", full_name="Phạm Thị Hoa"
        ),
        due_date=dt.date(2025, 4, 15),
        other_info=OtherInfo(
            priority=Priority.VERY_URGENT,
            sphere_of_promulgation="Liên thông văn bản quốc gia",
            typer_notation="PTH",
            promulgation_amount=3,
            page_amount=1,
            reply_fors="12/BC-UBND",
            direction=True,
            reference_codes="Đề án 06",
            appendixes=("Phụ lục: Mẫu báo cáo", "Phụ lục: Danh sách đơn vị"),
        ),
        response_for=(
            ResponseFor(
                organ_id=WARD.organ_id,
                code="12/BC-UBND",
                promulgation_date=dt.date(2025, 3, 28),
                document_id="000.00.31.H44,2025/03/28,12/BC-UBND",
            ),
        ),
        steering_type=SteeringType.DIRECTIVE,
        response_for_task=("DA06-2025-01",),
        application_type="QLVB",
        to_places=("Như trên", "Lưu: VT"),
        trace_headers=(
            TraceHeader(
                organ_id=PROVINCE.organ_id, timestamp=dt.datetime(2025, 4, 2, 9, 5, 0, tzinfo=ICT)
            ),
        ),
        business=Business(reason="Văn bản điện tử mới", staff_info=CLERK),
        attachments=(
            Attachment(
                name="204-UBND-KGVX.signed.pdf",
                content_type="application/pdf",
                data=tiny_pdf("Cong van 204/UBND-KGVX"),
                description="Văn bản chính",
                content_id="cid:6f1c2d3e-0002-4a5b-8c9d-000000000001",
            ),
            Attachment(
                name="Mau bao cao.docx",
                content_type="application/vnd.openxmlformats-officedocument"
                ".wordprocessingml.document",
                data=bytes(range(256)) * 8,
                description="Phụ lục: Mẫu báo cáo",
                content_id="cid:6f1c2d3e-0002-4a5b-8c9d-000000000002",
            ),
        ),
    )


def revoke_document() -> EdocMessage:
    """Thu hồi: the original header again (same DocumentId), BussinessDocType 1."""
    original = new_document()
    return EdocMessage(
        **{
            **_fields(original),
            "trace_headers": (
                TraceHeader(
                    organ_id=PROVINCE.organ_id,
                    timestamp=dt.datetime(2025, 3, 6, 8, 0, 0, tzinfo=ICT),
                ),
            ),
            "business": Business(
                business_type=BusinessType.REVOKE,
                reason="Thu hồi do sai sót về thẩm quyền ban hành",
                staff_info=CLERK,
            ),
            "attachments": (),
        }
    )


def update_document() -> EdocMessage:
    """Cập nhật: Bussiness/DocumentId names the updated document; receivers change."""
    original = new_document()
    return EdocMessage(
        **{
            **_fields(original),
            "receivers": (WARD, DEPARTMENT),
            "trace_headers": (
                TraceHeader(
                    organ_id=PROVINCE.organ_id,
                    timestamp=dt.datetime(2025, 3, 7, 10, 0, 0, tzinfo=ICT),
                ),
            ),
            "business": Business(
                business_type=BusinessType.UPDATE,
                reason="Cập nhật nơi nhận văn bản",
                document_id=DOCUMENT_ID,
                document_info=BusinessDocumentInfo(
                    document_info="0",
                    document_receiver="1",
                    receivers=(
                        Receiver(organ_id=DEPARTMENT.organ_id, receiver_type=ReceiverType.ADDED),
                        Receiver(organ_id="000.00.32.H44", receiver_type=ReceiverType.REMOVED),
                    ),
                ),
                staff_info=CLERK,
            ),
        }
    )


def replace_document() -> EdocMessage:
    """Thay thế: a new document (16/QĐ-UBND) that replaces 15/QĐ-UBND for the ward."""
    code = DocumentCode(number="16", notation="QĐ-UBND")
    date = dt.date(2025, 3, 10)
    original = new_document()
    return EdocMessage(
        **{
            **_fields(original),
            "document_id": make_document_id(PROVINCE.organ_id, date, code),
            "code": code,
            "promulgation": PromulgationInfo(place="Phú Thọ", date=date),
            "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2025 (thay thế Quyết định"
            " số 15/QĐ-UBND)",
            "trace_headers": (
                TraceHeader(
                    organ_id=PROVINCE.organ_id,
                    timestamp=dt.datetime(2025, 3, 10, 16, 0, 0, tzinfo=ICT),
                ),
            ),
            "business": Business(
                business_type=BusinessType.REPLACE,
                reason="Văn bản thay thế",
                replacements=(
                    ReplacementInfo(document_id=DOCUMENT_ID, organ_ids=(WARD.organ_id,)),
                ),
                staff_info=CLERK,
            ),
            "attachments": (
                Attachment(
                    name="16-QD-UBND.signed.pdf",
                    content_type="application/pdf",
                    data=tiny_pdf("Quyet dinh 16/QD-UBND"),
                    description="Văn bản chính",
                    content_id="cid:6f1c2d3e-0003-4a5b-8c9d-000000000001",
                ),
            ),
        }
    )


def _fields(msg: EdocMessage) -> dict:
    names = [f for f in msg.__dataclass_fields__ if f != "kind"]
    return {name: getattr(msg, name) for name in names}


STATUS_TEXT = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận: văn bản chưa có chữ ký số của cơ quan ban hành",
    "03": "Đã tiếp nhận, vào sổ văn bản đến số 1234",
    "04": "Lãnh đạo phân công: Phòng Văn hóa - Xã hội chủ trì xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Hoàn thành xử lý",
    "13": "Đề nghị lấy lại văn bản do gửi nhầm nơi nhận",
    "15": "Đồng ý yêu cầu lấy lại văn bản",
    "16": "Từ chối yêu cầu lấy lại: văn bản đã được phân công xử lý",
}
STATUS_NAMES = {
    "01": "arrived",
    "02": "returned",
    "03": "registered",
    "04": "assigned",
    "05": "in_progress",
    "06": "done",
    "13": "take_back_requested",
    "15": "change_accepted",
    "16": "change_refused",
}


def status_message(code: str) -> StatusMessage:
    """Status ``code`` about 15/QĐ-UBND. The ward reports 01-06 and answers 15/16; the province
    (the sender) asks to take the document back with 13, so that one names no receiver itself
    and is routed with an explicit ``to``."""
    original = new_document()
    reporter, staff = (PROVINCE, CLERK) if code == "13" else (WARD, WARD_CLERK)
    minute = int(code)
    return StatusMessage(
        sender=reporter,
        response_for=ResponseFor(
            organ_id=original.sender.organ_id,
            code=str(original.code),
            promulgation_date=original.promulgation.date,
            document_id=original.document_id,
        ),
        status_code=code,
        timestamp=dt.datetime(2025, 3, 5, 15, minute, 40, tzinfo=ICT),
        description=STATUS_TEXT[code],
        staff_info=staff,
    )


def emitted_samples() -> dict[str, EdocMessage | StatusMessage]:
    """Golden file name -> the model it was built from."""
    out: dict[str, EdocMessage | StatusMessage] = {
        "doc_new.edxml": new_document(),
        "doc_new_multi.edxml": multi_document(),
        "doc_revoke.edxml": revoke_document(),
        "doc_update.edxml": update_document(),
        "doc_replace.edxml": replace_document(),
    }
    for code, name in STATUS_NAMES.items():
        out[f"status_{code}_{name}.edxml"] = status_message(code)
    return out
