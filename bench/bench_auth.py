"""What the server-side login sessions cost per request, against the API-token baseline.

Every request signed in with a cookie now resolves its login session in the database (one
indexed SELECT by token hash, and the user). The baseline in the same run is the same request
authenticated by a personal API token, which always did one lookup of that kind. Each figure is
the median of N requests of ``GET /api/v1/me`` through the app (Flask test client, SQLite in a
temporary folder). Run by hand from the repo root::

    .venv/bin/python bench/bench_auth.py [--requests 2000] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lecturehub import create_app  # noqa: E402
from lecturehub.auth import login as login_service  # noqa: E402
from lecturehub.auth import services as auth_services  # noqa: E402
from lecturehub.extensions import db  # noqa: E402
from lecturehub.setup_data import ensure_reference_data  # noqa: E402

CSRF = 'name="csrf-token" content="'


def timed(call, count: int) -> float:
    """Median milliseconds of ``call()`` over ``count`` calls (after 20 to warm up)."""
    for _ in range(20):
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 requests each")
    args = parser.parse_args()
    count = 200 if args.quick else args.requests
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "STORAGE_DIR": tmp})
        with app.app_context():
            db.create_all()
            ensure_reference_data()
            user, _ = auth_services.create_user(
                "bench", auth_services.UserDetails("基准"), "benchpass123"
            )
            token = login_service.create_token(user, "bench")[1]
            browser = app.test_client()
            page = browser.get("/login").get_data(as_text=True)
            csrf = page.split(CSRF, 1)[1].split('"', 1)[0]
            form = {"login": "bench", "password": "benchpass123", "csrf_token": csrf}
            assert browser.post("/login", data=form).status_code == 302
            scripted = app.test_client()
            rows = [
                ("API token (baseline)", scripted, {"Authorization": f"Bearer {token}"}),
                ("login session cookie (new)", browser, {}),
            ]
            print(f"GET /api/v1/me, median of {count} requests (ms)")
            for label, client, headers in rows:
                ms = timed(lambda c=client, h=headers: c.get("/api/v1/me", headers=h), count)
                print(f"  {label:<30} {ms:6.3f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
