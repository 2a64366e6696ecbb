"""Every page an administrator can open, in a phone-sized Chromium, under the site's
Content-Security-Policy: no violation and no script error (the ``page`` fixture fails on
either), and the behaviours that moved out of inline handlers still work."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import login
from tests.factories import make_user
from tests.factories.search import talk_with_deck

SKIP = ("/api/", "/static/", "/calendar/", "/logout")


def _html_pages(app) -> list[str]:
    """The GET pages without arguments that answer an admin with HTML."""
    client = app.test_client()
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(SKIP)
    )
    from tests.conftest import Auth

    Auth(client).login("kongr")
    found = []
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            found.append(path)
    return found


def test_admin_pages_keep_to_the_policy(live_app, live_server, page, tmp_path):
    with live_app.app_context():
        admin = make_user("kongr", "孔锐", roles=["admin", "leader", "inspector", "organiser"])
        day = dt.date.today() + dt.timedelta(days=10)
        talk = talk_with_deck(
            tmp_path,
            admin,
            ["乡村振兴 产业发展", "医保 低保"],
            title="政策解读",
            speaker=admin,
            day=day,
        )
        talk_id, session_id = talk.id, talk.session_id
        pages = _html_pages(live_app)
    assert len(pages) >= 15
    login(page, live_server.url, "kongr")
    page.wait_for_selector("text=孔锐，您好")
    for path in [*pages, f"/lectures/{talk_id}", f"/sessions/{session_id}", "/search?q=医保"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")

    page.goto(f"{live_server.url}/lectures/{talk_id}#slide-2")  # slides.js opens the list
    page.wait_for_selector(".slide-texts details[open] #slide-2")
    page.goto(f"{live_server.url}/my/talks")  # countdown.js fills the time left
    assert page.locator(".countdown-left").first.inner_text().startswith("（还剩")
    page.goto(f"{live_server.url}/attendance")  # a period picker submits on change
    choice = page.locator("select[name=period] option").nth(1).get_attribute("value")
    page.select_option("select[name=period]", choice)
    page.wait_for_url(f"**/attendance?period={choice}")
