"""Optional XML-DSig: sign, verify, and detect tampering."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from connectors.edxml import (
    QCVN_NAMESPACE,
    Attachment,
    EdxmlConfig,
    EnvelopeInvalid,
    build_document,
    build_status,
    parse_message,
    sign_envelope,
    validate,
    verify_envelope,
)

from .make_golden import GOLDEN_DIR
from .samples import new_document, status_message

NS = f"{{{QCVN_NAMESPACE}}}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _flip_payload_char(data: bytes) -> bytes:
    at = data.index(b">UEsDB") + 40  # well inside the base64 text
    swapped = b"B" if data[at : at + 1] != b"B" else b"C"
    return data[:at] + swapped + data[at + 1 :]


def _signed(pki, data=None):
    data = data if data is not None else build_document(new_document())
    return sign_envelope(data, key=pki.key_pem, cert=pki.cert_pem)


def test_sign_and_verify_with_a_trust_anchor(pki):
    signed = _signed(pki)
    result = verify_envelope(signed, ca_pem_file=pki.ca_file)
    assert "Văn thư UBND tỉnh Phú Thọ" in result.subject
    assert result.certificate is not None
    # what the signature covers is the message itself, and it still parses and validates
    assert parse_message(result.signed_data) == new_document()
    msg = parse_message(signed)
    assert msg.has_signature and dataclasses.replace(msg, has_signature=False) == new_document()
    validate(signed)


def test_signature_sits_in_the_header_after_the_trace_list(pki):
    root = etree.fromstring(_signed(pki))
    header = root.find(f"{NS}edXMLEnvelope/{NS}edXMLHeader")
    assert [etree.QName(c).localname for c in header] == [
        "MessageHeader",
        "TraceHeaderList",
        "Signature",
    ]
    sig = header[2]
    assert sig.tag == f"{DS}Signature" and sig.get("Id") is None
    assert sig.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == ""
    assert sig.find(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate") is not None


def test_verify_with_a_pinned_certificate(pki):
    signed = _signed(pki)
    assert verify_envelope(signed, cert=pki.cert_pem).certificate is not None
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(signed, cert=pki.other_cert_pem)
    assert exc.value.code == "signature_invalid"


def test_signed_status_message(pki):
    signed = _signed(pki, build_status(status_message("02")))
    verify_envelope(signed, ca_pem_file=pki.ca_file)
    assert parse_message(signed).status_code == "02"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("Về việc phê duyệt".encode(), "Về việc bãi bỏ".encode()),
        lambda t: t.replace(b"<edXML:OrganId>000.00.31.H44<", b"<edXML:OrganId>000.00.32.H44<"),
        # one character inside the attachment's base64 payload
        lambda t: _flip_payload_char(t),
    ],
)
def test_tampering_is_detected(pki, tamper):
    signed = _signed(pki)
    changed = tamper(signed)
    assert changed != signed
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(changed, ca_pem_file=pki.ca_file)
    assert exc.value.code == "signature_invalid"


def test_untrusted_signer_is_refused(pki):
    signed = sign_envelope(
        build_document(new_document()), key=pki.other_key_pem, cert=pki.other_cert_pem
    )
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(signed, ca_pem_file=pki.ca_file)
    assert exc.value.code == "signature_invalid"


def test_unsigned_and_dummy_signatures(pki):
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(build_document(new_document()), ca_pem_file=pki.ca_file)
    assert exc.value.code == "signature_missing"
    # the SDK sample's Signature without xmlns is not an XML signature at all
    dummy = (GOLDEN_DIR / "wild_signature_qcvn_ns.edxml").read_bytes()
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(dummy, ca_pem_file=pki.ca_file)
    assert exc.value.code == "signature_missing"
    # signing replaces that dummy
    signed = sign_envelope(dummy, key=pki.key_pem, cert=pki.cert_pem)
    verify_envelope(signed, ca_pem_file=pki.ca_file)
    header = etree.fromstring(signed).find(f"{NS}edXMLEnvelope/{NS}edXMLHeader")
    assert header.find(f"{NS}Signature") is None and header.find(f"{DS}Signature") is not None


def test_a_dummy_xmldsig_signature_is_invalid(pki):
    data = (GOLDEN_DIR / "wild_handwritten_reordered.edxml").read_bytes()
    with pytest.raises(EnvelopeInvalid) as exc:
        verify_envelope(data, ca_pem_file=pki.ca_file)
    assert exc.value.code == "signature_invalid"


def test_signing_twice_is_refused(pki):
    with pytest.raises(EnvelopeInvalid) as exc:
        _signed(pki, _signed(pki))
    assert exc.value.code == "already_signed"


def test_exactly_one_trust_source():
    with pytest.raises(ValueError):
        verify_envelope(b"<x/>")


def test_large_attachment_sign_and_verify(pki):
    """Above libxml2's 10 MB text-node limit (signxml's own parser would refuse it)."""
    big = bytes(range(256)) * (8 * 1024 * 1024 // 256)
    msg = dataclasses.replace(
        new_document(),
        attachments=(
            Attachment(name="big.bin", content_type="application/octet-stream", data=big),
        ),
    )
    data = build_document(msg, config=EdxmlConfig(zip_attachments=False))
    signed = _signed(pki, data)
    verify_envelope(signed, ca_pem_file=pki.ca_file)
    assert parse_message(signed).attachments[0].data == big
