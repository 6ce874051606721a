"""edXML benchmark: a 5 MB envelope carrying a ~3.7 MB PDF (SDK style, base64 of a one-entry ZIP).

    .venv/bin/python bench/edxml.py [--runs N]

Prints a markdown table of medians. Target: parse + XSD-validate <= 40 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.edxml import (
    Attachment,
    Business,
    DocumentCode,
    EdocMessage,
    Organization,
    PromulgationInfo,
    TraceHeader,
    build_document,
    parse_message,
    sign_envelope,
    validate,
    verify_envelope,
)
from connectors.edxml.attachments import decode_payload
from connectors.edxml.config import DEFAULT_CONFIG
from connectors.edxml.schema import canonicalize, validate_tree
from connectors.edxml.xmlsafe import parse_bytes

PDF_SIZE = 3_750_000  # bytes: gives a 5.0 MB envelope


def fake_pdf(size: int) -> bytes:
    # PDF content streams are already compressed: random bytes model them (the ZIP gains ~0).
    body = random.Random(102).randbytes(size - 64)
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"\n%%EOF\n"


def message(pdf: bytes) -> EdocMessage:
    ict = dt.timezone(dt.timedelta(hours=7))
    return EdocMessage(
        sender=Organization(organ_id="000.00.00.H44", name="UBND tỉnh Phú Thọ"),
        receivers=(Organization(organ_id="000.00.31.H44", name="UBND phường Vĩnh Phúc"),),
        document_id="000.00.00.H44,2025/03/05,15/QĐ-UBND",
        code=DocumentCode(number="15", notation="QĐ-UBND"),
        promulgation=PromulgationInfo(place="Phú Thọ", date=dt.date(2025, 3, 5)),
        subject="Về việc phê duyệt kế hoạch chuyển đổi số năm 2025",
        trace_headers=(
            TraceHeader(
                organ_id="000.00.00.H44", timestamp=dt.datetime(2025, 3, 5, 14, 30, tzinfo=ict)
            ),
        ),
        business=Business(reason="Văn bản điện tử mới"),
        attachments=(
            Attachment(
                name="15-QD-UBND.signed.pdf",
                content_type="application/pdf",
                data=pdf,
                description="Văn bản chính",
            ),
        ),
    )


def self_signed() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up (schema compilation, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    pdf = fake_pdf(PDF_SIZE)
    msg = message(pdf)
    data = build_document(msg)
    payload = (
        parse_bytes(data, limits=DEFAULT_CONFIG.limits)
        .getroot()
        .findtext(".//{http://www.mic.gov.vn/TBT/QCVN_102_2016}ContentTransferEncoded")
    )
    assert decode_payload(payload, limits=DEFAULT_CONFIG.limits) == pdf
    parsed = parse_message(data)
    assert parsed.attachments[0].data == pdf
    assert dataclasses.replace(parsed, attachments=()) == dataclasses.replace(msg, attachments=())

    def parse_validate() -> None:
        validate(data, canonical_order=True)

    def parse_only() -> None:
        parse_bytes(data, limits=DEFAULT_CONFIG.limits)

    tree_root = parse_bytes(data, limits=DEFAULT_CONFIG.limits).getroot()

    def xsd_only() -> None:
        canonicalize(tree_root)
        validate_tree(tree_root)

    key_pem, cert_pem = self_signed()
    signed = sign_envelope(data, key=key_pem, cert=cert_pem)
    dsig_runs = max(3, args.runs // 3)
    rows = [
        ("parse (safe parser) + XSD-validate", median_ms(parse_validate, args.runs), "<= 40"),
        ("  of which: safe parse", median_ms(parse_only, args.runs), ""),
        ("  of which: canonical order + XSD validate", median_ms(xsd_only, args.runs), ""),
        (
            "attachment decode (base64 + unzip, limits)",
            median_ms(lambda: decode_payload(payload, limits=DEFAULT_CONFIG.limits), args.runs),
            "",
        ),
        (
            "parse_message, full (parse + model + decode + XSD)",
            median_ms(lambda: parse_message(data), args.runs),
            "",
        ),
        (
            "parse_message without XSD",
            median_ms(lambda: parse_message(data, validate=False), args.runs),
            "",
        ),
        (
            "build_document (zip + base64 + XSD validate)",
            median_ms(lambda: build_document(msg), args.runs),
            "",
        ),
        (
            "build_document without XSD",
            median_ms(lambda: build_document(msg, validate=False), args.runs),
            "",
        ),
        (
            "XML-DSig sign (RSA-2048, SHA-256, enveloped)",
            median_ms(lambda: sign_envelope(data, key=key_pem, cert=cert_pem), dsig_runs),
            "",
        ),
        (
            "XML-DSig verify (pinned certificate)",
            median_ms(lambda: verify_envelope(signed, cert=cert_pem), dsig_runs),
            "",
        ),
    ]
    print(
        f"edXML envelope: {len(data) / 1e6:.2f} MB, PDF attachment {len(pdf) / 1e6:.2f} MB "
        f"({len(pdf) / 2**20:.2f} MiB), median of {args.runs} runs\n"
    )
    print("| step | median (ms) | target (ms) |")
    print("|---|---:|---:|")
    for name, value, target in rows:
        print(f"| {name} | {value:.1f} | {target} |")


if __name__ == "__main__":
    main()
