"""Helpers for the records tests: PDFs, API calls, walking a record to the archive."""
from __future__ import annotations

from datetime import date
from typing import Any

from fpdf import FPDF

from signing.fonts import find_font


def make_pdf(title: str = "CÔNG VĂN", lines: int = 6) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", str(find_font("serif")))
    pdf.set_font("Serif", size=13)
    pdf.add_page()
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    for n in range(lines):
        pdf.cell(0, 8, f"Điều {n + 1}. Nội dung có dấu tiếng Việt: ệ ỹ ự ợ ử ữ.",
                 new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def post(client, path: str, headers: dict, **body: Any):
    return client.post(f"/api/v1{path}", json=body, headers=headers)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def open_record(client, office, *, notation: str = "01.VHXH", retention: Any = "10",
                title: str = "Hồ sơ tổ chức Lễ hội Đền Hùng năm 2020", year: int = 2020,
                who: str = "officer", **extra: Any) -> dict:
    return ok(post(client, "/records", office.headers(who), notation=notation, title=title,
                   retention=retention, year=year, start_date=f"{year}-01-05", **extra), 201)


def closed_record(client, office, documents: list, **kwargs: Any) -> dict:
    record = open_record(client, office, **kwargs)
    headers = office.headers("officer")
    ok(post(client, f"/records/{record['id']}/documents", headers,
            document_ids=[d.id for d in documents]))
    return ok(post(client, f"/records/{record['id']}/close", headers))


def archived_record(client, office, documents: list, **kwargs: Any) -> dict:
    record = closed_record(client, office, documents, **kwargs)
    ok(post(client, f"/records/{record['id']}/transfer", office.headers("officer"),
            reason="Nộp lưu"))
    return ok(post(client, f"/records/{record['id']}/accept", office.headers("archivist")))


def day(text: str) -> date:
    return date.fromisoformat(text)
