"""QR sign-in: the window, lateness, the rotating token, one record per person."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import segno
from sqlalchemy import event, insert

from lecturehub.attendance import signin
from lecturehub.attendance.models import AttendanceRecord
from lecturehub.schedule import services as schedule_services
from tests.conftest import service_error
from tests.factories import make_user
from tests.factories.attendance import MIN, T0, make_session, sign_in


def test_sign_in_before_the_start_is_present(app):
    session, user = make_session(T0), make_user()
    record, already = sign_in(session, user, T0 - 30 * MIN)
    assert (record.status, record.late_minutes, already) == ("present", 0, False)
    assert record.checked_in_at == T0 - 30 * MIN


def test_sign_in_after_the_start_is_late_with_minutes(app):
    session, user = make_session(T0), make_user()
    record, _ = sign_in(session, user, T0 + 12 * MIN + dt.timedelta(seconds=40))
    assert (record.status, record.late_minutes) == ("late", 12)


def test_sign_in_within_the_first_minute_is_still_present(app):
    record, _ = sign_in(make_session(T0), make_user(), T0 + dt.timedelta(seconds=59))
    assert record.status == "present"


def test_sign_in_before_the_window_opens_is_refused(app, db):
    session, user = make_session(T0), make_user()
    error = service_error(lambda: sign_in(session, user, T0 - 31 * MIN))
    assert error.code == "signin_not_open"
    assert "签到尚未开始" in error.message
    assert db.session.query(AttendanceRecord).count() == 0


def test_sign_in_after_the_window_closes_is_refused(app, db):
    session, user = make_session(T0), make_user()
    error = service_error(lambda: sign_in(session, user, T0 + 30 * MIN))
    assert error.code == "signin_closed"
    assert error.message == "签到已于 19:30 结束。如确实到场，请联系牵头领导更正记录。"
    assert db.session.query(AttendanceRecord).count() == 0


def test_sign_in_at_a_cancelled_session_is_refused(app):
    session, user = make_session(T0), make_user()
    schedule_services.cancel_session(session, "下雨", now=T0 - dt.timedelta(days=1))
    assert service_error(lambda: sign_in(session, user, T0)).code == "session_cancelled"


def test_second_sign_in_says_already_and_changes_nothing(app, db):
    session, user = make_session(T0), make_user()
    first, _ = sign_in(session, user, T0 - 5 * MIN)
    again, already = sign_in(session, user, T0 + 10 * MIN)
    assert already is True
    assert again.id == first.id
    assert (again.status, again.checked_in_at) == ("present", T0 - 5 * MIN)
    assert db.session.query(AttendanceRecord).count() == 1


def test_concurrent_duplicate_insert_is_reported_as_already(app, db):
    session, user = make_session(T0), make_user()

    def another_request_signs_in_first(*_args):
        """Another request's insert, committed on its own connection after this request found
        no record and before it writes its own."""
        with db.engine.begin() as connection:
            connection.execute(
                insert(AttendanceRecord).values(
                    session_id=session.id,
                    user_id=user.id,
                    status="present",
                    late_minutes=0,
                    checked_in_at=T0,
                    method="qr",
                )
            )

    event.listen(db.session(), "before_flush", another_request_signs_in_first, once=True)
    record, already = sign_in(session, user, T0 + 3 * MIN)
    assert (record.status, record.checked_in_at, already) == ("present", T0, True)
    assert db.session.query(AttendanceRecord).count() == 1


def test_token_is_the_same_within_a_slot_and_changes_with_the_next(app):
    session = make_session(T0)
    start = dt.datetime(2026, 11, 23, 18, 50, 0)
    assert signin.make_token(session, start) == signin.make_token(
        session, start + 19 * dt.timedelta(seconds=1)
    )
    assert signin.make_token(session, start) != signin.make_token(
        session, start + 20 * dt.timedelta(seconds=1)
    )


def test_token_is_valid_now_and_expires_after_a_minute(app):
    session, user = make_session(T0), make_user()
    shown = T0 - 10 * MIN
    token = signin.make_token(session, shown)
    signin.read_token(token, session, shown + dt.timedelta(seconds=59))
    error = service_error(
        lambda: signin.check_in(session, user, token, now=shown + dt.timedelta(seconds=61))
    )
    assert (error.code, error.message) == (
        "token_expired",
        "二维码已过期，请扫描现场屏幕上的最新二维码。",
    )


def test_token_of_another_session_is_refused(app, db):
    session, user = make_session(T0), make_user()
    other = make_session(T0, kind="training", title="另一场")
    token = signin.make_token(other, T0)
    error = service_error(lambda: signin.check_in(session, user, token, now=T0))
    assert error.code == "token_wrong_session"
    assert db.session.query(AttendanceRecord).count() == 0


@pytest.mark.parametrize("token", ["", "not-a-token", "eyJzIjoxLCJ0IjoxfQ.forged.sig"])
def test_forged_token_is_refused(app, token):
    session, user = make_session(T0), make_user()
    error = service_error(lambda: signin.check_in(session, user, token, now=T0))
    assert (error.code, error.message) == (
        "token_invalid",
        "二维码无效，请扫描现场屏幕上的二维码。",
    )


def test_token_signed_with_another_key_is_refused(app):
    session, user = make_session(T0), make_user()
    token = signin.make_token(session, T0)
    app.config["SECRET_KEY"] = "another-key"
    assert (
        service_error(lambda: signin.check_in(session, user, token, now=T0)).code == "token_invalid"
    )


def dark_modules(path: str) -> set[tuple[int, int]]:
    """The (x, y) squares an SVG path of horizontal runs paints: "M2 2.5h7m4 0h1m-29 1h1..."."""
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "h":
            dark |= {(int(x) + i, int(y)) for i in range(int(a))}
        x, y = (float(a), float(b)) if op == "M" else (x + float(a), y + float(b or 0))
    return dark


def test_qr_svg_is_an_inline_svg_of_the_url(app):
    url = "http://example.test/checkin/1?t=abc"

    svg = signin.qr_svg(url)

    # a version 3 symbol (29 modules) with a 2-module border, sized by CSS (no width/height)
    match = re.fullmatch(
        r'<svg viewBox="0 0 33 33" class="segno"><path class="qrline" stroke="#000" d="([^"]+)"/>'
        r"</svg>",
        svg,
    )
    assert match is not None, svg[:80]
    qr = segno.make(url, error="m")
    expected = {(x + 2, y + 2) for y, row in enumerate(qr.matrix) for x, v in enumerate(row) if v}
    assert (qr.version, dark_modules(match.group(1))) == (3, expected)
