"""Token authentication and the accounts API."""

from __future__ import annotations

from lecturehub.auth.models import ApiToken, User
from lecturehub.core.timeutil import now
from tests.conftest import Auth, csrf_token
from tests.factories import bearer, make_token, make_user


def test_token_authenticates_api_requests(client):
    user = make_user("zhangsan", "张三")
    response = client.get("/api/v1/me", headers=bearer(make_token(user)))
    assert response.status_code == 200
    assert response.get_json()["name"] == "张三"


def test_token_is_stored_hashed_and_use_is_recorded(client, db):
    user = make_user("zhangsan")
    plain = make_token(user)
    stored = db.session.query(ApiToken).one()
    assert plain not in stored.token_hash and stored.last_used_at is None
    before = now().replace(microsecond=0)
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200
    after = now()
    db.session.expire_all()
    last_used_at = db.session.query(ApiToken).one().last_used_at
    assert before <= last_used_at <= after


def test_bad_token_is_a_json_401(client):
    response = client.get("/api/v1/me", headers=bearer("lh_not-a-real-token"))
    assert response.status_code == 401
    assert response.get_json() == {"error": {"code": "invalid_token", "message": "API 令牌无效。"}}


def test_revoked_token_is_refused(client, auth):
    user = make_user("zhangsan")
    plain = make_token(user)
    token_id = ApiToken.query.one().id
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(plain)).status_code == 200
    response = client.get("/api/v1/me", headers=bearer(plain))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "API 令牌已撤销。"


def test_token_of_a_deactivated_user_is_refused(client):
    user = make_user("zhangsan")
    plain = make_token(user)
    from lecturehub.auth import services

    services.set_active(user, False)
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401


def test_token_does_not_sign_in_html_pages(client):
    user = make_user("zhangsan")
    response = client.get("/", headers=bearer(make_token(user)))
    assert response.status_code == 302


def test_session_api_write_needs_the_csrf_header(client, auth, db):
    make_user("boss", roles=["admin"])
    auth.login("boss")
    body = {"login": "lisi", "name": "李四"}
    refused = client.post("/api/v1/users", json=body)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    assert User.query.filter_by(login="lisi").count() == 0
    accepted = client.post("/api/v1/users", json=body, headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.status_code == 201


def test_admin_creates_user_by_api_and_duplicate_is_409(app, client, db):
    admin = make_user("boss", roles=["admin"])
    headers = bearer(make_token(admin))
    body = {"login": "lisi", "name": "李四", "roles": ["leader"], "department": "文化站"}
    created = client.post("/api/v1/users", json=body, headers=headers)
    assert created.status_code == 201
    user = created.get_json()
    password = user.pop("initial_password")
    assert user == {
        "active": True,
        "department": "文化站",
        "email": "",
        "id": User.query.filter_by(login="lisi").one().id,
        "login": "lisi",
        "name": "李四",
        "roles": ["leader", "member"],
        "title": "",
    }
    # the initial password signs the new user in (and sends them to change it)
    assert Auth(app.test_client()).login("lisi", password).headers["Location"] == "/profile"
    again = client.post("/api/v1/users", json=body, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"] == {
        "code": "duplicate_login",
        "message": "登录名“lisi”已被使用。",
    }
    assert User.query.filter_by(login="lisi").count() == 1


def test_api_rejects_unknown_role_and_non_json(client):
    admin = make_user("boss", roles=["admin"])
    headers = bearer(make_token(admin))
    bad_role = client.post(
        "/api/v1/users", json={"login": "x1", "name": "某", "roles": ["king"]}, headers=headers
    )
    assert bad_role.status_code == 422
    assert bad_role.get_json()["error"] == {
        "code": "bad_role",
        "message": "未知角色：king（可选：admin、leader、inspector、organiser、member）。",
    }
    not_json = client.post("/api/v1/users", data="login=x", headers=headers)
    assert not_json.status_code == 400
    assert not_json.get_json()["error"]["code"] == "bad_json"
    assert User.query.filter(User.login.in_(["x1", "x"])).count() == 0


def test_profile_creates_a_token_shown_once(client, auth, db):
    make_user("zhangsan")
    auth.login("zhangsan")
    page = auth.post("/profile/tokens", {"name": "手机"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "只显示这一次" in page
    token = db.session.query(ApiToken).one()
    assert token.name == "手机"
    again = client.get("/profile").get_data(as_text=True)
    assert 'data-testid="new-token"' not in again
