"""Login sessions end server-side: logout, a password change and deactivation refuse every copy
of the old cookies, on pages and on the API, the day after as well as at once."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

from lecturehub.auth import services, sessions
from lecturehub.auth.models import LoginSession
from lecturehub.core.timeutil import now
from tests.conftest import PASSWORD, Auth, csrf_token
from tests.factories import bearer, make_token, make_user
from tests.processes import Browser, serving

COOKIES = ("session", "remember_token")
UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "请先登录，或提供有效的 API 令牌。"}}


def _copy(client, names=COOKIES) -> dict[str, str]:
    """What someone who copied the browser's cookies holds."""
    return {name: client.get_cookie(name).value for name in names if client.get_cookie(name)}


def _replay(app, cookies: dict[str, str]):
    """A fresh browser carrying copied cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    page, me = client.get("/"), client.get("/api/v1/me")
    assert (page.status_code == 200) == (me.status_code == 200), (page.status_code, me.status_code)
    if me.status_code != 200:
        assert (me.status_code, me.get_json()) == (401, UNAUTHORIZED)
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    return me.status_code == 200


def _login(client, login: str, remember: bool = False, password: str = PASSWORD):
    data = {"login": login, "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def test_a_copied_session_cookie_is_refused_after_logout(app, client, auth):
    make_user("zhangsan")
    _login(client, "zhangsan")
    copied = _copy(client)
    assert list(copied) == ["session"] and _signed_in(_replay(app, copied))
    auth.logout()
    assert _signed_in(client) is False
    assert _signed_in(_replay(app, copied)) is False


def test_a_copied_remember_me_cookie_is_refused_after_logout(app, client, auth):
    make_user("zhangsan")
    _login(client, "zhangsan", remember=True)
    remember = _copy(client, ["remember_token"])
    assert _signed_in(_replay(app, remember))  # the browser closed and opened again
    auth.logout()
    assert _signed_in(_replay(app, remember)) is False


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, db):
    make_user("zhangsan")
    phone, laptop = app.test_client(), app.test_client()
    _login(phone, "zhangsan", remember=True)
    _login(laptop, "zhangsan", remember=True)
    phone_cookies, laptop_before = _copy(phone), _copy(laptop)
    response = Auth(laptop).post(
        "/profile", {"old": PASSWORD, "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert response.status_code == 302
    assert _signed_in(laptop)  # signed in again, with a new session and remember-me cookie
    assert _copy(laptop)["remember_token"] != laptop_before["remember_token"]
    assert _signed_in(_replay(app, _copy(laptop, ["remember_token"])))
    assert _signed_in(_replay(app, phone_cookies)) is False
    assert _signed_in(_replay(app, {"remember_token": phone_cookies["remember_token"]})) is False
    assert _signed_in(_replay(app, laptop_before)) is False
    assert _signed_in(_replay(app, {"remember_token": laptop_before["remember_token"]})) is False


def test_a_second_server_process_refuses_a_session_ended_in_the_first(app, client, auth):
    """The day after, with two processes: the session lives in the database, not in one."""
    make_user("zhangsan")
    _login(client, "zhangsan", remember=True)
    env = {
        **os.environ,
        "LECTUREHUB_STORAGE_DIR": app.config["STORAGE_DIR"],
        "LECTUREHUB_SECRET_KEY": app.config["SECRET_KEY"],
    }
    with serving([sys.executable, "-m", "lecturehub.cli"], app.config["STORAGE_DIR"], env) as url:
        elsewhere = Browser(url, _copy(client))
        remembered = Browser(url, _copy(client, ["remember_token"]))
        assert elsewhere.get("/api/v1/me").status == 200
        assert remembered.get("/").status == 200
        auth.logout()  # in this process
        refused = elsewhere.get("/api/v1/me")
        assert (refused.status, json.loads(refused.text)) == (401, UNAUTHORIZED)
        assert remembered.get("/api/v1/me").status == 401
        assert elsewhere.get("/").header("Location").startswith("/login")


def test_deactivation_ends_the_sessions_for_good(app, client):
    user = make_user("zhangsan")
    _login(client, "zhangsan", remember=True)
    copied = _copy(client)
    services.set_active(user, False)
    assert _signed_in(client) is False
    services.set_active(user, True)  # re-enabled: the old sessions stay ended
    assert _signed_in(_replay(app, copied)) is False
    assert _signed_in(_replay(app, {"remember_token": copied["remember_token"]})) is False


def test_an_admin_password_reset_ends_the_sessions(app, client):
    user = make_user("zhangsan")
    _login(client, "zhangsan")
    services.reset_password(user)
    assert _signed_in(client) is False


def test_a_session_lasts_remember_cookie_days_server_side(app, client, db):
    make_user("zhangsan")
    _login(client, "zhangsan", remember=True)
    row = db.session.query(LoginSession).one()
    assert row.expires_at - row.created_at == dt.timedelta(days=30)
    token = _token_of(client)
    assert sessions.resolve(token, at=now() + dt.timedelta(days=29)) is not None
    assert sessions.resolve(token, at=now() + dt.timedelta(days=30, seconds=1)) is None


def test_remember_me_honours_remember_cookie_days(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path / "storage", REMEMBER_COOKIE_DAYS=7)
    with app.app_context():
        make_user("zhangsan")
        client = app.test_client()
        _login(client, "zhangsan", remember=True)
        row = services.db.session.query(LoginSession).one()
        assert row.expires_at - row.created_at == dt.timedelta(days=7)
        cookie = client.get_cookie("remember_token")
        lasts = cookie.expires - dt.datetime.now(dt.UTC)
        assert round(lasts / dt.timedelta(days=1)) == 7
        assert (cookie.http_only, cookie.same_site, cookie.secure) == (True, "Lax", False)
        services.db.session.remove()
        services.db.engine.dispose()


def test_a_forced_password_change_blocks_the_api_for_that_session(app, client, auth):
    user, password = _user_with_generated_password()
    token = make_token(user)
    _login(client, "newcomer", password=password)
    blocked = client.get("/api/v1/me")
    assert (blocked.status_code, blocked.get_json()) == (
        403,
        {
            "error": {
                "code": "password_change_required",
                "message": "请先在个人设置中修改初始密码。",
            }
        },
    )
    assert client.get("/").status_code == 302  # pages lead to the profile
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    auth.post("/profile", {"old": password, "new": "chosen-password", "confirm": "chosen-password"})
    assert client.get("/api/v1/me").status_code == 200


def test_a_new_api_token_is_shown_once_and_never_kept_in_the_cookie(app, client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    response = auth.post("/profile/tokens", {"name": "手机"})
    page = response.get_data(as_text=True)
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")
    start = page.index('data-testid="new-token">') + len('data-testid="new-token">')
    plain = page[start : page.index("</code>", start)]
    assert plain.startswith("lh_") and len(plain) == 46
    serializer = app.session_interface.get_signing_serializer(app)
    stored = serializer.loads(client.get_cookie("session").value)
    assert plain not in repr(stored)
    assert plain not in " ".join(response.headers.getlist("Set-Cookie"))
    assert plain not in client.get("/profile").get_data(as_text=True)  # shown once
    me = app.test_client().get("/api/v1/me", headers=bearer(plain))
    assert (me.status_code, me.get_json()["login"]) == (200, "zhangsan")


def test_the_cookies_never_carry_the_user_id_alone(app, client):
    """The cookies name a login session; a cookie forged from a user id signs in nobody."""
    user = make_user("zhangsan")
    _login(client, "zhangsan")
    serializer = app.session_interface.get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True})
    assert _signed_in(_replay(app, {"session": forged})) is False
    fallback = serializer.dumps({"_user_id": f"user-{user.id}"})  # User.get_id() without a session
    assert _signed_in(_replay(app, {"session": fallback})) is False


def _token_of(client) -> str:
    serializer = client.application.session_interface.get_signing_serializer(client.application)
    return serializer.loads(client.get_cookie("session").value)["_user_id"]


def _user_with_generated_password():
    department = services.department_by_name("党政办")
    return services.create_user("newcomer", services.UserDetails("新来的", (), department))


def test_the_daily_cleanup_forgets_old_sign_ins_once_a_day(app, client, db):
    from lecturehub.auth.models import LoginAttempt
    from lecturehub.core import jobs

    make_user("zhangsan")
    form = {"login": "zhangsan", "password": "wrong-one", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).status_code == 401
    _login(client, "zhangsan")
    assert (db.session.query(LoginAttempt).count(), db.session.query(LoginSession).count()) == (
        2,
        1,
    )
    later = now() + dt.timedelta(days=91)
    first = jobs.tick(app, "test-worker", at=later)
    again = jobs.tick(app, "test-worker", at=later + dt.timedelta(hours=1))
    assert (first.done, again.done) == (1, 0)  # one clean-up job a day
    assert (db.session.query(LoginAttempt).count(), db.session.query(LoginSession).count()) == (
        0,
        0,
    )
