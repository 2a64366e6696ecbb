"""Load benchmark: a venue of 150 cadres scanning the QR code at once (run by hand).

    .venv/bin/python bench/bench_signin.py [--users 150] [--threads 8]

Sets up a temporary storage (SQLite, WAL), 150 users with API tokens and two sessions whose
sign-in window is open, serves the app with waitress in a subprocess (threads=8), then fires
from 150 client threads at once (a barrier), each its own HTTP connection:

1. baseline: GET /api/v1/me (bearer token) — the cost of any authenticated API request;
2. check-in with bearer tokens — isolates the check-in itself;
3. the phone flow: GET /login, POST /login, then check-in with the cookie and X-CSRFToken.

Prints p50/p95/max latency, throughput, errors, and checks every sign-in is recorded once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key"
PASSWORD = "password123"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def make_app(storage: str):
    from lecturehub import create_app

    return create_app({"STORAGE_DIR": storage, "SECRET_KEY": SECRET, "ENV": "bench"})


def serve(storage: str, port: int, threads: int) -> None:
    import logging

    from waitress import serve as waitress_serve

    app = make_app(storage)
    logging.getLogger("waitress").setLevel(logging.ERROR)  # no "Task queue depth" per request
    waitress_serve(
        app,
        host="127.0.0.1",
        port=port,
        threads=threads,
        connection_limit=1000,
        backlog=1024,
        _quiet=True,
    )


def seed(storage: str, users: int) -> dict:
    from werkzeug.security import generate_password_hash

    from lecturehub.auth import login as login_service
    from lecturehub.auth.models import User, UserRole
    from lecturehub.core.timeutil import now
    from lecturehub.extensions import db
    from lecturehub.schedule import services as schedule_services
    from lecturehub.setup_data import ensure_reference_data

    app = make_app(storage)
    with app.app_context():
        db.create_all()
        ensure_reference_data()
        hashed = generate_password_hash(PASSWORD)  # one hash for all: seeding speed only
        people = [
            User(
                login=f"cadre{i:03d}",
                name=f"干部{i:03d}",
                password_hash=hashed,
                role_rows=[UserRole(role="member")],
            )
            for i in range(users)
        ]
        db.session.add_all(people)
        db.session.commit()
        tokens = [login_service.create_token(u, "bench")[1] for u in people]
        series = schedule_services.list_series()[0]
        start = now().replace(second=0) + dt.timedelta(minutes=10)
        sessions = [
            schedule_services.add_extra_session(
                series, start.date(), (start + dt.timedelta(minutes=i)).time(), f"压测{i}"
            ).id
            for i in range(2)
        ]
        logins = [u.login for u in people]
    return {"tokens": tokens, "logins": logins, "sessions": sessions}


def qr_token(storage: str, session_id: int) -> str:
    from lecturehub.attendance import signin
    from lecturehub.schedule import services

    with make_app(storage).app_context():
        return signin.make_token(services.get_session(session_id))


def count_records(storage: str, session_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from lecturehub.attendance.models import AttendanceRecord
    from lecturehub.extensions import db

    with make_app(storage).app_context():
        where = AttendanceRecord.session_id == session_id
        total = db.session.scalar(select(func.count()).where(where))
        distinct = db.session.scalar(
            select(func.count(func.distinct(AttendanceRecord.user_id))).where(where)
        )
        return total, distinct


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data


def timed(call) -> tuple[float, int]:
    start = time.perf_counter()
    status = call()
    return time.perf_counter() - start, status


def run_crowd(n: int, job) -> tuple[list[tuple[float, int]], float]:
    """Start ``n`` threads, release them together, return [(seconds, status)] and wall time."""
    results: list = [None] * n
    barrier = threading.Barrier(n + 1)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = job(i)
        except Exception as exc:
            results[i] = (float("nan"), f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def report(label: str, results, wall: float, ok_statuses=(200, 201)) -> None:
    times = sorted(r[0] * 1000 for r in results if r[1] in ok_statuses)
    errors = [r[1] for r in results if r[1] not in ok_statuses]
    if not times:
        print(f"{label:<34} no successful requests; errors: {errors[:3]}")
        return
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(
        f"{label:<34} n={len(results):>3} ok={len(times):>3} err={len(errors):>2}  "
        f"p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  max={times[-1]:7.1f} ms  "
        f"wall={wall:5.2f} s  {len(times) / wall:6.1f} req/s"
    )
    if errors:
        print("   errors:", sorted({str(e) for e in errors})[:5])


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def phone_flow(port: int, login: str, session_id: int, token: str, timings: list, i: int):
    client = Client(port)
    status, page = client.request("GET", "/login")
    csrf = CSRF_RE.search(page.decode()).group(1)
    form = urlencode({"login": login, "password": PASSWORD, "csrf_token": csrf}).encode()
    start = time.perf_counter()
    status, _ = client.request(
        "POST",
        f"/login?next=/checkin/{session_id}",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    timings[i] = (time.perf_counter() - start, 200 if status == 302 else status)
    status, page = client.request("GET", f"/checkin/{session_id}?t={token}")
    csrf = CSRF_RE.search(page.decode()).group(1)
    body = json.dumps({"token": token}).encode()
    return timed(
        lambda: client.request(
            "POST",
            f"/api/v1/sessions/{session_id}/checkin",
            body,
            {"Content-Type": "application/json", "X-CSRFToken": csrf},
        )[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--serve", nargs=2, metavar=("STORAGE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.threads)
        return
    storage = tempfile.mkdtemp(prefix="lecturehub-bench-")
    print(f"storage: {storage}   users: {args.users}   waitress threads: {args.threads}")
    data = seed(storage, args.users)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", storage, str(port), "--threads", str(args.threads)]
    )
    try:
        wait_for(port)
        bench(port, storage, data, args.users)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(storage, ignore_errors=True)


def bench(port: int, storage: str, data: dict, n: int) -> None:
    tokens, (first, second) = data["tokens"], data["sessions"]
    for i in range(3):  # warm up the server's imports and connection pool
        Client(port).request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {tokens[i]}"})

    def me(i):
        return timed(
            lambda: Client(port).request(
                "GET", "/api/v1/me", headers={"Authorization": f"Bearer {tokens[i]}"}
            )[0]
        )

    report("baseline GET /api/v1/me", *run_crowd(n, me))
    qr = qr_token(storage, first)
    body = json.dumps({"token": qr}).encode()

    def checkin(i):
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        return timed(
            lambda: Client(port).request(
                "POST", f"/api/v1/sessions/{first}/checkin", body, headers
            )[0]
        )

    results, wall = run_crowd(n, checkin)
    report("check-in (bearer token)", results, wall, ok_statuses=(201,))
    repeat, repeat_wall = run_crowd(n, checkin)
    report("repeat check-in (already, 200)", repeat, repeat_wall, ok_statuses=(200,))
    print(
        f"   records for session 1: total={count_records(storage, first)[0]} distinct users={count_records(storage, first)[1]} (expected {n})"
    )
    qr2 = qr_token(storage, second)
    logins: list = [None] * n
    flow, flow_wall = run_crowd(
        n, lambda i: phone_flow(port, data["logins"][i], second, qr2, logins, i)
    )
    report("POST /login (password check)", logins, flow_wall)
    report("check-in after login (cookie+CSRF)", flow, flow_wall, ok_statuses=(201,))
    print(
        f"   records for session 2: total={count_records(storage, second)[0]} distinct users={count_records(storage, second)[1]} (expected {n})"
    )
    print(
        f"   whole phone flow (login page, login, check-in page, check-in): wall {flow_wall:.2f} s for {n} cadres"
    )


if __name__ == "__main__":
    main()
