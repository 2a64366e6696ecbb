"""User administration: create, edit, deactivate, reset, roster import, departments."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lecturehub.auth.models import Department, User
from tests.factories import make_user


def _admin(auth):
    make_user("boss", "孔锐", roles=["admin"])
    auth.login("boss")


def test_admin_creates_user_with_generated_password(client, auth, db):
    _admin(auth)
    dept = Department.query.filter_by(name="文化站").one()
    response = auth.post(
        "/admin/users/new",
        {
            "login": "lisi",
            "name": "李四",
            "department": dept.id,
            "roles": ["leader"],
            "title": "站长",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "初始密码" in response.get_data(as_text=True)
    user = User.query.filter_by(login="lisi").one()
    assert (user.name, user.department.name, user.roles, user.must_change_password) == (
        "李四",
        "文化站",
        ["leader", "member"],
        True,
    )


def test_duplicate_login_is_refused_and_changes_nothing(client, auth, db):
    _admin(auth)
    make_user("lisi", "李四")
    response = auth.post(
        "/admin/users/new", {"login": "lisi", "name": "另一个李四", "department": 0}
    )
    assert response.status_code == 422
    assert "已被使用" in response.get_data(as_text=True)
    assert [u.name for u in User.query.filter_by(login="lisi")] == ["李四"]


def test_admin_cannot_lock_themself_out(client, auth, db):
    _admin(auth)
    boss = User.query.filter_by(login="boss").one()
    response = auth.post(
        f"/admin/users/{boss.id}", {"name": "孔锐", "department": 0, "roles": [], "active": "y"}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert "admin" in db.session.get(User, boss.id).roles


def test_deactivate_and_reset_password(client, auth, db):
    _admin(auth)
    user = make_user("lisi")
    auth.post(f"/admin/users/{user.id}/active")
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    page = auth.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True).get_data(
        as_text=True
    )
    assert "新密码" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password is True


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_roster_import_reports_each_bad_row(client, auth, db):
    _admin(auth)
    make_user("taken", "已有")
    data = _xlsx(
        [
            ["登录名", "姓名", "部门", "角色", "职务"],
            ["wangwu", "王五", "文化站", "牵头领导", "站长"],
            ["", "无名", "文化站", "", ""],
            ["taken", "重复", "党政办", "", ""],
            ["zhaoliu", "赵六", "不存在的部门", "", ""],
            ["qianqi", "钱七", "党政办", "国王", ""],
            ["sunba", "孙八", "", "", ""],
        ]
    )
    response = auth.post(
        "/admin/users/import",
        {"file": (io.BytesIO(data), "花名册.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "成功 2 行，失败 4 行" in page
    assert (
        "登录名和姓名不能为空" in page
        and "已被使用" in page
        and "不存在的部门" in page
        and "未知角色" in page
    )
    assert sorted(u.login for u in User.query) == ["boss", "sunba", "taken", "wangwu"]
    assert User.query.filter_by(login="wangwu").one().roles == ["leader", "member"]


def test_roster_dry_run_changes_nothing(client, auth, db):
    _admin(auth)
    data = "登录名,姓名,部门\nwangwu,王五,文化站\n".encode("gb18030")
    response = auth.post(
        "/admin/users/import",
        {"file": (io.BytesIO(data), "r.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "预检完成：成功 1 行" in response.get_data(as_text=True)
    assert User.query.filter_by(login="wangwu").count() == 0


def test_roster_without_required_columns_is_refused(client, auth, db):
    _admin(auth)
    data = "名字,部门\n王五,文化站\n".encode()
    response = auth.post(
        "/admin/users/import",
        {"file": (io.BytesIO(data), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "表头需要包含" in response.get_data(as_text=True)
    assert User.query.count() == 1


def test_departments_are_seeded_and_editable(client, auth, db):
    _admin(auth)
    names = [d.name for d in Department.query]
    assert {"党政办", "文化站", "组织办", "督查办", "纪委"} <= set(names)
    dept = Department.query.filter_by(name="纪委").one()
    auth.post(
        f"/admin/departments/{dept.id}", {"name": "纪检监察室", "kind": "department", "active": "y"}
    )
    db.session.expire_all()
    assert db.session.get(Department, dept.id).name == "纪检监察室"
    clash = auth.post("/admin/departments", {"name": "党政办", "kind": "department", "active": "y"})
    assert clash.status_code == 200  # the form again, with the message
    assert "已存在" in clash.get_data(as_text=True)


def test_a_password_reset_signs_out_the_users_old_sessions(app, db):
    from tests.conftest import Auth

    make_user("boss", roles=["admin"])
    user = make_user("lisi")
    victim = app.test_client()
    Auth(victim).login("lisi")
    assert victim.get("/").status_code == 200
    admin = app.test_client()
    Auth(admin).login("boss")
    Auth(admin).post(f"/admin/users/{user.id}/reset-password")
    assert victim.get("/").status_code == 302  # the old session no longer works


def test_a_reset_password_must_be_changed_before_anything_else(client, auth, db):
    from lecturehub.auth import services

    user = make_user("lisi")
    temporary = services.reset_password(user)
    auth.login("lisi", temporary)
    response = client.get("/schedule")
    assert (response.status_code, response.headers["Location"]) == (302, "/profile")
    auth.post(
        "/profile", {"old": temporary, "new": "my-new-password", "confirm": "my-new-password"}
    )
    assert client.get("/schedule").status_code == 200  # still signed in, now free to go
