"""The waitress server refuses oversized bodies early, in our JSON shape and in Chinese."""

from __future__ import annotations

import http.client
import json
import threading

from lecturehub.core.server import make_server
from tests.conftest import make_app


def _start(tmp_path, limit: int):
    app = make_app(tmp_path / "storage", COURSEWARE_MAX_BYTES=limit, MAX_CONTENT_LENGTH=limit)
    server = make_server(app, port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def test_oversized_upload_is_refused_before_the_body_is_read(tmp_path):
    server = _start(tmp_path, limit=1024 * 1024)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        conn.putrequest("POST", "/api/v1/lectures/1/courseware")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(300 * 1024 * 1024))  # declared, never sent
        conn.endheaders()
        response = conn.getresponse()
        body = json.loads(response.read().decode("utf-8"))
    finally:
        server.close()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    assert body["error"]["code"] == "too_large"
    assert "上传的文件过大" in body["error"]["message"]


def test_a_body_within_the_limit_reaches_the_app(tmp_path):
    server = _start(tmp_path, limit=1024 * 1024)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        conn.request(
            "POST", "/api/v1/users", body=b"{}", headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        server.close()
    assert response.status == 401  # the app answered (not signed in), not the server
    assert body["error"]["code"] == "unauthorized"
