"""Fixtures for the signature glue: an agency with a leader and a clerk, the test PKI (one root
for the session, fresh EC leaf keys per test: key generation is the slow part), PDFs and
outgoing documents ready to sign."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

import edoc.signatures.models  # noqa: F401 - the tables must exist when the schema is created
from edoc.auth.roles import Role
from signing.fonts import find_font

PASSPHRASE = "edoc-demo"


def make_pdf(pages: int = 1, title: str = "QUYẾT ĐỊNH về việc phê duyệt kế hoạch") -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", "", str(find_font("serif")))
    pdf.set_font("Serif", size=13)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{title} — trang {i + 1}", new_x="LMARGIN", new_y="NEXT")
        for j in range(8):
            pdf.cell(0, 8, f"Điều {j + 1}. Nội dung có dấu: ệ ỹ ự ợ ử ữ.", new_x="LMARGIN",
                     new_y="NEXT")
    return bytes(pdf.output())


def png(size=(300, 120), *, transparent: bool = True, fmt: str = "PNG") -> bytes:
    mode = "RGBA" if transparent else "RGB"
    background = (255, 255, 255, 0) if transparent else (255, 255, 255)
    img = Image.new(mode, size, background)
    ImageDraw.Draw(img).line([(10, 100), (150, 20), (290, 100)], fill=(0, 40, 200), width=6)
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def _signatures_app(app, pki_dir):
    from edoc.signatures import init_app

    init_app(app)
    app.config["SIGNING_TEST_PKI_DIR"] = str(pki_dir)
    return app


@pytest.fixture
def agency(factories):
    return factories.agency("UBND xã Thử Nghiệm", place_name="Vĩnh Phúc")


@pytest.fixture
def leader(factories, agency):
    return factories.user(Role.LEADER, agency=agency, username="lanhdao",
                          full_name="Lê Văn Hùng", position_title="Phó Chủ tịch")


@pytest.fixture
def clerk(factories, agency):
    return factories.user(Role.CLERK, agency=agency, username="vanthu",
                          full_name="Nguyễn Thị Thu", position_title="Văn thư")


@pytest.fixture
def provisioned(db, pki_dir, agency, leader, clerk):
    """Seal credential and image for the agency, signer credential and image for the leader."""
    from edoc.signatures.testpki import provision_test_pki

    result = provision_test_pki(pki_dir, agencies=[agency], key_type="ec-p256")
    db.session.commit()
    return result


@pytest.fixture
def make_doc(db, agency, leader) -> Callable[..., object]:
    """An approved outgoing document whose rendition is ``data`` (a PDF unless told)."""
    from edoc.documents.files import attach_file
    from edoc.documents.models import Document

    def make(data: bytes | None = None, *, name: str = "quyet-dinh.pdf",
             content_type: str = "application/pdf", kind: str = "rendition",
             state: str = "approved", signer=None, **fields):
        doc = Document(agency_id=agency.id, direction="outgoing", state=state,
                       type_key="quyet_dinh", subject="Phê duyệt kế hoạch năm",
                       signer_id=(signer or leader).id, signer_position="Phó Chủ tịch",
                       signing_capacity="KT.", capacity_holder="Chủ tịch",
                       rendition_status="ready", drafter_id=leader.id, **fields)
        db.session.add(doc)
        db.session.flush()
        attach_file(doc, make_pdf() if data is None else data, kind=kind, name=name,
                    content_type=content_type)
        db.session.commit()
        return doc

    return make
