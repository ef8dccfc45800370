"""JSON error bodies for every failure: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from hub.errors import HubError

logger = logging.getLogger(__name__)

bp = Blueprint("errors", __name__)

HTTP_CODES = {
    400: ("invalid_request", "Yêu cầu không hợp lệ"),
    401: ("unauthorized", "Cần đăng nhập hoặc mã thiết bị hợp lệ"),
    403: ("forbidden", "Không có quyền thực hiện thao tác này"),
    404: ("not_found", "Không tìm thấy"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ"),
    413: ("payload_too_large", "Nội dung gửi lên quá lớn"),
    414: ("uri_too_long", "Địa chỉ quá dài"),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ"),
    429: ("too_many_attempts", "Thử quá nhiều lần, vui lòng đợi rồi thử lại"),
    431: ("headers_too_large", "Tiêu đề yêu cầu quá lớn"),
}


def error_response(status: int, code: str, message: str):  # noqa: ANN201 - Flask response tuple
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


@bp.app_errorhandler(HubError)
def hub_error(err: HubError):  # noqa: ANN201
    return error_response(err.status, err.code, err.message)


@bp.app_errorhandler(HTTPException)
def http_error(err: HTTPException):  # noqa: ANN201
    status = err.code or 500
    if not wants_json() and status in (404, 405):
        from flask import render_template_string

        page = "<!doctype html><meta charset=utf-8><title>{{ m }}</title><h1>{{ m }}</h1>"
        return render_template_string(page, m=HTTP_CODES[status][1]), status
    code, message = HTTP_CODES.get(status, ("http_error", err.description or "Lỗi"))
    return error_response(status, code, message)


@bp.app_errorhandler(Exception)
def unexpected(err: Exception):  # noqa: ANN201
    logger.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "Lỗi hệ thống; đã ghi nhật ký để xử lý")
