"""Fixtures for records and the archive: an agency with its people, documents with PDFs (one
signed with a test PKI), and helpers that walk a record to the archive through the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

import edoc.records.archive_models
import edoc.records.models
import edoc.signatures.models  # noqa: F401 - signature checks reference document files
from edoc.auth.roles import Role
from tests.records.helpers import make_pdf


@pytest.fixture(autouse=True)
def _records_app(app, config_overrides):
    from edoc.records import init_app

    init_app(app)
    if "ARCHIVE_RENDITIONS" not in config_overrides:
        # PDF/A is tested where it is wanted: @pytest.mark.config(ARCHIVE_RENDITIONS=True)
        app.config["ARCHIVE_RENDITIONS"] = False
    return app


@pytest.fixture(scope="session")
def signer_key():
    """A document-signing key from a throwaway CA, and the CA's certificate (PEM)."""
    from signing import load_pkcs12
    from signing.testpki import TestCa

    ca = TestCa.create("edoc Records Test Root CA")
    issued = ca.issue("Lê Văn Hùng", organization="UBND phường Thử", key_type="ec-p256")
    return load_pkcs12(issued.pkcs12("pw"), "pw"), ca.as_issued().certificate_pem


@pytest.fixture(scope="session")
def signed_pdf(signer_key) -> bytes:
    from signing import sign_pdf

    key, _ca = signer_key
    return sign_pdf(make_pdf("QUYẾT ĐỊNH về việc phê duyệt kế hoạch lưu trữ"), key)


@dataclass
class Office:
    agency: Any
    unit: Any
    other_unit: Any
    archivist: Any
    officer: Any
    clerk: Any
    leader: Any
    other: Any  # an officer of another unit
    factories: Any

    def headers(self, who: str) -> dict[str, str]:
        return self.factories.api_headers(getattr(self, who))


@pytest.fixture
def office(factories) -> Office:
    agency = factories.agency("UBND phường Lưu Trữ", organ_id="000.00.31.H44")
    unit = factories.unit(agency, "Phòng Văn hóa - Xã hội", "VHXH")
    other_unit = factories.unit(agency, "Phòng Kinh tế", "KT")
    return Office(
        agency=agency, unit=unit, other_unit=other_unit,
        archivist=factories.user(Role.ARCHIVIST, agency=agency, username="luutru-test",
                                 full_name="Phạm Thị Lan"),
        officer=factories.user(Role.OFFICER, agency=agency, unit=unit,
                               full_name="Trần Văn Minh"),
        clerk=factories.user(Role.CLERK, agency=agency, full_name="Nguyễn Thị Thu"),
        leader=factories.user(Role.LEADER, agency=agency, full_name="Lê Văn Hùng"),
        other=factories.user(Role.OFFICER, agency=agency, unit=other_unit,
                             full_name="Hoàng Khác"),
        factories=factories,
    )


@pytest.fixture
def make_document(db, office):
    """``make_document(subject=..., data=...)``: a finished incoming document with a PDF."""
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document, DocumentText

    def make(subject: str = "Về việc tổ chức Lễ hội Đền Hùng", *, data: bytes | None = None,
             number: int = 12, notation: str = "UBND-VHXH", type_key: str = "cong_van",
             direction: str = "incoming", day: date = date(2020, 3, 5), text: str = "",
             pages: int = 1, confidentiality: str = "thuong") -> Document:
        doc = Document(agency_id=office.agency.id, direction=direction,
                       state="done" if direction == "incoming" else "dispatched",
                       type_key=type_key, subject=subject, number=number, notation=notation,
                       document_date=day, issuing_agency="Sở Văn hóa, Thể thao và Du lịch",
                       pages=pages, created_by_id=office.clerk.id,
                       confidentiality=confidentiality)
        db.session.add(doc)
        db.session.flush()
        attach_file(doc, data if data is not None else make_pdf(subject), kind="original",
                    name=f"van-ban-{doc.id}.pdf", content_type="application/pdf",
                    actor=office.clerk)
        db.session.add(DocumentText(document_id=doc.id, content=text or subject))
        db.session.commit()
        return doc

    return make
