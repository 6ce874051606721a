"""Signing and verification: validity in pyHanko, readability in pypdf, and failure cases."""

from __future__ import annotations

import io

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter

from signing import (
    AppearanceError,
    CertificateError,
    KeyMaterial,
    PdfError,
    SignatureAppearance,
    SigningError,
    TrustSettings,
    load_pkcs12,
    sign_pdf,
    verify_pdf,
)
from signing.testpki import (
    IssuedCertificate,
    make_expired_certificate,
    make_revoked_certificate,
    make_untrusted_certificate,
)

SIGNATURE_KEYS = {
    "signer",
    "organization",
    "signed_at",
    "verdict",
    "reasons",
    "trusted",
    "intact",
    "modified_after",
    "timestamp",
}


def as_key(issued: IssuedCertificate) -> KeyMaterial:
    return load_pkcs12(issued.pkcs12("pw"), "pw")


def sign_with_pyhanko_directly(pdf: bytes, key: KeyMaterial) -> bytes:
    """A signature made elsewhere, without edoc's certificate checks (an 'old' signature)."""
    meta = signers.PdfSignatureMetadata(field_name="Old", subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer=key.pyhanko_signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))
    )
    return out.getvalue()


def test_signature_validates_in_pyhanko_and_pdf_stays_readable(
    pdf_doc, user_key, pki, signature_png
):
    signed = sign_pdf(
        pdf_doc, user_key, appearance=SignatureAppearance(kind="signer", image=signature_png)
    )
    assert signed.startswith(pdf_doc)  # an incremental update: the original bytes are kept
    root = load_cert_from_pemder(str(pki.root_certificate))
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    status = validate_pdf_signature(embedded[0], ValidationContext(trust_roots=[root]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    before, after = PdfReader(io.BytesIO(pdf_doc)), PdfReader(io.BytesIO(signed))
    assert len(after.pages) == len(before.pages) == 2
    assert after.pages[0].extract_text() == before.pages[0].extract_text()
    assert "Nội dung tiếng Việt" in after.pages[1].extract_text()
    assert after.get_fields()["Signature1"]["/FT"] == "/Sig"


def test_report_shape_matches_api_contract(pdf_doc, user_key, trust):
    report = verify_pdf(sign_pdf(pdf_doc, user_key), trust=trust)
    data = report.to_dict()
    assert set(data) == {"verdict", "reasons", "signatures"}
    assert data["verdict"] == "valid" and data["reasons"] == []
    (sig,) = data["signatures"]
    assert set(sig) == SIGNATURE_KEYS
    assert sig["signer"] == "Nguyễn Văn An"
    assert sig["organization"] == "UBND tỉnh Vĩnh Phúc"
    assert sig["signed_at"].endswith("+07:00")
    assert (sig["trusted"], sig["intact"], sig["modified_after"]) == (True, True, "none")
    assert sig["timestamp"] is None and sig["reasons"] == []
    detail = report.signatures[0]
    assert detail.level == "B-B" and detail.certificate_valid_at_signing
    assert detail.revocation == "unknown"  # no CRL/OCSP source configured


def test_revocation_good_when_crl_checked(pdf_doc, user_key, pki):
    trust = TrustSettings(
        trust_roots=(pki.root_certificate.read_bytes(),),
        crls=(pki.crl.read_bytes(),),
        revocation="hard-fail",
    )
    report = verify_pdf(sign_pdf(pdf_doc, user_key, trust=trust), trust=trust)
    assert report.verdict == "valid"
    assert report.signatures[0].revocation == "good"


def test_one_byte_changed_after_signing_is_invalid(pdf_doc, user_key, trust):
    signed = bytearray(sign_pdf(pdf_doc, user_key))
    # Flip a byte inside the original content (covered by the signature's byte range).
    pos = signed.index(b"endstream")
    signed[pos - 5] ^= 0x01
    report = verify_pdf(bytes(signed), trust=trust)
    assert report.verdict == "invalid"
    assert report.signatures[0].reasons[0] == "integrity_failed"
    assert report.signatures[0].intact is False


def test_appended_garbage_update_is_invalid(pdf_doc, user_key, trust):
    signed = sign_pdf(pdf_doc, user_key)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    # Paint extra text over page 1: a change to the signed content, not form filling.
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 m")))
    buf = io.BytesIO()
    writer.write(buf)
    report = verify_pdf(buf.getvalue(), trust=trust)
    assert report.verdict == "invalid"
    assert report.signatures[0].modified_after == "other"
    assert "modified_after_signing" in report.signatures[0].reasons


def test_signer_from_untrusted_ca_is_not_trusted(pdf_doc, trust):
    rogue = as_key(make_untrusted_certificate("Người Lạ", organization="Không rõ"))
    report = verify_pdf(sign_pdf(pdf_doc, rogue), trust=trust)
    assert report.verdict == "indeterminate"
    sig = report.signatures[0]
    assert sig.trusted is False and sig.intact is True
    assert sig.reasons == ("certificate_untrusted",)


def test_untrusted_certificate_refused_when_trust_given(pdf_doc, trust):
    rogue = as_key(make_untrusted_certificate("Người Lạ"))
    with pytest.raises(CertificateError) as err:
        sign_pdf(pdf_doc, rogue, trust=trust)
    assert err.value.code == "certificate_untrusted"


def test_expired_certificate_refused_and_reported(pdf_doc, root_ca, trust):
    expired = as_key(make_expired_certificate(root_ca, "Hết Hạn"))
    with pytest.raises(CertificateError) as err:
        sign_pdf(pdf_doc, expired)
    assert err.value.code == "certificate_expired"
    report = verify_pdf(sign_with_pyhanko_directly(pdf_doc, expired), trust=trust)
    assert report.verdict == "indeterminate"
    assert "certificate_expired" in report.signatures[0].reasons
    assert report.signatures[0].certificate_valid_at_signing is False


def test_revoked_certificate_refused_and_reported(pdf_doc, root_ca, pki):
    issued, crl = make_revoked_certificate(root_ca, "Bị Thu Hồi")
    key = as_key(issued)
    trust = TrustSettings(trust_roots=(pki.root_certificate.read_bytes(),), crls=(crl,))
    with pytest.raises(CertificateError) as err:
        sign_pdf(pdf_doc, key, trust=trust)
    assert err.value.code == "certificate_revoked"
    # Without a revocation source the signature can be made; verification then reports it.
    signed = sign_pdf(pdf_doc, key)
    report = verify_pdf(signed, trust=trust)
    assert report.verdict == "invalid"
    assert report.signatures[0].reasons == ("certificate_revoked",)
    assert report.signatures[0].revocation == "revoked"


def test_hard_fail_without_revocation_data_refuses_to_sign(pdf_doc, user_key, pki):
    trust = TrustSettings(trust_roots=(pki.root_certificate.read_bytes(),), revocation="hard-fail")
    with pytest.raises(CertificateError) as err:
        sign_pdf(pdf_doc, user_key, trust=trust)
    assert err.value.code == "certificate_revocation_unknown"


def test_no_signatures_is_indeterminate(pdf_doc, trust):
    report = verify_pdf(pdf_doc, trust=trust)
    assert report.verdict == "indeterminate"
    assert report.reasons == ("no_signatures",)
    assert report.to_dict() == {
        "verdict": "indeterminate",
        "reasons": ["no_signatures"],
        "signatures": [],
    }


def test_encrypted_pdf_is_refused(pdf_doc, user_key, trust):
    writer = PdfWriter(clone_from=io.BytesIO(pdf_doc))
    writer.encrypt("secret", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    for call in (lambda d: sign_pdf(d, user_key), lambda d: verify_pdf(d, trust=trust)):
        with pytest.raises(PdfError) as err:
            call(buf.getvalue())
        assert err.value.code == "pdf_encrypted"


@pytest.mark.parametrize(
    "data", [b"not a pdf at all", b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", b""]
)
def test_corrupt_pdf_is_refused(data, user_key, trust):
    with pytest.raises(PdfError) as err:
        sign_pdf(data, user_key)
    assert err.value.code == "pdf_corrupt"
    with pytest.raises(PdfError):
        verify_pdf(data, trust=trust)


def test_truncated_pdf_is_refused(pdf_doc, user_key):
    with pytest.raises(PdfError) as err:
        sign_pdf(pdf_doc[: len(pdf_doc) // 2], user_key)
    assert err.value.code == "pdf_corrupt"


def test_signature_image_must_be_png(signature_png):
    jpeg = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (10, 10), "blue").save(jpeg, "JPEG")
    for data in (jpeg.getvalue(), b"GIF89a....", signature_png[:20]):
        with pytest.raises(AppearanceError) as err:
            SignatureAppearance(kind="signer", image=data)
        assert err.value.code == "image_not_png"


def test_levels_above_b_b_need_a_timestamper(pdf_doc, user_key):
    with pytest.raises(SigningError) as err:
        sign_pdf(pdf_doc, user_key, level="B-T")
    assert err.value.code == "timestamp_required"
    with pytest.raises(SigningError) as err:
        sign_pdf(pdf_doc, user_key, level="B-LT", timestamper_url="http://127.0.0.1:9/")
    assert err.value.code == "trust_required"


def test_unreachable_timestamper_is_a_clear_error(pdf_doc, user_key):
    import socket

    with socket.socket() as sock:  # a port that is closed: bind, read it, close
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SigningError) as err:
        sign_pdf(pdf_doc, user_key, level="B-T", timestamper_url=f"http://127.0.0.1:{port}/tsa")
    assert err.value.code == "timestamp_failed"


def test_existing_empty_field_is_used_and_taken_one_refused(pdf_doc, user_key, agency_key, trust):
    signed = sign_pdf(pdf_doc, user_key, field_name="LanhDao")
    with pytest.raises(SigningError) as err:
        sign_pdf(signed, agency_key, field_name="LanhDao")
    assert err.value.code == "field_exists"
    twice = sign_pdf(signed, agency_key)
    report = verify_pdf(twice, trust=trust)
    assert [s.field_name for s in report.signatures] == ["LanhDao", "Seal1"] or [
        s.field_name for s in report.signatures
    ] == ["LanhDao", "Signature1"]
    assert report.verdict == "valid"
