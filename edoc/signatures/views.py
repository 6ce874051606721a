"""Pages: "Chữ ký số" (own signature image, certificate, key, test signature), the agency's seal
(clerks and admins), and a PDF signature checker. Each handler calls one service and renders."""
from __future__ import annotations

import base64

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from edoc.auth import permissions as perm
from edoc.auth.roles import Role
from edoc.errors import BadRequest, EdocError, NotFound
from edoc.extensions import db
from edoc.signatures.images import image_bytes, save_image
from edoc.signatures.keys import register_pkcs12
from edoc.signatures.models import CredentialPurpose, ImageKind, SignatureImage
from edoc.signatures.profile import seal_profile, signing_profile
from edoc.signatures.services import sign_sample
from edoc.signatures.verification import verify_pdf_bytes, with_messages

bp = Blueprint("signatures", __name__)


def _upload(field: str) -> bytes:
    f = request.files.get(field)
    if f is None or not f.filename:
        raise BadRequest(_("Hãy chọn tệp để tải lên."), code="file_missing")
    return f.read()


def _can_manage_seal() -> bool:
    return current_user.has_role(Role.CLERK, Role.ADMIN)


def _flash_error(exc: EdocError) -> None:
    db.session.rollback()
    flash(str(exc.message), "danger")


def _signed_sample_view(template: str, *, seal: bool, **context):
    """Sign the sample PDF and show its report; the PDF is offered for download, not kept."""
    try:
        signed = sign_sample(actor=current_user, secret=request.form.get("secret") or None,
                             seal=seal)
    except EdocError as exc:
        _flash_error(exc)
        return render_template(template, **context), exc.status
    report = with_messages(verify_pdf_bytes(signed))
    flash(_("Đã ký thử. Tệp ký thử không được lưu."), "success")
    return render_template(template, report=report,
                           sample_pdf=base64.b64encode(signed).decode("ascii"), **context)


# --- own signature ------------------------------------------------------------------------------

def _account_context() -> dict:
    return {"profile": signing_profile(current_user)}


@bp.get("/account/signature")
@login_required
def account():
    return render_template("signatures/account.html", **_account_context())


@bp.post("/account/signature/image")
@login_required
def account_image():
    try:
        save_image(_upload("image"), kind=ImageKind.SIGNATURE, agency_id=current_user.agency_id,
                   user_id=current_user.id, actor=current_user)
    except EdocError as exc:
        _flash_error(exc)
    else:
        flash(_("Đã lưu ảnh chữ ký."), "success")
    return redirect(url_for("signatures.account"))


@bp.post("/account/signature/key")
@login_required
def account_key():
    try:
        register_pkcs12(_upload("p12"), request.form.get("passphrase", ""),
                        purpose=CredentialPurpose.SIGNER, agency_id=current_user.agency_id,
                        user_id=current_user.id, actor=current_user)
    except EdocError as exc:
        _flash_error(exc)
    else:
        flash(_("Đã đăng ký chứng thư số. Mật khẩu không được lưu: hãy nhập lại mỗi khi ký."),
              "success")
    return redirect(url_for("signatures.account"))


@bp.post("/account/signature/test")
@login_required
def account_test():
    return _signed_sample_view("signatures/account.html", seal=False, **_account_context())


# --- the agency's seal ----------------------------------------------------------------------------

def _seal_context() -> dict:
    return {"profile": seal_profile(current_user.agency_id)}


@bp.get("/agency/seal")
@login_required
def seal():
    perm.require(_can_manage_seal())
    return render_template("signatures/seal.html", **_seal_context())


@bp.post("/agency/seal/image")
@login_required
def seal_image():
    perm.require(_can_manage_seal())
    try:
        save_image(_upload("image"), kind=ImageKind.SEAL, agency_id=current_user.agency_id,
                   actor=current_user)
    except EdocError as exc:
        _flash_error(exc)
    else:
        flash(_("Đã lưu ảnh con dấu."), "success")
    return redirect(url_for("signatures.seal"))


@bp.post("/agency/seal/key")
@login_required
def seal_key():
    perm.require(current_user.has_role(Role.ADMIN))
    try:
        register_pkcs12(_upload("p12"), request.form.get("passphrase", ""),
                        purpose=CredentialPurpose.SEAL, agency_id=current_user.agency_id,
                        actor=current_user)
    except EdocError as exc:
        _flash_error(exc)
    else:
        flash(_("Đã đăng ký chứng thư số của cơ quan."), "success")
    return redirect(url_for("signatures.seal"))


@bp.post("/agency/seal/test")
@login_required
def seal_test():
    perm.require(_can_manage_seal())
    return _signed_sample_view("signatures/seal.html", seal=True, **_seal_context())


# --- images and the checker ---------------------------------------------------------------

@bp.get("/signatures/images/<int:image_id>.png")
@login_required
def image(image_id: int):
    row = db.session.get(SignatureImage, image_id)
    if row is None or row.agency_id != current_user.agency_id:
        raise NotFound()
    resp = Response(image_bytes(row), mimetype="image/png")
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


@bp.route("/signatures/verify", methods=["GET", "POST"])
@login_required
def verify():
    report = None
    if request.method == "POST":
        try:
            report = with_messages(verify_pdf_bytes(_upload("file")))
        except EdocError as exc:
            flash(str(exc.message), "danger")
            return render_template("signatures/verify.html", report=None), exc.status
    return render_template("signatures/verify.html", report=report)
