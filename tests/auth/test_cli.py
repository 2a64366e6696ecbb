"""The CLI forms deployment scripts rely on."""

from __future__ import annotations

import re

from lecturehub.auth.models import ApiToken, User
from tests.factories import bearer


def test_user_add_creates_a_user_with_roles(runner, db):
    result = runner.invoke(
        args=[
            "user",
            "add",
            "lisi",
            "--name",
            "李四",
            "--role",
            "leader",
            "--role",
            "inspector",
            "--department",
            "督查办",
            "--password",
            "secret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    user = User.query.filter_by(login="lisi").one()
    assert (user.roles, user.department.name) == (["inspector", "leader", "member"], "督查办")


def test_user_add_refuses_duplicates_and_unknown_roles(runner, db):
    runner.invoke(args=["user", "add", "lisi", "--name", "李四"])
    dup = runner.invoke(args=["user", "add", "lisi", "--name", "李四"])
    assert (dup.exit_code, dup.output) == (2, "登录名“lisi”已被使用。\n")
    bad = runner.invoke(args=["user", "add", "wangwu", "--name", "王五", "--role", "king"])
    assert (bad.exit_code, bad.output) == (
        2,
        "未知角色：king（可选：admin、leader、inspector、organiser、member）。\n",
    )
    assert User.query.count() == 1


def test_token_create_prints_only_the_token(runner, client, db):
    runner.invoke(args=["user", "add", "lisi", "--name", "李四", "--password", "secret-pass"])
    result = runner.invoke(args=["token", "create", "lisi"])
    assert result.exit_code == 0
    assert re.fullmatch(r"lh_[A-Za-z0-9_-]{43}\n", result.output)  # the token, one line
    token = result.output.strip()
    assert ApiToken.query.count() == 1
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["login"] == "lisi"


def test_token_create_for_unknown_user_fails(runner, db):
    result = runner.invoke(args=["token", "create", "ghost"])
    assert (result.exit_code, result.output) == (2, "用户“ghost”不存在。\n")


def test_user_import_and_list(runner, db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "登录名,姓名,部门,角色\nwangwu,王五,文化站,牵头领导\n,坏行,,\n", encoding="utf-8"
    )
    result = runner.invoke(args=["user", "import", str(roster)])
    assert result.exit_code == 1  # one bad row
    first, *others = result.output.splitlines()
    assert re.fullmatch(r"第 2 行\twangwu\t成功\t已导入  初始密码：[A-Za-z0-9_-]{12}", first)
    assert others == ["第 3 行\t\t失败\t登录名和姓名不能为空。", "成功 1 行，失败 1 行。"]
    listing = runner.invoke(args=["user", "list"]).output
    assert listing == "wangwu\t王五\t文化站\tleader,member\n"
