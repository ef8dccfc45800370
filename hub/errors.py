"""Domain errors with their wire code and HTTP status, each defined once.

Web handlers never build error bodies themselves: they raise one of these and
the error handlers in :mod:`hub.api.errors` turn it into
``{"error": {"code", "message"}}``.
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


class PayloadTooLarge(HubError):
    status = 413
    code = "payload_too_large"
    message = "Nội dung gửi lên quá lớn"


class TooManyAttempts(HubError):
    status = 429
    code = "too_many_attempts"
    message = "Thử quá nhiều lần, vui lòng đợi rồi thử lại"


class Unavailable(HubError):
    status = 503
    code = "unavailable"
    message = "Dịch vụ tạm thời không sẵn sàng"
