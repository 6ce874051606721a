"""Login, logout, language switch and own password change."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from edoc.auth import services
from edoc.errors import AuthenticationRequired, ValidationError
from edoc.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: an open redirect would let a phishing link log users out to
    # a look-alike page.
    if target and target.startswith("/") and not target.startswith("//") and \
            not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    error = None
    if request.method == "POST":
        try:
            user = services.authenticate(request.form.get("username", ""),
                                         request.form.get("password", ""))
        except AuthenticationRequired as exc:
            db.session.commit()  # keep the failure count and its audit entry
            error = str(exc.message)
        else:
            session.clear()  # a fresh session on login: no session fixation
            login_user(user)
            flash(_("Xin chào %(name)s!", name=user.full_name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    from edoc.i18n import LOCALES

    if code in LOCALES:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("confirm_password", ""):
            flash(_("Mật khẩu nhập lại không khớp."), "danger")
        else:
            try:
                services.change_own_password(current_user, request.form.get("current_password", ""),
                                             new)
            except ValidationError as exc:
                flash(str(exc.message), "danger")
            else:
                flash(_("Đã đổi mật khẩu."), "success")
                return redirect(url_for("web.home"))
    return render_template("auth/password.html")
