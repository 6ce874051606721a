"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of the JSON API.

Generated from the registered routes, so that every endpoint appears with its methods, path
parameters, summary (the view's docstring) and the shared error shape; docs/api.md is the prose
contract.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR_CODES = {"400": "Yêu cầu sai định dạng", "401": "Chưa xác thực", "403": "Không có quyền",
                "404": "Không tìm thấy hoặc không được xem",
                "409": "Xung đột trạng thái hoặc phiên bản",
                "413": "Quá dung lượng", "415": "Định dạng tệp không hỗ trợ",
                "422": "Giá trị không hợp lệ", "503": "Dịch vụ lưu trữ hoặc CSDL không phản hồi"}


def build_spec() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api_openapi.spec":
            continue
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule[len("/api/v1"):])
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if conv == "int" else "string"}}
                  for conv, name in _PARAM.findall(rule.rule)]
        view = current_app.view_functions[rule.endpoint]
        doc = (view.__doc__ or "").strip().splitlines()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": doc[0] if doc else rule.endpoint.split(".")[-1].replace("_", " "),
                "tags": [rule.endpoint.split(".")[0].removeprefix("api_")],
                "responses": {"200": {"description": "OK",
                                      "content": {"application/json": {"schema": {}}}},
                              **{code: {"$ref": "#/components/responses/Error"}
                                 for code in _ERROR_CODES}},
            }
            if params:
                op["parameters"] = params
            if rule.endpoint == "api_auth.token":
                op["security"] = []
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "edoc API", "version": "1",
                 "description": "Hệ thống quản lý văn bản và điều hành edoc: JSON API. "
                                "See docs/api.md."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {
                "error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "details": {"type": "object"}}}}}},
            "responses": {"Error": {"description": "Lỗi theo cấu trúc chung", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }


@bp.get("/openapi.json")
def spec():
    """The OpenAPI description of this API."""
    return jsonify(build_spec())
