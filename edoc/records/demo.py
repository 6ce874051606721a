"""Demo data: a file plan for each demo agency (this year), and a few records.

In the ward (UBND phường Vĩnh Phúc) the festival record "Hồ sơ tổ chức Lễ hội Đền Hùng" holds
two documents with PDFs and is waiting in the archivist's inbox (``luutru``): the browser test
accepts it, finds it with an unaccented query and exports its package. An open record of the
economic unit shows a record being built. Idempotent, like every demo seeder.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from edoc.extensions import db
from edoc.i18n import local_today

#: heading, code, title, retention, unit index (None: the office)
PLAN = (
    ("I. TỔNG HỢP", "01.VP", "Hồ sơ hội nghị tổng kết công tác năm", "20", 0),
    ("I. TỔNG HỢP", "02.VP", "Tập quyết định của Ủy ban nhân dân", "permanent", 0),
    ("I. TỔNG HỢP", "03.VP", "Tập công văn trao đổi về công tác văn thư, lưu trữ", "10", 0),
    ("II. KINH TẾ", "01.KT", "Hồ sơ kế hoạch phát triển kinh tế - xã hội năm", "permanent", 1),
    ("II. KINH TẾ", "02.KT", "Hồ sơ quản lý đất đai, cấp giấy chứng nhận", "20", 1),
    ("III. VĂN HÓA - XÃ HỘI", "01.VHXH", "Hồ sơ tổ chức Lễ hội Đền Hùng", "10", 2),
    ("III. VĂN HÓA - XÃ HỘI", "02.VHXH", "Hồ sơ chi trả trợ cấp bảo trợ xã hội", "5", 2),
)


def _pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF

    from signing.fonts import find_font

    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", str(find_font("serif")))
    pdf.add_font("Serif", "B", str(find_font("serif-bold")))
    pdf.add_page()
    pdf.set_font("Serif", "B", 14)
    pdf.multi_cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 13)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _document(agency: Any, clerk: Any, *, direction: str, type_key: str, number: int,
              notation: str, day: date, subject: str, issuer: str, lines: list[str]) -> Any:
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document, DocumentText

    doc = Document(agency_id=agency.id, direction=direction,
                   state="done" if direction == "incoming" else "dispatched", type_key=type_key,
                   subject=subject, number=number, notation=notation, document_date=day,
                   issuing_agency=issuer, pages=1, received_via="paper",
                   created_by_id=clerk.id)
    db.session.add(doc)
    db.session.flush()
    heading = f"{subject.upper()}"
    body = [f"Số: {number:02d}/{notation}", f"Ngày {day.strftime('%d/%m/%Y')}", *lines]
    attach_file(doc, _pdf(heading, body), kind="original", name=f"{type_key}-{number}.pdf",
                content_type="application/pdf", actor=clerk)
    db.session.add(DocumentText(document_id=doc.id, content="\n".join([subject, *body])))
    return doc


def _plan(demo_agency: Any, year: int) -> dict[str, Any]:
    from edoc.records.models import FilePlanEntry
    from edoc.records.retention import apply_retention, parse_retention

    agency = demo_agency.agency
    entries = {}
    for position, (heading, code, title, retention, unit) in enumerate(PLAN, start=1):
        entry = db.session.scalar(select(FilePlanEntry).where(
            FilePlanEntry.agency_id == agency.id, FilePlanEntry.year == year,
            FilePlanEntry.code == code))
        if entry is None:
            entry = FilePlanEntry(agency_id=agency.id, year=year, heading=heading, code=code,
                                  title=title, position=position * 10,
                                  responsible_unit_id=demo_agency.units[unit].id)
            apply_retention(entry, parse_retention(retention))
            db.session.add(entry)
        entries[code] = entry
    db.session.flush()
    return entries


def _festival_record(ward: Any, entry: Any, year: int) -> None:
    from edoc.records.models import Record
    from edoc.records.services import add_documents, close_record, open_record
    from edoc.records.transfer import submit_transfer

    exists = db.session.scalar(select(Record.id).where(
        Record.agency_id == ward.agency.id, Record.year == year, Record.notation == entry.code))
    if exists is not None:
        return
    officer, clerk = ward.users["chuyenvien"], ward.users["vanthu"]
    start = date(year, 1, 5)
    incoming = _document(
        ward.agency, clerk, direction="incoming", type_key="cong_van", number=12,
        notation="SVHTTDL-QLVH", day=start, issuer="Sở Văn hóa, Thể thao và Du lịch tỉnh Phú Thọ",
        subject="Về việc hướng dẫn tổ chức Lễ hội Đền Hùng năm " + str(year),
        lines=["Sở Văn hóa, Thể thao và Du lịch hướng dẫn các địa phương tổ chức lễ hội "
               "trang trọng, an toàn, tiết kiệm.", "Giỗ Tổ Hùng Vương, mùng 10 tháng 3 âm lịch."])
    outgoing = _document(
        ward.agency, clerk, direction="outgoing", type_key="ke_hoach", number=25,
        notation="KH-UBND", day=start + timedelta(days=20),
        issuer="UBND phường Vĩnh Phúc",
        subject="Kế hoạch tổ chức Lễ hội Đền Hùng trên địa bàn phường",
        lines=["Ủy ban nhân dân phường ban hành kế hoạch tổ chức lễ hội, phân công các "
               "phòng, ban thực hiện.", "Bảo đảm an ninh trật tự, vệ sinh môi trường."])
    db.session.flush()
    record = open_record(officer, {"file_plan_entry_id": entry.id, "start_date": start,
                                   "keywords": ["lễ hội", "Đền Hùng", "văn hóa"]})
    add_documents(officer, record, [incoming.id, outgoing.id])
    close_record(officer, record)
    submit_transfer(officer, [record.id], note="Nộp lưu hồ sơ lễ hội năm " + str(year))


def _open_record(demo_agency: Any, entry: Any, year: int, username: str) -> None:
    from edoc.records.models import Record
    from edoc.records.services import open_record

    exists = db.session.scalar(select(Record.id).where(
        Record.agency_id == demo_agency.agency.id, Record.year == year,
        Record.notation == entry.code))
    if exists is None:
        open_record(demo_agency.users[username], {"file_plan_entry_id": entry.id})


def seed_records(demo: Any) -> None:
    year = local_today().year
    ward_plan = _plan(demo.ward, year)
    province_plan = _plan(demo.province, year)
    _festival_record(demo.ward, ward_plan["01.VHXH"], year)
    _open_record(demo.ward, ward_plan["01.KT"], year, "chuyenvien")
    _open_record(demo.province, province_plan["01.VP"], year, "chuyenvien")
    db.session.flush()
