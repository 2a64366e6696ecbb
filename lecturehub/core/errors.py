"""Errors: one JSON shape for the API, friendly Chinese pages for the browser."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from lecturehub.extensions import db

MESSAGES = {
    400: ("bad_request", "请求有误。"),
    401: ("unauthorized", "请先登录，或提供有效的 API 令牌。"),
    403: ("forbidden", "您没有权限进行此操作。"),
    404: ("not_found", "找不到请求的内容。"),
    405: ("method_not_allowed", "不支持此请求方法。"),
    409: ("conflict", "与现有数据冲突。"),
    413: ("too_large", "上传的文件过大。"),
    415: ("unsupported_media_type", "不支持的文件类型。"),
    422: ("invalid", "提交的数据无效。"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试。"),
    500: ("server_error", "服务器内部错误，请稍后再试。"),
}


class ServiceError(Exception):
    """A refusal by a service: a machine code, a Chinese message and an HTTP status."""

    status = 422

    def __init__(self, message: str, code: str = "invalid", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


def api_error(status: int, code: str | None = None, message: str | None = None):
    default_code, default_message = MESSAGES.get(status, ("error", "请求失败。"))
    body = {"error": {"code": code or default_code, "message": message or default_message}}
    return jsonify(body), status


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _message_for(status: int, description: str | None) -> str:
    default = MESSAGES.get(status, ("", "请求失败。"))[1]
    if description and any("\u4e00" <= ch <= "\u9fff" for ch in description):
        return description
    return default


NUMERIC_OUT_OF_RANGE = "22003"
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL; SQLite's holds more, we accept no more


def in_int_range(value: int) -> int:
    """The value, or OverflowError (answered 400) when no INTEGER column can hold it."""
    if abs(value) > MAX_INT:
        raise OverflowError(value)
    return value


def _out_of_range():
    message = "参数中的数字超出范围。"
    if wants_json():
        return api_error(400, "bad_request", message)
    return render_template("errors/error.html", status=400, message=message), 400


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def handle_service_error(exc: ServiceError):
        if wants_json():
            return api_error(exc.status, exc.code, exc.message)
        return render_template("errors/error.html", status=exc.status, message=exc.message), (
            exc.status
        )

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):
        message = "页面已过期或缺少安全令牌（CSRF），请刷新页面后重试。"
        if wants_json():
            return api_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(OverflowError)
    def handle_overflow(exc: OverflowError):
        """A number too large for the database (e.g. ?series=99999999999999999999): SQLite's
        driver refuses it before the query runs."""
        return _out_of_range()

    @app.errorhandler(DataError)
    def handle_data_error(exc: DataError):
        """PostgreSQL refuses a number too large for its column (SQLSTATE 22003) in the query."""
        db.session.rollback()
        if getattr(exc.orig, "sqlstate", None) != NUMERIC_OUT_OF_RANGE:
            return handle_unexpected(exc)
        return _out_of_range()

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        status = exc.code or 500
        message = _message_for(status, exc.description)
        if wants_json():
            return api_error(status, message=message)
        template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
        return render_template(template, status=status, message=message), status

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return api_error(500)
        return render_template("errors/500.html", status=500, message=MESSAGES[500][1]), 500
