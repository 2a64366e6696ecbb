"""The account lock and the per-address slow-down: neither can be turned against a real user."""

from __future__ import annotations

import pytest

from lecturehub.auth import services
from lecturehub.auth.models import LoginAttempt
from lecturehub.config import ConfigError
from tests.conftest import csrf_token, make_app
from tests.factories import PASSWORD, make_user

LOCKED = "该账号连续登录失败次数过多，已锁定 15 分钟，请稍后再试或联系党政办重置密码。"


def _flash(response) -> str:
    page, marker = response.get_data(as_text=True), 'class="flash flash-danger" role="alert">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("</div>", start)]


def test_made_up_names_from_one_address_never_lock_out_a_real_user(app, client, auth):
    make_user("zhangsan", "张三")
    for n in range(40):  # more than LOGIN_MAX_FAILURES_PER_IP (30) from 127.0.0.1
        auth.login(f"nobody{n}", "guess-guess")
    response = auth.login("zhangsan", follow=True)
    assert response.status_code == 200
    assert "张三，您好" in response.get_data(as_text=True)


def test_past_the_address_limit_failures_are_slowed_with_retry_after(app, client, auth):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    make_user("zhangsan")
    statuses = [auth.login(f"nobody{n}", "guess-guess").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    slowed = auth.login("nobody9", "guess-guess")
    assert (slowed.status_code, slowed.headers["Retry-After"]) == (429, "900")
    assert _flash(slowed) == "用户名或密码不正确。此地址登录失败次数过多，请稍后再试。"
    wrong = auth.login("zhangsan", "not-his-password")  # a real name is answered alike
    assert (wrong.status_code, _flash(wrong)) == (429, _flash(slowed))
    assert auth.login("zhangsan").status_code == 302  # the right password still signs in


def test_the_account_lock_stays_and_holds_from_every_address(app, db):
    make_user("zhangsan")
    first, second = app.test_client(), app.test_client()
    second.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _post_login(first, "zhangsan", "bad-password")
        assert response.status_code == 401
    locked = _post_login(second, "zhangsan", PASSWORD)  # the right password, elsewhere
    assert (locked.status_code, locked.headers["Retry-After"]) == (429, "900")
    assert _flash(locked) == LOCKED
    assert second.get("/").status_code == 302


def test_an_unknown_name_is_answered_like_a_locked_account(app, client, auth):
    """After as many failures, a made-up name gets the lock's answer: the answers do not tell
    which names are accounts."""
    make_user("zhangsan")
    for login in ("zhangsan", "nobody"):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            assert auth.login(login, "bad-password").status_code == 401
    real, made_up = auth.login("zhangsan", "bad-password"), auth.login("nobody", "bad-password")
    assert (real.status_code, _flash(real)) == (made_up.status_code, _flash(made_up))
    assert (made_up.status_code, _flash(made_up)) == (429, LOCKED)


def test_failures_before_an_account_existed_never_count_towards_it(app, client, auth, db):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        auth.login("wangwu", "guess-guess")
    make_user("wangwu", "王五")
    assert auth.login("wangwu").status_code == 302
    counted = db.session.query(LoginAttempt).filter_by(login="wangwu", success=False)
    assert [a.user_id for a in counted] == [None] * app.config["LOGIN_MAX_FAILURES"]


def test_a_successful_sign_in_clears_the_account_failures(app, client, auth):
    make_user("zhangsan")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login("zhangsan", "bad-password")
    assert auth.login("zhangsan").status_code == 302
    auth.logout()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        auth.login("zhangsan", "bad-password")
    assert auth.login("zhangsan").status_code == 302


def test_the_lock_holds_in_another_app_on_the_same_database(app):
    """Counts live in the database, not in a process: another app on the same data sees them."""
    make_user("zhangsan")
    first = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _post_login(first, "zhangsan", "bad-password")
    other = make_app(app.config["STORAGE_DIR"], SECRET_KEY=app.config["SECRET_KEY"])
    with other.app_context():
        response = _post_login(other.test_client(), "zhangsan", PASSWORD)
        services.db.session.remove()
    assert response.status_code == 429


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, client, db):
    """Otherwise a guesser would pick a new address for every try."""
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    statuses = [
        _post_login(client, f"nobody{n}", "guess", forwarded=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert {a.address for a in db.session.query(LoginAttempt)} == {"127.0.0.1"}


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(tmp_path):
    """A reverse proxy in front (LECTUREHUB_TRUSTED_PROXIES=1): the address limit slows the
    guesser at 10.0.0.7, not the cadre at 10.0.0.8 behind the same proxy."""
    app = make_app(tmp_path / "proxied", TRUSTED_PROXIES=1, LOGIN_MAX_FAILURES_PER_IP=3)
    with app.app_context():
        make_user("zhangsan")
        proxy = app.test_client()
        guesses = [
            _post_login(proxy, f"nobody{n}", "guess", forwarded="10.0.0.7").status_code
            for n in range(4)
        ]
        other = _post_login(proxy, "zhangsan", "bad-password", forwarded="10.0.0.8")
        addresses = {a.address for a in services.db.session.query(LoginAttempt)}
        services.db.session.remove()
    assert (guesses, other.status_code) == ([401, 401, 401, 429], 401)
    assert addresses == {"10.0.0.7", "10.0.0.8"}


def test_trusted_proxies_must_be_a_small_count(tmp_path):
    with pytest.raises(ConfigError, match="LECTUREHUB_TRUSTED_PROXIES must be how many"):
        make_app(tmp_path / "bad", TRUSTED_PROXIES="yes")


def _post_login(client, login: str, password: str, forwarded: str | None = None):
    data = {"login": login, "password": password, "csrf_token": csrf_token(client)}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data=data, headers=headers)
