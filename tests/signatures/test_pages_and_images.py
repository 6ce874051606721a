"""Signature and seal images (PNG checks), the "Chữ ký số" and seal pages, the report partial."""
from __future__ import annotations

import io

import pytest
from flask import render_template
from sqlalchemy import func, select

from edoc.errors import EdocError
from tests.signatures.conftest import PASSPHRASE, png
from tests.support.factories import csrf_token_from, login


@pytest.mark.parametrize(("data", "code", "status"), [
    (png(fmt="JPEG", transparent=False), "image_not_png", 415),
    (png(fmt="GIF"), "image_not_png", 415),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image_not_png", 415),
    (png(transparent=False), "image_not_transparent", 422),
    (png(size=(20, 20)), "image_too_small", 422),
    (png(size=(4100, 50)), "image_too_large", 422),
])
def test_image_checks(app, data, code, status):
    from edoc.signatures.images import check_png

    with pytest.raises(EdocError) as caught:
        check_png(data)
    assert (caught.value.code, caught.value.status) == (code, status)


@pytest.mark.config(SIGNING_IMAGE_MAX_KB=1)
def test_image_byte_limit(app):
    from edoc.signatures.images import check_png

    with pytest.raises(EdocError) as caught:
        check_png(png(size=(600, 600)) + b"\x00" * 2048)
    assert caught.value.code == "image_too_large"


def test_default_images_are_transparent_pngs_of_the_right_size(app):
    from PIL import Image

    from edoc.signatures.images import check_png, default_seal_png, default_signature_png

    seal = check_png(default_seal_png("UBND phường Vĩnh Phúc"))
    assert (seal.width, seal.dpi) == (425, 300)  # 36 mm across, the size of a real seal
    sig = default_signature_png("Lê Văn Hùng")
    check_png(sig)
    with Image.open(io.BytesIO(sig)) as img:
        r, g, b, _a = img.convert("RGBA").getpixel(_darkest(img))
    assert b > r and b > g  # blue ink


def _darkest(img):
    rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A")
    return max(((x, y) for x in range(0, rgba.width, 3) for y in range(0, rgba.height, 3)),
               key=lambda p: alpha.getpixel(p))


def _post_file(client, url, field, data, filename, page, **form):
    """Post a form with a file; follow the redirect by hand (the isolated test client runs each
    request in its own context and cannot follow redirects itself)."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    resp = client.post(url, data={field: (io.BytesIO(data), filename), "csrf_token": token,
                                  **form}, content_type="multipart/form-data")
    if resp.status_code in (302, 303):
        return client.get(resp.headers["Location"])
    return resp


def test_signature_image_upload_page(client, db, leader):
    from edoc.signatures.models import SignatureImage

    login(client, "lanhdao")
    resp = _post_file(client, "/account/signature/image", "image",
                      png(fmt="JPEG", transparent=False), "chu-ky.jpg", "/account/signature")
    assert "phải là tệp PNG" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SignatureImage.id))) == 0
    resp = _post_file(client, "/account/signature/image", "image", png(), "chu-ky.png",
                      "/account/signature")
    html = resp.get_data(as_text=True)
    assert "Đã lưu ảnh chữ ký" in html
    image = db.session.scalars(select(SignatureImage)).one()
    assert (image.user_id, image.kind, image.active) == (leader.id, "signature", True)
    served = client.get(f"/signatures/images/{image.id}.png")
    assert served.status_code == 200 and served.data == png()


def test_images_of_another_agency_are_not_served(client, db, factories, provisioned, agency):
    from edoc.auth.roles import Role
    from edoc.signatures.images import active_image

    seal = active_image("seal", agency_id=agency.id)
    factories.user(Role.CLERK, username="other-clerk")
    login(client, "other-clerk")
    assert client.get(f"/signatures/images/{seal.id}.png").status_code == 404


def test_account_page_shows_certificate_and_signs_a_sample(client, provisioned, leader):
    login(client, "lanhdao")
    html = client.get("/account/signature").get_data(as_text=True)
    assert "Chữ ký số của Lê Văn Hùng" in html
    assert "edoc Test Root CA" in html and "Còn hiệu lực" in html
    token = csrf_token_from(html)
    resp = client.post("/account/signature/test", data={"secret": "wrong", "csrf_token": token})
    assert resp.status_code == 422
    assert "không đúng" in resp.get_data(as_text=True)
    resp = client.post("/account/signature/test", data={"secret": PASSPHRASE,
                                                         "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'data-verdict="valid"' in html and "Hợp lệ" in html
    assert "data:application/pdf;base64," in html


def test_account_key_upload_checks_the_passphrase(client, db, pki_dir, leader):
    from edoc.signatures.models import SigningCredential
    from edoc.signatures.testpki import load_or_create_root

    root, _ = load_or_create_root(pki_dir)
    p12 = root.issue("Lê Văn Hùng", key_type="ec-p256").pkcs12("my-pass")
    login(client, "lanhdao")
    resp = _post_file(client, "/account/signature/key", "p12", p12, "key.p12",
                      "/account/signature", passphrase="bad")
    assert "không đúng" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SigningCredential.id))) == 0
    resp = _post_file(client, "/account/signature/key", "p12", p12, "key.p12",
                      "/account/signature", passphrase="my-pass")
    assert "Đã đăng ký chứng thư số" in resp.get_data(as_text=True)
    row = db.session.scalars(select(SigningCredential)).one()
    assert (row.user_id, row.source, row.common_name) == (leader.id, "pkcs12", "Lê Văn Hùng")


def test_seal_page_for_clerks_only(client, provisioned, clerk, leader):
    login(client, "lanhdao")
    assert client.get("/agency/seal").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(
        client.get("/account/signature").get_data(as_text=True))})
    login(client, "vanthu")
    html = client.get("/agency/seal").get_data(as_text=True)
    assert "Con dấu và chữ ký số của UBND xã Thử Nghiệm" in html
    resp = client.post("/agency/seal/test", data={"secret": PASSPHRASE,
                                                  "csrf_token": csrf_token_from(html)})
    assert resp.status_code == 200 and "Hợp lệ" in resp.get_data(as_text=True)


def test_report_partial_renders_in_vietnamese(app, db, provisioned, make_doc, leader):
    from edoc.documents.files import read_file
    from edoc.signatures.services import apply_signer_signature
    from edoc.signatures.verification import verify_pdf_bytes, with_messages
    from tests.signatures.test_api import _tamper

    signed = read_file(apply_signer_signature(make_doc(), leader, PASSPHRASE))
    with app.test_request_context("/"):
        good = render_template("signatures/_report.html",
                               report=with_messages(verify_pdf_bytes(signed)))
        bad = render_template("signatures/_report.html",
                              report=with_messages(verify_pdf_bytes(_tamper(signed))))
    assert "Lê Văn Hùng" in good and "Hợp lệ" in good and "Nội dung toàn vẹn" in good
    assert "Chứng thư số được tin cậy" in good
    assert "Không hợp lệ" in bad
    assert "Nội dung tệp đã bị thay đổi sau khi ký" in bad


def test_report_partial_via_the_template_helper(app, db, provisioned, make_doc, leader):
    from flask import render_template_string

    doc = make_doc()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% set report = signature_report(doc) %}{% include "signatures/_report.html" %}',
            doc=doc)
    assert "Tệp không có chữ ký số." in html and "Chưa xác định được" in html


def test_verify_page(client, leader):
    from tests.signatures.conftest import make_pdf

    login(client, "lanhdao")
    resp = _post_file(client, "/signatures/verify", "file", make_pdf(), "x.pdf",
                      "/signatures/verify")
    assert "Tệp không có chữ ký số." in resp.get_data(as_text=True)
    resp = _post_file(client, "/signatures/verify", "file", b"hello", "x.txt",
                      "/signatures/verify")
    assert resp.status_code == 415 and "không phải tệp PDF" in resp.get_data(as_text=True)
