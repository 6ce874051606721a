"""Building incoming documents for tests."""
from __future__ import annotations

import io
import json

from edoc.auth.roles import Role
from tests.capture.samples import CONG_VAN, QUYET_DINH, decree30_pdf


def office(factories):
    """An agency with a clerk, a leader, an officer in a unit, and a second unit."""
    agency = factories.agency("UBND phường Thử")
    unit = factories.unit(agency, "Phòng Kinh tế", "KT")
    other_unit = factories.unit(agency, "Phòng Văn hóa - Xã hội", "VHXH")
    from edoc.documents.numbering import ensure_default_books

    ensure_default_books(agency.id)
    from edoc.extensions import db

    db.session.commit()
    return {
        "agency": agency, "unit": unit, "other_unit": other_unit,
        "clerk": factories.user(Role.CLERK, agency=agency, full_name="Nguyễn Thị Văn Thư"),
        "leader": factories.user(Role.LEADER, agency=agency, full_name="Lê Lãnh Đạo",
                                 position_title="Chủ tịch"),
        "officer": factories.user(Role.OFFICER, agency=agency, unit=unit,
                                  full_name="Trần Chuyên Viên"),
        "other": factories.user(Role.OFFICER, agency=agency, unit=other_unit,
                                full_name="Phạm Khác Đơn Vị"),
    }


def pdf_bytes(sample=QUYET_DINH) -> bytes:
    return decree30_pdf(sample)


def upload(client, headers, data: bytes | None = None, name: str = "quyet-dinh.pdf",
           meta: dict | None = None):
    payload = {"file": (io.BytesIO(pdf_bytes() if data is None else data), name)}
    if meta is not None:
        payload["meta"] = json.dumps(meta)
    return client.post("/api/v1/incoming", data=payload, headers=headers,
                       content_type="multipart/form-data")


__all__ = ["CONG_VAN", "QUYET_DINH", "office", "pdf_bytes", "upload"]
