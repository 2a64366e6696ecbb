"""Sign-in, sign-out, throttling, passwords."""

from __future__ import annotations

import re

from lecturehub.auth.models import LoginAttempt, User
from tests.conftest import csrf_token
from tests.factories import make_user


def test_login_with_right_password_shows_home(client, auth):
    make_user("zhangsan", "张三")
    response = auth.login("zhangsan", follow=True)
    assert response.status_code == 200
    assert "张三，您好" in response.get_data(as_text=True)


def test_login_is_case_insensitive_on_login_name(client, auth):
    make_user("ZhangSan", "张三")
    assert auth.login("zhangsan").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, auth):
    make_user("zhangsan")
    response = auth.login("zhangsan", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message(client, auth):
    response = auth.login("nobody", "whatever123")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_inactive_user_is_refused(client, auth):
    make_user("gone", active=False)
    response = auth.login("gone")
    assert response.status_code == 401
    assert "该账号已停用" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused_and_changes_nothing(client, db):
    make_user("zhangsan")
    response = client.post("/login", data={"login": "zhangsan", "password": "password123"})
    assert response.status_code == 400
    assert "请刷新页面后重试" in response.get_data(as_text=True)
    assert db.session.query(LoginAttempt).count() == 0
    assert client.get("/").status_code == 302


def test_login_with_forged_csrf_token_is_refused(client):
    make_user("zhangsan")
    csrf_token(client)
    response = client.post(
        "/login", data={"login": "zhangsan", "password": "password123", "csrf_token": "forged"}
    )
    assert client.get("/").status_code == 302
    assert response.status_code == 400


def test_account_locks_after_repeated_failures(app, client, auth):
    make_user("zhangsan")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login("zhangsan", "bad-password").status_code == 401
    response = auth.login("zhangsan")  # even the right password is refused while locked
    assert response.status_code == 429
    assert "已锁定" in response.get_data(as_text=True)


def test_logout_requires_post_with_csrf(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", data={}).status_code == 400  # no token: stays signed in
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_remember_me_sets_a_cookie(client):
    make_user("zhangsan")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"login": "zhangsan", "password": "password123", "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_change_password_needs_the_old_one(client, auth, db):
    user = make_user("zhangsan")
    auth.login("zhangsan")
    response = auth.post(
        "/profile", {"old": "nope-nope", "new": "newpassword1", "confirm": "newpassword1"}
    )
    assert response.status_code == 200  # the form again, with the message
    assert "原密码不正确" in response.get_data(as_text=True)
    auth.post("/profile", {"old": "password123", "new": "newpassword1", "confirm": "newpassword1"})
    auth.logout()
    assert auth.login("zhangsan", "newpassword1").status_code == 302
    assert db.session.get(User, user.id).must_change_password is False


def test_open_redirect_after_login_is_ignored(client):
    make_user("zhangsan")
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"login": "zhangsan", "password": "password123", "csrf_token": token},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/")


def test_passwords_are_stored_hashed(db):
    user = make_user("zhangsan", password="password123")
    assert "password123" not in user.password_hash
    # werkzeug's scrypt (N=2^15, r=8, p=1) with a 16-character salt
    assert re.fullmatch(r"scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}", user.password_hash)


def test_profile_page_shows_the_personal_calendar_url(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    response = client.get("/profile")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="feed-url"' in page and "/calendar/" in page
