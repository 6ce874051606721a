"""Fixtures for the signing tests: a test PKI, images, sample PDFs, and a local TSA/OCSP/CRL
service (certomancer's Animator on 127.0.0.1, a port chosen by the OS)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fpdf import FPDF
from PIL import Image, ImageDraw
from werkzeug.serving import make_server

from signing import KeyMaterial, TrustSettings, load_pkcs12
from signing.testpki import TestCa, TestPkiFiles, create_test_pki

PASSPHRASE = "edoc-demo"
NOTO = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")


def make_pdf(pages: int = 2, *, title: str = "QUYẾT ĐỊNH về việc phê duyệt kế hoạch") -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("Noto", "", str(NOTO))
    pdf.set_font("Noto", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{title} — trang {i + 1}", new_x="LMARGIN", new_y="NEXT")
        for j in range(12):
            pdf.cell(
                0,
                8,
                f"Điều {j + 1}. Nội dung tiếng Việt có dấu: ệ ỹ ự ợ ử ữ.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())


def png_bytes(img: Image.Image, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    if dpi:
        img.save(buf, "PNG", dpi=(dpi, dpi))
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    """A blue handwritten-like stroke on a transparent background."""
    img = Image.new("RGBA", (420, 180), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(
        [(20, 140), (120, 30), (200, 150), (300, 40), (400, 120)], fill=(0, 40, 200, 255), width=9
    )
    return png_bytes(img)


@pytest.fixture(scope="session")
def seal_png() -> bytes:
    """A red ring, 36 mm across at 300 dpi (425 px)."""
    img = Image.new("RGBA", (425, 425), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, 419, 419), outline=(220, 0, 0, 255), width=14)
    draw.ellipse((80, 80, 345, 345), outline=(220, 0, 0, 255), width=6)
    return png_bytes(img, dpi=300)


@pytest.fixture(scope="session")
def pdf_doc() -> bytes:
    return make_pdf(2)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPkiFiles:
    return create_test_pki(
        tmp_path_factory.mktemp("pki"),
        users={"an": "Nguyễn Văn An", "binh": "Trần Thị Bình"},
        agency="UBND tỉnh Vĩnh Phúc",
        passphrase=PASSPHRASE,
    )


@pytest.fixture(scope="session")
def root_ca(pki: TestPkiFiles) -> TestCa:
    return TestCa.from_pkcs12(pki.root_pkcs12.read_bytes(), PASSPHRASE)


@pytest.fixture(scope="session")
def user_key(pki: TestPkiFiles) -> KeyMaterial:
    return load_pkcs12(pki.users["an"], PASSPHRASE)


@pytest.fixture(scope="session")
def agency_key(pki: TestPkiFiles) -> KeyMaterial:
    return load_pkcs12(pki.agency, PASSPHRASE)


@pytest.fixture(scope="session")
def trust(pki: TestPkiFiles) -> TrustSettings:
    return TrustSettings(trust_roots=(pki.root_certificate.read_bytes(),))


# --- certomancer: TSA, OCSP responder and CRL repository on 127.0.0.1 ---------------------------

_KEYS = ("root", "tsa", "ocsp", "signer", "revoked")


def _certomancer_config(prefix: str, keydir: Path, now: dt.datetime) -> dict:
    fmt = "%Y-%m-%dT%H:%M:%S+0000"
    # The signers' certificates end tomorrow, the CA and TSA ones in ten years, and revocation
    # data stays fresh for 30 days: validating "in three days" then shows a time-stamp keeping a
    # signature valid after its certificate expired.
    valid = {
        "valid-from": (now - dt.timedelta(days=1)).strftime(fmt),
        "valid-to": (now + dt.timedelta(days=3650)).strftime(fmt),
    }
    short = {**valid, "valid-to": (now + dt.timedelta(days=1)).strftime(fmt)}
    revinfo_ext = [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["root"]}},
        },
    ]
    signer_ku = {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": ["digital_signature", "non_repudiation"]},
    }
    return {
        "external-url-prefix": prefix,
        "keysets": {
            "edoc": {
                "path-prefix": str(keydir),
                "keys": {k: {"path": f"{k}.key.pem"} for k in _KEYS},
            }
        },
        "pki-architectures": {
            "edoc": {
                "keyset": "edoc",
                "entity-defaults": {
                    "country-name": "VN",
                    "organization-name": "edoc TSP thử nghiệm",
                },
                "entities": {
                    "root": {"common-name": "edoc LTV Root CA"},
                    "tsa": {"common-name": "edoc Time Stamping Authority"},
                    "ocsp": {"common-name": "edoc OCSP Responder"},
                    "signer": {"common-name": "Lê Văn Cường", "organization-name": "Sở Nội vụ"},
                    "revoked": {"common-name": "Phạm Thị Dung", "organization-name": "Sở Nội vụ"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": valid,
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature", "key_cert_sign", "crl_sign"],
                                },
                            },
                        ],
                    },
                    "tsa": {
                        "issuer": "root",
                        "validity": valid,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature"],
                                },
                            },
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                            *revinfo_ext,
                        ],
                    },
                    "ocsp": {
                        "issuer": "root",
                        "validity": valid,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {
                                    "schema": "key-usage",
                                    "params": ["digital_signature"],
                                },
                            },
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["ocsp_signing"],
                            },
                            {"id": "ocsp_no_check"},
                        ],
                    },
                    "signer": {
                        "issuer": "root",
                        "validity": short,
                        "extensions": [signer_ku, *revinfo_ext],
                    },
                    "revoked": {
                        "issuer": "root",
                        "validity": short,
                        "extensions": [signer_ku, *revinfo_ext],
                        "revocation": {
                            "revoked-since": (now - dt.timedelta(hours=1)).strftime(fmt),
                            "reason": "key_compromise",
                        },
                    },
                },
                "services": {
                    "ocsp": {
                        "root": {
                            "for-issuer": "root",
                            "responder-cert": "ocsp",
                            "signing-key": "ocsp",
                            "validity-period": {"days": 30},
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P30D",
                        }
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


@dataclass(frozen=True)
class LtvServices:
    tsa_url: str
    root_pem: bytes
    signer: KeyMaterial
    revoked_signer: KeyMaterial

    def trust(self, **kwargs) -> TrustSettings:
        return TrustSettings(trust_roots=(self.root_pem,), **kwargs)


class _LateApp:
    """WSGI app bound after the server knows its port (the port goes into the certificates)."""

    def __init__(self) -> None:
        self.app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def ltv(tmp_path_factory) -> Iterator[LtvServices]:
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig

    keydir = tmp_path_factory.mktemp("certomancer-keys")
    for name in _KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (keydir / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    prefix = f"http://127.0.0.1:{server.server_port}"
    now = dt.datetime.now(dt.UTC)
    cfg = CertomancerConfig(_certomancer_config(prefix, keydir, now), key_search_dir=str(keydir))
    arch = cfg.pki_archs["edoc"]
    late.app = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def key(label: str) -> KeyMaterial:
        return load_pkcs12(arch.package_pkcs12(label, password=b"pw"), "pw")

    try:
        yield LtvServices(
            tsa_url=arch.service_registry.get_tsa_info("tsa").url,
            root_pem=arch.get_cert("root").dump(),
            signer=key("signer"),
            revoked_signer=key("revoked"),
        )
    finally:
        server.shutdown()
        thread.join(timeout=5)
