"""Serving with waitress, with the server's own refusals in our JSON/Chinese shape.

Waitress refuses a body larger than ``max_request_body_size`` from its Content-Length header,
before reading it and before the app runs — the early refusal we want for 300 MB uploads. Its
stock answer is English plain text; ``ChineseErrorTask`` answers 413 (and the other errors
waitress raises itself) as ``{"error": {"code", "message"}}`` in Chinese instead.
"""

from __future__ import annotations

import json

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

SERVER_ERRORS = {
    413: ("too_large", "上传的文件过大，超过了系统允许的大小（请压缩视频或拆分课件）。"),
    431: ("headers_too_large", "请求头过大。"),
    400: ("bad_request", "请求格式有误。"),
}


class ChineseErrorTask(ErrorTask):
    def execute(self):
        error = self.request.error
        code, message = SERVER_ERRORS.get(error.code, ("server_error", "服务器无法处理该请求。"))
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
        payload = body.encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
        self.set_close_on_finish()
        self.content_length = len(payload)
        self.write(payload)


class LectureHubChannel(HTTPChannel):
    error_task_class = ChineseErrorTask


def make_server(app, host: str = "127.0.0.1", port: int = 5000, threads: int = 8):
    """A waitress server that refuses bodies over the app's MAX_CONTENT_LENGTH early."""
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="LectureHub",
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
    )
    server.channel_class = LectureHubChannel
    return server
