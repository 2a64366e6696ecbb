"""The projector shows a QR code; a cadre's phone opens its URL, logs in (however long that
takes) and is signed in; the count rises."""

from __future__ import annotations

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.attendance import open_session


def test_scan_the_screen_and_the_count_goes_up(live_app, live_server, page, browser):
    with live_app.app_context():
        make_user("boss", "孔锐", roles=["admin"])
        make_user("zhangsan", "张三")
        session_id = open_session().id
    login(page, live_server.url, "boss")
    page.wait_for_selector("text=孔锐，您好")
    page.goto(f"{live_server.url}/sessions/{session_id}/signin-screen")
    assert page.locator("#qr svg").count() == 1
    assert page.locator("[data-testid=count-signed]").inner_text() == "0"
    checkin_url = page.locator("#screen").get_attribute("data-checkin-url")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.set_default_timeout(15000)
    cadre = phone.new_page()
    cadre.goto(checkin_url)  # not signed in yet: the login page, then back to the QR's URL
    assert "/login" in cadre.url
    assert cadre.is_checked("input[name=remember]")  # "记住我" on this path
    # a slow login: by now every QR code would have expired; the scan's grant has not
    live_app.config["QR_TOKEN_MAX_AGE"] = 0
    cadre.fill("input[name=login]", "zhangsan")
    cadre.fill("input[name=password]", "password123")
    cadre.click("button[type=submit]")
    cadre.wait_for_selector("text=签到成功")
    phone.close()

    # a selector, not wait_for_function: the CSP forbids the eval that a string predicate needs
    page.wait_for_selector("[data-testid=count-signed]:text-is('1')")
    assert page.locator("#names-signed li").all_inner_texts() == ["张三"]
