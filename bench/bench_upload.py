"""Upload memory benchmark: does the server's peak RSS grow with the deck's size?

Builds a 30 MB and a 300 MB deck by streaming (a few python-pptx slides plus random bytes as a
stored media member ``ppt/media/media1.mp4``, written in chunks), starts ``lecturehub serve``
(waitress) in a subprocess on a temporary storage dir, and uploads each deck with http.client as
a streamed multipart body with a bearer token. After each upload it prints the server's VmHWM
(peak RSS) and VmRSS from /proc/<pid>/status. Run by hand (Linux)::

    .venv/bin/python bench/bench_upload.py [--sizes 30,300] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from pptx import Presentation

MB = 1000 * 1000
CHUNK = 1024 * 1024
REPO = Path(__file__).resolve().parents[1]


def build_deck(path: Path, media_bytes: int) -> Path:
    """A 3-slide deck plus ``media_bytes`` of random data stored as ppt/media/media1.mp4."""
    base = path.with_suffix(".base.pptx")
    prs = Presentation()
    for n in range(1, 4):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"第{n}页 性能测试"
        slide.placeholders[1].text_frame.text = "乡村振兴产业发展" * 10
        slide.notes_slide.notes_text_frame.text = "讲稿内容" * 60
    prs.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
        media = zipfile.ZipInfo("ppt/media/media1.mp4", date_time=(2025, 1, 1, 0, 0, 0))
        media.compress_type = zipfile.ZIP_STORED
        with out.open(media, "w", force_zip64=True) as fh:
            left = media_bytes
            while left > 0:
                fh.write(os.urandom(min(CHUNK, left)))
                left -= CHUNK
    base.unlink()
    return path


def setup_database(storage: Path) -> tuple[str, int]:
    """Tables, a speaker with a talk and an API token: (token, lecture id)."""
    os.environ["LECTUREHUB_STORAGE_DIR"] = str(storage)
    from lecturehub import create_app
    from lecturehub.auth import login as login_service
    from lecturehub.auth import services as auth_services
    from lecturehub.extensions import db
    from lecturehub.schedule import lectures, services
    from lecturehub.schedule.models import Session
    from lecturehub.setup_data import ensure_reference_data

    app = create_app({"SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        user, _ = auth_services.create_user(
            "bench", auth_services.UserDetails("压测讲课人"), "password123"
        )
        series = services.lecture_series()
        starts = dt.datetime.combine(dt.date.today() + dt.timedelta(days=9), dt.time(19))
        session = Session(
            series=series,
            date=starts.date(),
            starts_at=starts,
            venue="乡文化乐园",
            duration_minutes=60,
            is_extra=True,
        )
        db.session.add(session)
        db.session.flush()
        lecture = lectures.new_lecture(session, title="上传压测", speaker=user)
        token = login_service.create_token(user, "bench")[1]
        lecture_id = lecture.id
        db.engine.dispose()
    return token, lecture_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(storage: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, LECTUREHUB_STORAGE_DIR=str(storage), LECTUREHUB_SECRET_KEY="bench")
    exe = Path(sys.executable).with_name("lecturehub")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start: " + proc.stderr.read().decode(errors="replace"))


def memory(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of ``pid`` in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0])
    return fields


def multipart(path: Path, name: str) -> tuple[str, int, object]:
    """(boundary, length, generator) of a multipart body with one file field, streamed."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.presentationml.presentation"
        "\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        yield tail

    return boundary, len(head) + path.stat().st_size + len(tail), body()


def upload(port: int, token: str, lecture_id: int, path: Path) -> tuple[int, dict, float]:
    boundary, length, body = multipart(path, "bench.pptx")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        f"/api/v1/lectures/{lecture_id}/courseware",
        body=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Length": str(length),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = {"raw": data[:200].decode(errors="replace")}
    return response.status, parsed, elapsed


def over_limit(port: int, token: str, lecture_id: int, length: int) -> tuple[int, str]:
    """Headers announcing a body over the limit, no body: how does the server answer?"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("POST", f"/api/v1/lectures/{lecture_id}/courseware")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()[:160].decode(errors="replace")
    conn.close()
    return response.status, body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30,300", help="deck sizes in MB (10^6 bytes)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    storage = work / "storage"
    token, lecture_id = setup_database(storage)
    port = free_port()
    server = start_server(storage, port)
    try:
        run(work, port, token, lecture_id, server.pid, [int(s) for s in args.sizes.split(",")])
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, port: int, token: str, lecture_id: int, pid: int, sizes: list[int]) -> None:
    warm = build_deck(work / "warm.pptx", 100_000)
    status, _, _ = upload(port, token, lecture_id, warm)
    print(f"warm-up upload: HTTP {status}; server memory {memory(pid)} kB")
    for size in sizes:
        path = build_deck(work / f"deck{size}.pptx", size * MB)
        status, body, elapsed = upload(port, token, lecture_id, path)
        mb = path.stat().st_size / MB
        verdict = body.get("analysis", {}).get("verdict") or body.get("error") or body
        print(
            f"{mb:7.1f} MB: HTTP {status} ({verdict}) in {elapsed:5.1f} s "
            f"= {mb / elapsed:6.1f} MB/s; server memory after: {memory(pid)} kB"
        )
        path.unlink()
    limit = 300 * 1024 * 1024 + 2 * 1024 * 1024
    status, text = over_limit(port, token, lecture_id, limit)
    print(f"Content-Length {limit} (over the limit, no body sent): HTTP {status} {text!r}")


if __name__ == "__main__":
    main()
