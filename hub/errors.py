"""Domain errors with their wire code and HTTP status, each defined once, and the
one table of HTTP statuses the web server itself may answer.

Web handlers never build error bodies themselves: they raise one of these and
the error handlers (:mod:`hub.responses`) turn it into
``{"error": {"code", "message"}}`` or an error page.
"""

from __future__ import annotations


class HubError(Exception):
    """Root of every error the hub reports to a client."""

    status = 400
    code = "bad_request"
    message = "Yêu cầu không hợp lệ"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        super().__init__(self.message)


class BadRequest(HubError):
    status = 400
    code = "invalid_request"
    message = "Yêu cầu không hợp lệ"


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"
    message = "Cần đăng nhập hoặc mã thiết bị hợp lệ"


class Forbidden(HubError):
    status = 403
    code = "forbidden"
    message = "Không có quyền thực hiện thao tác này"


class NotFound(HubError):
    status = 404
    code = "not_found"
    message = "Không tìm thấy"


class Conflict(HubError):
    status = 409
    code = "conflict"
    message = "Trạng thái hiện tại không cho phép thao tác này"


class TooManyAttempts(HubError):
    status = 429
    code = "too_many_attempts"
    message = "Thử quá nhiều lần, vui lòng đợi rồi thử lại"


class Unavailable(HubError):
    status = 503
    code = "unavailable"
    message = "Dịch vụ tạm thời không sẵn sàng"


class StorageFull(Unavailable):
    """The database could not be written: its disk is full (nothing was saved)."""

    code = "storage_full"
    message = "Ổ đĩa của máy chủ đã đầy, chưa lưu được; vui lòng báo quản trị viên"


class StorageReadOnly(Unavailable):
    """The database could not be written: it is read-only (nothing was saved)."""

    code = "storage_read_only"
    message = "Cơ sở dữ liệu đang ở chế độ chỉ đọc, chưa lưu được; vui lòng báo quản trị viên"


#: The one table of statuses the hub answers without a :class:`HubError` (routing,
#: limits, the web server): wire code and Vietnamese message of each.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request", BadRequest.message),
    401: ("unauthorized", Unauthorized.message),
    403: ("forbidden", Forbidden.message),
    404: ("not_found", NotFound.message),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ"),
    409: ("conflict", Conflict.message),
    413: ("payload_too_large", "Nội dung gửi lên quá lớn"),
    414: ("uri_too_long", "Địa chỉ quá dài"),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ"),
    429: ("too_many_attempts", TooManyAttempts.message),
    431: ("headers_too_large", "Tiêu đề yêu cầu quá lớn"),
    500: ("internal_error", "Lỗi hệ thống; đã ghi nhật ký để xử lý"),
    503: ("unavailable", Unavailable.message),
}


def http_error(status: int) -> HubError:
    """The :class:`HubError` for an HTTP status the server answered by itself."""
    code, message = HTTP_ERRORS.get(status, HTTP_ERRORS[400 if status < 500 else 500])
    err = HubError(message, code=code)
    err.status = status
    return err
