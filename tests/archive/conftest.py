"""Factories for the archive tests: real PDFs (fpdf2), real PAdES signatures (pyHanko)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fpdf import FPDF

from archive import DocumentInfo, FileRef, RecordInfo, Retention

NOTO = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
FIXED_CREATED = dt.datetime(2025, 7, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
PACKAGE_UUID = "3f2b8c1e-5d4a-4b7e-9c1d-2a6f0e8b7c55"


def make_pdf(lines: list[str], pages: int = 1) -> bytes:
    pdf = FPDF()
    if NOTO.is_file():
        pdf.add_font("Noto", fname=str(NOTO))
        pdf.set_font("Noto", size=13)
    else:  # the Vietnamese font comes with fonts-noto-core; ASCII keeps the test meaningful
        pdf.set_font("Helvetica", size=13)
        lines = [ln.encode("ascii", "replace").decode() for ln in lines]
    for page in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 9, "\n".join([*lines, f"Trang {page + 1}"]))
    return bytes(pdf.output())


@dataclass
class Signer:
    sign: Callable[[bytes], bytes]
    verify: Callable[[bytes], object]


@pytest.fixture(scope="session")
def signer() -> Signer:
    """A self-signed P-256 signer and a pyHanko verifier trusting only it."""
    from asn1crypto import keys as akeys
    from asn1crypto import x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UBND tinh - test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    acert = ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    akey = akeys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    simple = signers.SimpleSigner(signing_cert=acert, signing_key=akey,
                                  cert_registry=SimpleCertificateStore.from_certs([acert]))
    meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")

    def sign(data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        return signers.PdfSigner(meta, signer=simple).sign_pdf(writer).getvalue()

    def verify(data: bytes) -> object:
        sigs = PdfFileReader(io.BytesIO(data)).embedded_signatures
        context = ValidationContext(trust_roots=[acert], allow_fetching=False,
                                    revocation_mode="soft-fail")
        return [validate_pdf_signature(s, context) for s in sigs]

    return Signer(sign, verify)


@dataclass
class Store:
    """The app's object store as the archive sees it: FileRef -> stream."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)

    def put(self, name: str, data: bytes, role: str = "original",
            content_type: str = "application/pdf", derived_from: str | None = None) -> FileRef:
        self.blobs[name] = data
        return FileRef(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                       content_type=content_type, role=role,  # type: ignore[arg-type]
                       derived_from=derived_from)

    def open(self, ref: FileRef) -> io.BytesIO:
        self.opened.append(ref.name)
        return io.BytesIO(self.blobs[ref.name])


def make_record(**overrides: object) -> RecordInfo:
    values: dict[str, object] = dict(
        code="000.00.00.H41.2025.01.TCCB",
        title="Hồ sơ ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh năm 2025",
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2025, 6, 30),
        retention=Retention.for_years(10),
        agency_name="Ủy ban nhân dân tỉnh Nghệ An",
        organ_id="000.00.00.H41",
        doc_total=2,
        page_total=3,
        file_catalog=2025,
        file_notation="01.TCCB",
        keywords=("quy chế", "làm việc"),
        creator="Nguyễn Thị Hoa",
        file_plan_heading="I. Tổ chức cán bộ",
        description="Hồ sơ gốc điện tử",
        extra=(("inforSign", "TCCB"),),
    )
    values.update(overrides)
    return RecordInfo(**values)  # type: ignore[arg-type]


@pytest.fixture
def pdf_factory() -> Callable[..., bytes]:
    return make_pdf


@pytest.fixture
def fixed() -> dict[str, object]:
    """Keyword options that make a build reproducible."""
    return {"created": FIXED_CREATED, "package_id": PACKAGE_UUID}


@pytest.fixture
def record_factory() -> Callable[..., RecordInfo]:
    return make_record


@dataclass
class Fixture:
    record: RecordInfo
    documents: list[DocumentInfo]
    store: Store


@pytest.fixture(scope="session")
def sample_pdfs(signer: Signer) -> dict[str, bytes]:
    """Made once: signing is the slow part of the fixtures."""
    return {
        "decision": signer.sign(make_pdf(
            ["QUYẾT ĐỊNH", "Ban hành Quy chế làm việc của UBND tỉnh"], pages=2)),
        "annex": make_pdf(["Phụ lục: Quy chế làm việc", "Điều 1. Phạm vi điều chỉnh"]),
        "letter": signer.sign(make_pdf(["CÔNG VĂN", "Về việc góp ý dự thảo Quy chế"])),
    }


@pytest.fixture
def record_fixture(sample_pdfs: dict[str, bytes]) -> Fixture:
    store = Store()
    decision, annex, letter = (sample_pdfs[k] for k in ("decision", "annex", "letter"))
    documents = [
        DocumentInfo(
            id="doc-1", direction="outgoing", type_name="Quyết định", number="15",
            notation="QĐ-UBND", issued_date=dt.date(2025, 3, 2),
            issuing_agency="Ủy ban nhân dân tỉnh Nghệ An",
            subject="Ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh",
            signer="Lê Hồng Vinh", signer_position="Chủ tịch", pages=2,
            files=[store.put("15-QD-UBND.pdf", decision),
                   store.put("phu-luc.pdf", annex, role="appendix")],
        ),
        DocumentInfo(
            id="doc-2", direction="incoming", type_name="Công văn", number="204",
            notation="STP-VP", issued_date=dt.date(2025, 2, 14),
            issuing_agency="Sở Tư pháp", subject="Góp ý dự thảo Quy chế làm việc",
            signer="Trần Văn Nam", signer_position="Giám đốc", pages=1,
            arrival_number="112", arrival_date=dt.date(2025, 2, 16),
            retention=Retention.for_years(5),
            files=[store.put("204-STP.pdf", letter)],
        ),
    ]
    return Fixture(make_record(), documents, store)
