"""Two ``lecturehub serve`` processes on one database and one storage directory (behind a load
balancer): a deck uploaded through one is found through the other at once, a talk renamed
through one shows its new title through the other, a deletion through the other is seen by the
first. Real processes and HTTP; on every engine present (postgres: the index is in the
database, the case of several app servers; whoosh and tantivy: processes of one node)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from lecturehub.extensions import db
from tests.factories import make_token, make_user
from tests.factories.courseware import make_lecture
from tests.factories.search import deck
from tests.processes import free_port, multipart


class Server:
    """``lecturehub serve`` in a process of its own, on the app's storage and database."""

    def __init__(self, app, log: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "LECTUREHUB_STORAGE_DIR": app.config["STORAGE_DIR"],
            "LECTUREHUB_SEARCH_ENGINE": app.config["SEARCH_ENGINE"],
            "LECTUREHUB_SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        }
        code = "from lecturehub.cli import main; main()"
        args = ["serve", "--port", str(self.port), "--threads", "4", "--no-worker"]
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args], env=env, stdout=self.log, stderr=self.log
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited"
            try:
                self.request("GET", "/api/v1/openapi.json")
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"no answer on port {self.port}")

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            conn.close()

    def search(self, q: str, auth: dict) -> dict:
        status, body = self.request("GET", f"/api/v1/search?q={quote(q)}", headers=auth)
        assert status == 200, body
        return body

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


def test_what_one_server_writes_the_other_finds_at_once(app, tmp_path):
    admin = make_user("boss", "孔锐", roles=["admin"])
    token, lecture = make_token(admin), make_lecture(admin, "防汛工作")
    db.session.commit()
    lecture_id, auth = lecture.id, {"Authorization": f"Bearer {token}"}
    db.session.remove()
    first, second = started = [Server(app, tmp_path / f"server{n}.log") for n in (1, 2)]
    try:
        for server in started:
            server.wait_ready()
        body, boundary = multipart(deck(tmp_path, ["汛前检查独有标记", "防汛物资"]))
        headers = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, version = first.request(
            "POST", f"/api/v1/lectures/{lecture_id}/courseware", body, headers
        )
        assert status == 201, version
        found = second.search("汛前检查独有标记", auth)
        assert [(h["lecture_id"], h["slide"]) for h in found["hits"]] == [(lecture_id, 1)]
        patch = json.dumps({"title": "防汛工作新题目"}).encode()
        json_headers = {**auth, "Content-Type": "application/json"}
        status, _ = first.request("PATCH", f"/api/v1/lectures/{lecture_id}", patch, json_headers)
        assert status == 200
        found = second.search("防汛物资", auth)
        assert [h["lecture_title"] for h in found["hits"]] == ["防汛工作新题目"]
        status, _ = second.request("DELETE", f"/api/v1/courseware/{version['id']}", headers=auth)
        assert status == 200
        assert first.search("防汛", auth)["total"] == 0
    finally:
        for server in started:
            server.stop()
