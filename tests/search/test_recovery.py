"""Crash recovery: after ``kill -9`` a restarted server removes the temp files the crash left
(never one an upload is writing) and brings the search index back in step, in the background,
logging what it fixed; while it runs, the worker removes leftovers as they come of age."""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import select

from lecturehub.core import jobs
from lecturehub.core.models import Job
from lecturehub.courseware import services as courseware_services
from lecturehub.extensions import db
from lecturehub.search import maintenance, services
from tests.factories import bearer, make_token
from tests.factories.courseware import make_lecture, upload
from tests.factories.search import deck
from tests.processes import free_port, multipart
from tests.search.test_cli import leftover

STARTUP = 60  # seconds a server may take to start or to finish its start-up check


def test_the_start_up_job_removes_leftovers_reindexes_and_logs_it(app, admin, tmp_path, caplog):
    talk = make_lecture(admin, "防汛工作")
    upload(talk, deck(tmp_path, ["汛期值班安排"]), admin)  # saved, never indexed: a crash
    old, fresh = leftover("tmpold.part", 90), leftover("tmpfresh.part", 0)
    assert maintenance.queue_recovery() is True
    assert maintenance.queue_recovery() is False  # a second process starting now
    with caplog.at_level(logging.INFO, logger="lecturehub.search.maintenance"):
        jobs.run_pending()  # the upload's slide images too
    recovery = db.session.scalar(select(Job).where(Job.key == maintenance.RECOVERY_KEY))
    assert (recovery.state, recovery.tries) == ("done", 1)
    version = courseware_services.current_version(talk).id
    assert [r.getMessage() for r in caplog.records] == [
        "start-up check repaired: 上传中断留下的临时文件 tmp/tmpold.part（0.0 MB，1 小时 30 分前）",
        f"start-up check repaired: 讲学 #{talk.id}「防汛工作」：当前课件（#{version}）不在索引中",
    ]
    assert (old.exists(), fresh.exists()) == (False, True)
    assert [hit.lecture_id for hit in services.search("汛期值班").hits] == [talk.id]
    assert maintenance.queue_recovery() is True  # the next start runs it again


def test_the_worker_removes_leftovers_as_they_come_of_age(app):
    young = leftover("tmpyoung.part", 59)
    jobs.tick(app, "test-worker")
    assert young.exists()
    os.utime(young, (time.time() - 3601, time.time() - 3601))
    jobs.tick(app, "test-worker")
    assert young.exists() is False


# --- a real server, killed with SIGKILL ---------------------------------------------------------


def _serve(app, port: int, log: Path) -> subprocess.Popen:
    """``lecturehub serve`` on the app's storage, database (the environment's) and engine."""
    env = {
        **os.environ,
        "LECTUREHUB_STORAGE_DIR": app.config["STORAGE_DIR"],
        "LECTUREHUB_SEARCH_ENGINE": app.config["SEARCH_ENGINE"],
        "LECTUREHUB_SECRET_KEY": "recovery-test",
        "LECTUREHUB_WORKER_INTERVAL_SECONDS": "0.3",
    }
    command = [sys.executable, "-m", "lecturehub.cli", "serve", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


def _request(port: int, method: str, url: str, token: str, body=None, boundary=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = bearer(token)
    if boundary:
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    conn.request(method, url, body=body, headers=headers)
    response = conn.getresponse()
    answer = (response.status, json.loads(response.read()))
    conn.close()
    return answer


def _start_an_upload(port: int, url: str, token: str, path: Path) -> socket.socket:
    """Send the headers and half the body of an upload, and leave it hanging."""
    body, boundary = multipart(path)
    sock = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[: len(body) // 2])
    return sock


def _wait_for(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen:\n{log.read_text()}")


def test_after_kill_9_a_restarted_server_cleans_up_and_catches_up(app, admin, tmp_path):
    log, port = tmp_path / "serve.log", free_port()
    token = make_token(admin)
    first, second = make_lecture(admin, "乡村振兴"), make_lecture(admin, "防汛工作")
    server = _serve(app, port, log)
    try:
        # its own start-up check first, so that the crash below is what the restart finds
        _wait_for(lambda: "start-up check" in log.read_text(), "the first start-up check", log)
        body, boundary = multipart(deck(tmp_path, ["全面推进乡村振兴战略"]))
        url = f"/api/v1/lectures/{first.id}/courseware"
        status, _ = _request(port, "POST", url, token, body, boundary)
        assert status == 201
        # SIGKILL with an upload in flight; what a crash leaves: a version saved but never
        # indexed (the process died between the commit and the index), the temp file of an
        # upload that died mid-way (an hour ago), and one that another process is writing.
        upload(second, deck(tmp_path, ["汛期值班安排"]), admin)
        hanging = _start_an_upload(port, url, token, deck(tmp_path, ["未完成的上传"]))
        time.sleep(0.5)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        hanging.close()
        old, fresh = leftover("tmpold.part", 61), leftover("tmpfresh.part", 0)
        assert len(maintenance.check().found) == 2  # the stale file and the unindexed talk

        server = _serve(app, port, log)
        repaired = f"start-up check repaired: 讲学 #{second.id}「防汛工作」"
        # the check logs once it has repaired everything: wait for the repairs and the log
        _wait_for(lambda: repaired in log.read_text(), "the start-up check", log)
        assert maintenance.check().found == []
        assert (old.exists(), fresh.exists()) == (False, True)
        output = log.read_text()  # the start-up check or the worker's sweep, whichever came first
        assert "tmp/tmpold.part" in output and "tmpfresh.part" not in output
        query = urllib.parse.quote("汛期值班")
        status, found = _request(port, "GET", f"/api/v1/search?q={query}", token)
        assert (status, [hit["lecture_id"] for hit in found["hits"]]) == (200, [second.id])
    finally:
        server.kill()
        server.wait(timeout=10)
