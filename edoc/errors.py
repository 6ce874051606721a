"""The EdocError tree, and the one place that maps errors to HTTP responses.

Services raise these errors whether they run in a request, a CLI command or the worker; only
:func:`register_error_handlers` knows about HTTP. API requests get the JSON error shape of the API
contract, pages get a Vietnamese error page (or a flash message and a redirect back for forms).
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class EdocError(Exception):
    """Base of every error a user can be shown. ``message`` is Vietnamese (translated lazily)."""

    status = 400
    code = "bad_request"
    default_message = _l("Yêu cầu không hợp lệ.")

    def __init__(self, message: Any = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(str(self.message))

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": str(self.message),
                          "details": _jsonable(self.details)}}


class BadRequest(EdocError):
    status, code = 400, "bad_request"


class AuthenticationRequired(EdocError):
    status, code = 401, "authentication_required"
    default_message = _l("Cần đăng nhập hoặc mã truy cập hợp lệ.")


class PermissionDenied(EdocError):
    status, code = 403, "forbidden"
    default_message = _l("Bạn không có quyền thực hiện thao tác này.")


class NotFound(EdocError):
    status, code = 404, "not_found"
    default_message = _l("Không tìm thấy hoặc bạn không được phép xem.")


class Conflict(EdocError):
    status, code = 409, "conflict"
    default_message = _l("Dữ liệu đã bị thay đổi bởi thao tác khác. Hãy tải lại trang.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _l("Thao tác này không hợp lệ ở trạng thái hiện tại của văn bản.")


class StaleVersion(Conflict):
    code = "stale_version"


class PayloadTooLarge(EdocError):
    status, code = 413, "payload_too_large"
    default_message = _l("Tệp tải lên vượt quá dung lượng cho phép.")


class UnsupportedFileType(EdocError):
    status, code = 415, "unsupported_file_type"
    default_message = _l("Định dạng tệp không được hỗ trợ.")


class ValidationError(EdocError):
    status, code = 422, "validation_error"
    default_message = _l("Dữ liệu không hợp lệ.")


class ServiceUnavailable(EdocError):
    status, code = 503, "service_unavailable"
    default_message = _l("Dịch vụ lưu trữ hoặc cơ sở dữ liệu tạm thời không phản hồi. "
                         "Không có dữ liệu nào bị mất; hãy thử lại sau.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"]


_HTTP_TO_ERROR: dict[int, type[EdocError]] = {
    400: BadRequest, 401: AuthenticationRequired, 403: PermissionDenied, 404: NotFound,
    409: Conflict, 413: PayloadTooLarge, 415: UnsupportedFileType, 422: ValidationError,
    503: ServiceUnavailable,
}


def _http_to_edoc(exc: HTTPException) -> EdocError:
    if exc.code == 405:
        err = EdocError(_l("Phương thức không được hỗ trợ cho địa chỉ này."),
                        code="method_not_allowed")
        err.status = 405
        return err
    cls = _HTTP_TO_ERROR.get(exc.code or 500)
    if cls is None:
        err = EdocError(code="http_error")
        err.status = exc.code or 500
        return err
    return cls()


def render_error(err: EdocError):
    from edoc.extensions import db

    db.session.rollback()
    if wants_json():
        return jsonify(err.to_dict()), err.status
    template = f"errors/{err.status}.html" if err.status in {403, 404, 409, 413, 415} else (
        "errors/generic.html")
    return render_template(template, error=err), err.status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EdocError)
    def _edoc(err: EdocError):
        return render_error(err)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return render_error(BadRequest(_l("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ "
                                          "(thiếu mã CSRF). Hãy tải lại trang và thử lại."),
                                       code="csrf_failed", reason=err.description))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_error(_http_to_edoc(exc))

    @app.errorhandler(StaleDataError)
    def _stale(exc: StaleDataError):
        return render_error(StaleVersion())

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError):
        logger.warning("integrity error: %s", exc.orig)
        return render_error(Conflict(code="integrity_conflict"))

    @app.errorhandler(OperationalError)
    def _operational(exc: OperationalError):
        logger.error("database unavailable: %s", exc.orig)
        return render_error(ServiceUnavailable(code="database_unavailable"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if current_app.testing or current_app.debug:
            raise exc
        logger.exception("unhandled error")
        err = EdocError(_l("Đã xảy ra lỗi hệ thống. Thao tác chưa được thực hiện."),
                        code="internal_error")
        err.status = 500
        return render_error(err)
