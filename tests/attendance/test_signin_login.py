"""Sign-in survives login: a QR code valid when a signed-out phone scanned it stays valid for
that browser for 10 minutes while the person logs in (a server-side grant, the server's clock),
and "记住我" is ticked on that path."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from lecturehub.attendance import signin
from lecturehub.attendance.models import AttendanceRecord, CheckinGrant
from tests.conftest import PASSWORD, csrf_token, service_error
from tests.factories import make_user
from tests.factories.attendance import make_session, open_session

T = dt.datetime(2026, 11, 23, 18, 55)  # five minutes before a 19:00 talk


def test_the_grant_outlives_the_qr_code_and_records_the_moment_of_the_scan(app, db):
    session = make_session(dt.datetime(2026, 11, 23, 19, 0))
    user = make_user("zhang")
    token = signin.make_token(session, T)
    grant = signin.grant_for_token(session, token, now=T)
    after_login = T + dt.timedelta(seconds=90)
    expired = service_error(lambda: signin.check_in(session, user, token, now=after_login))
    assert expired.code == "token_expired"  # what the cadre used to see
    record, already = signin.check_in_with_grant(session, user, grant, now=after_login)
    assert (record.status, record.checked_in_at, already) == ("present", T, False)
    again = signin.check_in_with_grant(session, user, grant, now=after_login)
    assert again == (record, True)


def test_the_grant_lasts_ten_minutes_serves_one_person_and_one_session(app, db):
    session = make_session(dt.datetime(2026, 11, 23, 19, 0))
    other_session = make_session(dt.datetime(2026, 11, 25, 19, 0))
    first, second = make_user("first"), make_user("second")
    grant = signin.grant_for_token(session, signin.make_token(session, T), now=T)
    late = service_error(
        lambda: signin.check_in_with_grant(session, first, grant, now=T + dt.timedelta(minutes=10))
    )
    assert (late.code, late.message) == (
        "grant_expired",
        "扫码后超过 10 分钟未完成登录，请重新扫描现场屏幕上的二维码。",
    )
    wrong = service_error(lambda: signin.check_in_with_grant(other_session, first, grant, now=T))
    assert wrong.code == "grant_invalid"
    signin.check_in_with_grant(session, first, grant, now=T + dt.timedelta(minutes=9))
    taken = service_error(lambda: signin.check_in_with_grant(session, second, grant, now=T))
    assert taken.code == "grant_used"
    assert db.session.query(AttendanceRecord).count() == 1
    stored = db.session.query(CheckinGrant).one()
    assert grant not in (stored.token_hash,)  # only its hash is kept


def test_no_grant_for_a_code_that_is_already_invalid(app, db):
    session = make_session(dt.datetime(2026, 11, 23, 19, 0))
    token = signin.make_token(session, T)
    error = service_error(
        lambda: signin.grant_for_token(session, token, now=T + dt.timedelta(minutes=5))
    )
    assert error.code == "token_expired"
    assert db.session.query(CheckinGrant).count() == 0


def test_scan_signed_out_log_in_and_be_signed_in(app, client, db):
    make_user("zhang")
    session = open_session()
    scan = client.get(f"/checkin/{session.id}?t={signin.make_token(session)}")
    assert scan.status_code == 302
    login_url = scan.headers["Location"]
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    assert next_url.startswith(f"/checkin/{session.id}?g=") and "t=" not in next_url
    login_page = client.get(login_url).get_data(as_text=True)
    assert '<input checked id="remember" name="remember"' in login_page
    logged_in = client.post(
        login_url,
        data={
            "login": "zhang",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_token(client),
        },
    )
    assert logged_in.headers["Location"] == next_url
    page = client.get(next_url).get_data(as_text=True)
    grant = parse_qs(urlsplit(next_url).query)["g"][0]
    assert f'data-grant="{grant}"' in page
    response = client.post(
        f"/api/v1/sessions/{session.id}/checkin",
        json={"grant": grant},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert response.status_code == 201
    assert db.session.query(AttendanceRecord).one().user.login == "zhang"


def test_the_grant_works_without_javascript_too(app, client, auth, db):
    make_user("zhang")
    session = open_session()
    grant = signin.grant_for_token(session, signin.make_token(session))
    auth.login("zhang")
    response = auth.post(f"/checkin/{session.id}", {"g": grant})
    assert response.status_code == 200 and "签到成功" in response.get_data(as_text=True)


def test_the_ordinary_login_page_does_not_tick_remember(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<input id="remember" name="remember"' in page
