"""``lecturehub user …`` and ``lecturehub token create``: thin wrappers over services."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lecturehub.auth import login as login_service
from lecturehub.auth import roster, services
from lecturehub.core.errors import ServiceError


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("add")
@click.argument("login")
@click.option("--name", required=True, help="Display name (Chinese).")
@click.option("--role", "roles", multiple=True, help="admin, leader, inspector, organiser, member.")
@click.option("--department", help="Department name, e.g. 党政办.")
@click.option("--password", help="Password (default: generated and printed once).")
@click.option("--title", default="", help="Post, e.g. 副乡长.")
@with_appcontext
def add_user(login, name, roles, department, password, title) -> None:
    """Create a user."""
    dept = services.department_by_name(department)
    if department and dept is None:
        _fail(f"部门“{department}”不存在。")
    try:
        user, generated = services.create_user(
            login, services.UserDetails(name, roles, dept, title), password
        )
    except ServiceError as exc:
        _fail(exc.message)
    click.echo(f"已创建用户 {user.login}（{user.name}），角色：{', '.join(user.roles)}")
    if generated:
        click.echo(f"初始密码：{generated}")


@user_group.command("list")
@click.option("--role", help="Only users with this role.")
@with_appcontext
def list_users(role) -> None:
    """List users."""
    for user in services.list_users(role=role):
        department = user.department.name if user.department else "-"
        state = "" if user.active else "（停用）"
        click.echo(f"{user.login}\t{user.name}\t{department}\t{','.join(user.roles)}{state}")


@user_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file without importing.")
@with_appcontext
def import_users(path: Path, dry_run: bool) -> None:
    """Import users from a roster (.xlsx or .csv): 登录名, 姓名, 部门, 角色, 职务, 密码."""
    try:
        report = roster.import_roster(path.read_bytes(), path.name, dry_run=dry_run)
    except ServiceError as exc:
        _fail(exc.message)
    for row in report.rows:
        extra = f"  初始密码：{row.password}" if row.password and not dry_run else ""
        click.echo(
            f"第 {row.row} 行\t{row.login}\t{'成功' if row.ok else '失败'}\t{row.message}{extra}"
        )
    click.echo(f"成功 {report.created} 行，失败 {report.failed} 行。")
    if report.failed:
        sys.exit(1)


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("login")
@click.option("--name", default="命令行创建", help="What the token is for.")
@with_appcontext
def create_token(login: str, name: str) -> None:
    """Create an API token for LOGIN and print it (alone, once) on stdout."""
    user = services.user_by_login(login)
    if user is None:
        _fail(f"用户“{login}”不存在。")
    if not user.active:
        _fail(f"用户“{login}”已停用。")
    _token, plain = login_service.create_token(user, name)
    click.echo(plain)


COMMANDS = (user_group, token_group)
