"""On a phone: the profile resets the calendar URL (after a confirm), shows a new API token once,
and a changed password signs out the other browser; every page keeps to the CSP."""

from __future__ import annotations

from tests.e2e.conftest import login, watch_page
from tests.factories import make_user


def _open_profile(page, base_url: str) -> None:
    page.click("button.nav-toggle")  # the phone menu (app.js, no inline handler)
    page.click("nav.mainnav >> text=张三")
    page.wait_for_selector("h1:has-text('个人设置')")
    assert page.url == f"{base_url}/profile"


def test_reset_the_calendar_url_only_after_confirming(live_app, live_server, page):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    login(page, live_server.url, "zhangsan")
    page.wait_for_selector("text=张三，您好")
    _open_profile(page, live_server.url)
    feed = page.locator("[data-testid=feed-url]")
    old = feed.input_value()

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-testid=reset-feed]")
    page.wait_for_timeout(300)
    assert feed.input_value() == old  # dismissed: nothing posted

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=reset-feed]")
    page.wait_for_selector("text=日历订阅地址已重置，旧地址已失效")
    new = page.locator("[data-testid=feed-url]").input_value()
    assert new != old and new.endswith(".ics")
    assert (page.request.get(old).status, page.request.get(new).status) == (404, 200)


def test_a_new_token_is_shown_once(live_app, live_server, page):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    login(page, live_server.url, "zhangsan")
    page.wait_for_selector("text=张三，您好")
    page.goto(f"{live_server.url}/profile")
    page.fill("input[name=name]", "手机日历脚本")
    page.click("text=创建令牌")
    token = page.locator("[data-testid=new-token]").inner_text()
    assert token.startswith("lh_")
    page.reload()  # the browser asks to resend the form; a plain visit shows no token
    page.goto(f"{live_server.url}/profile")
    assert page.locator("[data-testid=new-token]").count() == 0
    assert "手机日历脚本" in page.locator("table.table").inner_text()


def test_a_password_change_signs_out_the_other_browser(live_app, live_server, page, browser):
    with live_app.app_context():
        make_user("zhangsan", "张三")
    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    other_page = other.new_page()
    problems = watch_page(other_page)
    try:
        login(other_page, live_server.url, "zhangsan")
        other_page.wait_for_selector("text=张三，您好")
        login(page, live_server.url, "zhangsan")
        page.wait_for_selector("text=张三，您好")
        page.goto(f"{live_server.url}/profile")
        page.fill("input[name=old]", "password123")
        page.fill("input[name=new]", "a-new-password")
        page.fill("input[name=confirm]", "a-new-password")
        page.click("form[action='/profile'] button[type=submit]")
        page.wait_for_selector("text=密码已修改")
        other_page.goto(f"{live_server.url}/schedule")
        assert "/login" in other_page.url
        page.goto(f"{live_server.url}/schedule")
        assert page.url == f"{live_server.url}/schedule"
    finally:
        other.close()
    assert problems == []
