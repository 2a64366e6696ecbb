"""A real browser signs in, sees the home page, signs out; a member is refused an admin page."""

from __future__ import annotations

from tests.e2e.conftest import login
from tests.factories import make_user


def test_login_home_logout(live_app, live_server, page):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    login(page, live_server.url, "zhangsan")
    page.wait_for_selector("text=张三，您好")
    assert page.url == f"{live_server.url}/"
    page.click("button.nav-toggle")
    page.click("[data-testid=logout]")
    page.wait_for_selector("text=已退出登录")
    page.goto(f"{live_server.url}/")
    assert "/login" in page.url


def test_wrong_password_shows_chinese_error(live_app, live_server, page):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    login(page, live_server.url, "zhangsan", "not-the-password")
    assert page.locator(".flash-danger").inner_text() == "用户名或密码不正确。"


def test_member_is_refused_an_admin_page(live_app, live_server, page):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    login(page, live_server.url, "zhangsan")
    page.wait_for_selector("text=张三，您好")
    response = page.goto(f"{live_server.url}/admin/users")
    assert response.status == 403
    assert "没有权限" in page.content()
