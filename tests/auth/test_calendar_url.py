"""The personal calendar URL can be revoked: the profile's 重置订阅地址, the API, and every
password change; the old URL then answers 404."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lecturehub.auth import services
from tests.conftest import PASSWORD
from tests.factories import bearer, make_token, make_user

FEED_RE = re.compile(r'value="(http://[^"]+\.ics)" data-testid="feed-url"')


def _feed_url(client) -> str:
    match = FEED_RE.search(client.get("/profile").get_data(as_text=True))
    assert match, "no calendar URL on the profile page"
    return match.group(1)


def _fetch(client, url: str):
    return client.get(urlsplit(url).path)


def test_the_profile_offers_a_reset_and_the_old_url_stops_working(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    old = _feed_url(client)
    assert _fetch(client, old).status_code == 200
    assert 'data-testid="reset-feed"' in client.get("/profile").get_data(as_text=True)
    response = auth.post("/profile/calendar/reset", follow_redirects=True)
    assert response.status_code == 200
    assert "日历订阅地址已重置，旧地址已失效" in response.get_data(as_text=True)
    new = _feed_url(client)
    assert new != old
    assert _fetch(client, old).status_code == 404
    assert (_fetch(client, new).status_code, _fetch(client, new).mimetype) == (200, "text/calendar")


def test_a_reset_without_the_csrf_token_changes_nothing(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    old = _feed_url(client)
    assert client.post("/profile/calendar/reset", data={}).status_code == 400
    assert _feed_url(client) == old and _fetch(client, old).status_code == 200


def test_a_password_change_resets_the_calendar_url(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    old = _feed_url(client)
    auth.post("/profile", {"old": PASSWORD, "new": "new-password-1", "confirm": "new-password-1"})
    assert _fetch(client, old).status_code == 404
    assert _fetch(client, _feed_url(client)).status_code == 200


def test_a_refused_password_change_keeps_the_calendar_url(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    old = _feed_url(client)
    response = auth.post(
        "/profile", {"old": "wrong-one", "new": "new-pass-1", "confirm": "new-pass-1"}
    )
    assert "原密码不正确" in response.get_data(as_text=True)
    assert _feed_url(client) == old and _fetch(client, old).status_code == 200


def test_an_admin_password_reset_resets_the_calendar_url_too(client):
    user = make_user("zhangsan")
    old = services.feed_token_for(user)
    services.reset_password(user)
    assert client.get(f"/calendar/{old}.ics").status_code == 404


def test_the_api_gives_and_resets_the_calendar_url(app, client):
    user = make_user("zhangsan")
    headers = bearer(make_token(user))
    shown = client.get("/api/v1/me/calendar", headers=headers)
    old = shown.get_json()["url"]
    assert (shown.status_code, list(shown.get_json())) == (200, ["url"])
    assert old == f"http://localhost/calendar/{services.feed_token_for(user)}.ics"
    reset = client.post("/api/v1/me/calendar/reset", headers=headers)
    new = reset.get_json()["url"]
    assert (reset.status_code, new != old) == (200, True)
    assert client.get("/api/v1/me/calendar", headers=headers).get_json() == {"url": new}
    gone = _fetch(client, old)
    assert gone.status_code == 404 and _fetch(client, new).status_code == 200


def test_a_session_reset_through_the_api_needs_the_csrf_header(client, auth):
    make_user("zhangsan")
    auth.login("zhangsan")
    old = client.get("/api/v1/me/calendar").get_json()["url"]
    refused = client.post("/api/v1/me/calendar/reset")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert client.get("/api/v1/me/calendar").get_json()["url"] == old


def test_the_old_url_stays_dead_the_day_after_and_for_others(app, client):
    """Another user's URL is untouched; a reset URL never comes back."""
    mine, theirs = make_user("zhangsan"), make_user("lisi")
    old, other = services.feed_token_for(mine), services.feed_token_for(theirs)
    services.reset_feed_token(mine)
    services.db.session.expire_all()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{other}.ics").status_code == 200
    assert app.test_client().get(f"/calendar/{old}.ics").status_code == 404
