"""Signing a document's PDF through the service: the signer's signature, the agency's seal,
and every way it must refuse without storing anything."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from edoc.documents.models import DocumentFile
from edoc.errors import EdocError
from edoc.storage.models import StoredObject
from tests.signatures.conftest import PASSPHRASE


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count(DocumentFile.id))),
            db.session.scalar(select(func.count(StoredObject.id))))


def test_signed_pdf_validates_against_the_test_root(db, provisioned, make_doc, leader):
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.verification import verify_document

    doc = make_doc()
    f = apply_signer_signature(doc, leader, PASSPHRASE)
    db.session.commit()
    assert f.kind == "signed" and f.content_type == "application/pdf"
    assert f.name == "quyet-dinh.signed.pdf"
    report = verify_document(doc)
    assert report["file_id"] == f.id
    assert report["verdict"] == "valid", report
    (sig,) = report["signatures"]
    assert sig["signer"] == "Lê Văn Hùng"
    assert sig["organization"] == "UBND xã Thử Nghiệm"
    assert sig["trusted"] and sig["intact"] and sig["modified_after"] == "none"
    assert sig["signed_at"].endswith("+07:00")


def test_wrong_passphrase_is_wrong_secret_and_stores_nothing(db, provisioned, make_doc, leader):
    from edoc.signatures.services import apply_signer_signature

    doc = make_doc()
    before = counts(db)
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, "not-the-passphrase")
    assert caught.value.code == "wrong_secret" and caught.value.status == 422
    assert "không đúng" in str(caught.value.message)
    db.session.rollback()
    assert counts(db) == before


def test_seal_after_signature_keeps_both_valid(db, provisioned, make_doc, leader, clerk):
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature
    from edoc.signatures.verification import verify_document

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    sealed = apply_agency_seal(doc, clerk, PASSPHRASE)
    db.session.commit()
    assert sealed.kind == "sealed"
    report = verify_document(doc)
    assert report["file_id"] == sealed.id
    assert report["verdict"] == "valid", report
    signer, seal = report["signatures"]
    assert (signer["signer"], signer["verdict"]) == ("Lê Văn Hùng", "valid")
    assert (seal["signer"], seal["verdict"]) == ("UBND xã Thử Nghiệm", "valid")
    # The seal was added after the signer signed: an allowed change for the first signature.
    assert signer["modified_after"] in ("none", "form_filling")


def test_seal_covers_the_left_third_of_the_signature(db, provisioned, make_doc, leader, clerk):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from edoc.documents.files import read_file
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature
    from signing.placement import signed_widget_rects

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    sealed = apply_agency_seal(doc, clerk, PASSPHRASE)
    reader = PdfFileReader(io.BytesIO(read_file(sealed)))
    signer_box, seal_box = signed_widget_rects(reader, -1)
    sx1, _, sx2, _ = signer_box
    left_third = sx1 + (sx2 - sx1) / 3
    # The seal's image ends at the left third of the signer's image: the boxes overlap and the
    # seal sits to the left.
    assert seal_box[0] < sx1 < seal_box[2] <= left_third + 1
    assert seal_box[1] < signer_box[3] and signer_box[1] < seal_box[3]


@pytest.mark.config(SIGNING_SEAL_PASSPHRASE=PASSPHRASE)
def test_seal_passphrase_held_by_the_server(db, provisioned, make_doc, leader, clerk):
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    assert apply_agency_seal(doc, clerk).kind == "sealed"


def test_seal_needs_the_clerks_secret_when_the_server_holds_none(db, provisioned, make_doc,
                                                                   leader, clerk):
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    with pytest.raises(EdocError) as caught:
        apply_agency_seal(doc, clerk)
    assert caught.value.code == "secret_required"


def test_only_clerks_seal_and_only_the_designated_signer_signs(db, provisioned, make_doc,
                                                               leader, clerk, factories,
                                                               agency):
    from edoc.auth.roles import Role
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature

    doc = make_doc()
    with pytest.raises(EdocError) as caught:
        apply_agency_seal(doc, leader, PASSPHRASE)
    assert (caught.value.code, caught.value.status) == ("not_clerk", 403)
    other = factories.user(Role.LEADER, agency=agency, full_name="Trần Văn Khác")
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, other, PASSPHRASE)
    assert (caught.value.code, caught.value.status) == ("not_signer", 403)
    stranger = factories.user(Role.LEADER)  # another agency
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, stranger, PASSPHRASE)
    assert caught.value.status == 404


def test_missing_credential_image_or_pdf_are_clear_errors(db, pki_dir, make_doc, leader):
    from edoc.signatures.images import default_signature_png, save_image
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.testpki import TestPkiResult, load_or_create_root, provision_user

    doc = make_doc()
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, PASSPHRASE)
    assert caught.value.code == "no_credential"

    root, _ = load_or_create_root(pki_dir)
    provision_user(leader, root, pki_dir, TestPkiResult(pki_dir), key_type="ec-p256")
    db.session.commit()
    docx = make_doc(b"PK\x03\x04 not a pdf", name="du-thao.docx",
                    content_type="application/vnd.openxmlformats-officedocument"
                                 ".wordprocessingml.document", kind="draft")
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(docx, leader, PASSPHRASE)
    assert caught.value.code == "no_pdf"
    broken = make_doc(b"%PDF-1.7\nthis is not really a PDF")
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(broken, leader, PASSPHRASE)
    assert (caught.value.code, caught.value.status) == ("pdf_corrupt", 422)
    assert save_image(default_signature_png("Hùng"), kind="signature", agency_id=leader.agency_id,
                      user_id=leader.id).active


def test_encrypted_pdf_is_refused(db, provisioned, make_doc, leader):
    from pypdf import PdfReader, PdfWriter

    from edoc.signatures.services import apply_signer_signature
    from tests.signatures.conftest import make_pdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("user-password", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    doc = make_doc(buf.getvalue())
    before = counts(db)
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, PASSPHRASE)
    assert (caught.value.code, caught.value.status) == ("pdf_encrypted", 422)
    assert "mật khẩu" in str(caught.value.message)
    db.session.rollback()
    assert counts(db) == before


def _register_leaf(db, leader, issued):
    from edoc.signatures.keys import register_pkcs12

    register_pkcs12(issued.pkcs12(PASSPHRASE), PASSPHRASE, purpose="signer",
                    agency_id=leader.agency_id, user_id=leader.id)
    db.session.commit()


def test_expired_certificate_is_refused(db, provisioned, make_doc, leader, pki_dir):
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.testpki import load_or_create_root
    from signing.testpki import make_expired_certificate

    root, _ = load_or_create_root(pki_dir)
    _register_leaf(db, leader, make_expired_certificate(root, "Lê Văn Hùng", key_type="ec-p256"))
    doc = make_doc()
    before = counts(db)
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, PASSPHRASE)
    assert (caught.value.code, caught.value.status) == ("certificate_expired", 422)
    assert "hết hạn" in str(caught.value.message)
    db.session.rollback()
    assert counts(db) == before


def test_revoked_certificate_is_refused(app, db, provisioned, make_doc, leader, pki_dir,
                                        tmp_path):
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.testpki import load_or_create_root
    from signing.testpki import make_revoked_certificate

    root, _ = load_or_create_root(pki_dir)
    issued, crl = make_revoked_certificate(root, "Lê Văn Hùng", key_type="ec-p256")
    (tmp_path / "revoked.crl").write_bytes(crl)
    app.config["SIGNING_CRL_FILES"] = str(tmp_path / "revoked.crl")
    _register_leaf(db, leader, issued)
    doc = make_doc()
    with pytest.raises(EdocError) as caught:
        apply_signer_signature(doc, leader, PASSPHRASE)
    assert caught.value.code == "certificate_revoked"


def test_record_verification_of_an_incoming_pdf(db, provisioned, make_doc, leader):
    from edoc.signatures.models import SignatureCheck
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.verification import latest_check, record_verification

    doc = make_doc()
    signed = apply_signer_signature(doc, leader, PASSPHRASE)
    check = record_verification(signed)
    unsigned = record_verification(doc.current_file("rendition"))
    docx = make_doc(b"PK\x03\x04", name="x.docx", content_type="application/msword",
                    kind="original")
    assert record_verification(docx.files[0]) is None
    db.session.commit()
    assert (check.verdict, unsigned.verdict) == ("valid", "indeterminate")
    assert unsigned.report["reasons"] == ["no_signatures"]
    assert latest_check(signed).id == check.id
    assert db.session.scalar(select(func.count(SignatureCheck.id))) == 2


@pytest.fixture(scope="session")
def template_rendition() -> tuple[bytes, object]:
    """A quyết định drafted from our Decree 30 template and converted by LibreOffice."""
    from edoc.drafting import DraftSpec, docx_draft_to_pdf, render_draft

    spec = DraftSpec(type_key="quyet_dinh", governing_body="UBND TỈNH PHÚ THỌ",
                     agency_name="UBND xã Thử Nghiệm", agency_notation="UBND",
                     unit_notation=None, place="Vĩnh Phúc", subject="Phê duyệt kế hoạch",
                     body=["Phê duyệt kế hoạch năm.", "Giao Văn phòng thực hiện."],
                     signer_name="Lê Văn Hùng", signer_position="Phó Chủ tịch",
                     signing_capacity="KT.", capacity_holder="Chủ tịch",
                     recipients=["Như Điều 2"])
    draft = docx_draft_to_pdf(render_draft(spec))
    assert draft.placement.signature is not None
    return draft.pdf, draft.placement.signature


def test_template_rendition_is_signed_in_its_signature_space(db, provisioned, make_doc, leader,
                                                             clerk, template_rendition):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from edoc.documents.files import read_file
    from edoc.signatures.services import apply_agency_seal, apply_signer_signature
    from edoc.signatures.verification import verify_document
    from signing.placement import signed_widget_rects

    pdf, space = template_rendition
    doc = make_doc(pdf)
    apply_signer_signature(doc, leader, PASSPHRASE)
    sealed = apply_agency_seal(doc, clerk, PASSPHRASE)
    db.session.commit()
    assert verify_document(doc)["verdict"] == "valid"
    reader = PdfFileReader(io.BytesIO(read_file(sealed)))
    signer_box, seal_box = signed_widget_rects(reader, space.page)
    x1, y1, x2, y2 = space.rect
    # Between the printed position and name, narrowed to the image, centred in the column.
    assert x1 <= signer_box[0] < signer_box[2] <= x2 and (signer_box[1], signer_box[3]) == (
        pytest.approx(y1), pytest.approx(y2))
    assert abs((signer_box[0] + signer_box[2]) / 2 - (x1 + x2) / 2) < 1
    assert seal_box[0] < signer_box[0] < seal_box[2]  # the seal covers the image's left part


@pytest.mark.config(SIGNING_REVOCATION_MODE="hard-fail")
def test_hard_fail_revocation_works_offline_with_the_test_root_crl(db, provisioned, make_doc,
                                                                   leader, pki_dir, app):
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.verification import verify_document

    doc = make_doc()
    apply_signer_signature(doc, leader, PASSPHRASE)
    db.session.commit()
    report = verify_document(doc)
    assert report["verdict"] == "valid" and report["signatures"][0]["revocation"] == "good"
    # Without the root's CRL, hard-fail refuses to sign: the status cannot be checked.
    crl = pki_dir / "root-ca.crl"
    saved = crl.read_bytes()
    crl.unlink()
    try:
        with pytest.raises(EdocError) as caught:
            apply_signer_signature(make_doc(), leader, PASSPHRASE)
        assert caught.value.code == "certificate_revocation_unknown"
    finally:
        crl.write_bytes(saved)
