"""Users' e-mail addresses: the admin form, the roster column, ``POST /api/v1/users``. A bad
address is refused with a clear message and leaves nothing behind."""

from __future__ import annotations

import io

from lecturehub.auth.models import User
from tests.factories import bearer, make_token, make_user


def test_post_users_accepts_an_email_and_refuses_a_bad_one(app, client):
    headers = bearer(make_token(make_user("boss", roles=["admin"])))
    created = client.post(
        "/api/v1/users",
        json={"login": "lisi", "name": "李四", "email": "lisi@example.cn"},
        headers=headers,
    )
    assert (created.status_code, created.get_json()["email"]) == (201, "lisi@example.cn")
    bad = client.post(
        "/api/v1/users", json={"login": "wangwu", "name": "王五", "email": "王五"}, headers=headers
    )
    assert (bad.status_code, bad.get_json()) == (
        422,
        {
            "error": {
                "code": "bad_email",
                "message": "电子邮箱地址“王五”格式不正确，请检查（如 wangming@example.com）。",
            }
        },
    )
    wrong_type = client.post(
        "/api/v1/users", json={"login": "wangwu", "name": "王五", "email": 5}, headers=headers
    )
    assert (wrong_type.status_code, wrong_type.get_json()["error"]["code"]) == (400, "bad_email")
    assert User.query.filter_by(login="wangwu").count() == 0


def test_the_admin_form_sets_the_address_and_a_bad_one_changes_nothing(app, db, client, auth):
    make_user("boss", roles=["admin"])
    user = make_user("lisi", "李四")
    auth.login("boss")
    form = {
        "login": "lisi",
        "name": "李四（改）",
        "department": 0,
        "title": "",
        "active": "y",
        "email": "not-an-address",
    }
    refused = auth.post(f"/admin/users/{user.id}", form)
    assert refused.status_code == 422
    assert "电子邮箱地址“not-an-address”格式不正确" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (user.name, user.email) == ("李四", "")
    saved = auth.post(f"/admin/users/{user.id}", {**form, "email": "lisi@example.cn"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (user.name, user.email) == ("李四（改）", "lisi@example.cn")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="lisi@example.cn"' in page
    new = auth.post(
        "/admin/users/new",
        {"login": "wangwu", "name": "王五", "department": 0, "title": "", "email": "x@"},
    )
    assert new.status_code == 422
    assert User.query.filter_by(login="wangwu").count() == 0


def test_the_roster_has_an_email_column(app, client, auth):
    make_user("boss", roles=["admin"])
    auth.login("boss")
    data = "登录名,姓名,邮箱\nwangwu,王五,wangwu@example.cn\nzhaoliu,赵六,赵六@\nsunba,孙八,\n"
    response = auth.post(
        "/admin/users/import",
        {"file": (io.BytesIO(data.encode("utf-8")), "r.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "成功 2 行，失败 1 行" in page
    assert "电子邮箱地址“赵六@”格式不正确" in page
    emails = {u.login: u.email for u in User.query}
    assert emails == {"boss": "", "wangwu": "wangwu@example.cn", "sunba": ""}
