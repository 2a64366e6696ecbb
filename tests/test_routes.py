"""The role matrix of every route, the OpenAPI document, and the JSON error shape."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token
from tests.factories import bearer, make_token, make_user

ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _url(rule) -> str:
    return ARG.sub(lambda m: "999999" if m.group(1) == "int" else "x" * 8, rule.rule)


def _method(rule) -> str:
    methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        rule.rule for rule, view in _routes(app) if not getattr(view, "required_roles", None)
    ]
    assert undeclared == []


def test_anonymous_users_are_sent_to_login_or_get_json_401(app, client):
    for rule, view in _routes(app):
        if "public" in view.required_roles:
            continue
        response = client.open(
            _url(rule), method=_method(rule), data={"csrf_token": csrf_token(client)}
        )
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
            assert response.get_json()["error"]["code"] == "unauthorized", rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert "/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", ["member", "admin", "leader", "inspector", "organiser"])
def test_users_without_the_role_get_403(app, client, auth, role):
    user = make_user("tester", roles=[role] if role != "member" else [])
    auth.login("tester")
    token = make_token(user)
    checked = 0
    for rule, view in _routes(app):
        allowed = set(view.required_roles)
        if {"public", "member"} & allowed or role in allowed:
            continue
        checked += 1
        data = {"csrf_token": csrf_token(client)}
        response = client.open(_url(rule), method=_method(rule), data=data)
        assert response.status_code == 403, (rule.rule, role)
        if rule.rule.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "forbidden"
            by_token = client.open(_url(rule), method=_method(rule), headers=bearer(token))
            assert by_token.status_code == 403, rule.rule
        else:
            assert "没有权限" in response.get_data(as_text=True)
    if role != "admin":
        assert checked > 0


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    missing = []
    for rule, _view in _routes(app):
        if not rule.rule.startswith("/api/"):
            continue
        path = ARG.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_unknown_api_route_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "找不到请求的内容。"}}


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到请求的内容" in response.get_data(as_text=True)


def test_wrong_method_on_api_is_json(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_huge_ids_and_numbers_are_a_clean_4xx(client, auth):
    make_user("tester")
    auth.login("tester")
    assert client.get("/lectures/99999999999999999999").status_code == 404
    response = client.get("/api/v1/sessions?series=99999999999999999999")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {"code": "bad_request", "message": "参数中的数字超出范围。"}
    }


OUT_OF_RANGE = {"error": {"code": "bad_request", "message": "参数中的数字超出范围。"}}


def test_ids_no_integer_column_holds_are_refused_alike_on_every_database(client, auth):
    """3,000,000,000 fits SQLite's INTEGER but not PostgreSQL's: both answer the same."""
    user = make_user("tester")
    leave = client.post(
        "/api/v1/leave",
        headers=bearer(make_token(user)),
        json={"series": 3000000000, "type": "事假", "reason": "出差", "from": "2026-01-01"},
    )
    assert (leave.status_code, leave.get_json()) == (400, OUT_OF_RANGE)
    auth.login("tester")
    assert client.get("/lectures/3000000000").status_code == 404
    listing = client.get("/api/v1/sessions?series=3000000000")
    assert (listing.status_code, listing.get_json()) == (400, OUT_OF_RANGE)


def test_dates_far_outside_the_calendar_fall_back_to_today(client, auth):
    make_user("tester")
    auth.login("tester")
    for url in (
        "/schedule?from=9999-12-31",
        "/schedule/week?date=9999-12-31",
        "/schedule/month?month=9999-12",
    ):
        assert client.get(url).status_code == 200, url


def test_leave_with_a_non_string_date_is_a_422(client):
    user = make_user("tester")
    response = client.post(
        "/api/v1/leave",
        headers=bearer(make_token(user)),
        json={"series": 1, "type": "事假", "reason": "出差", "from": 20260101, "to": "2026-01-02"},
    )
    assert response.status_code == 422  # the number is no date: as if none were given
    assert response.get_json() == {
        "error": {"code": "missing_dates", "message": "请选择请假的场次，或填写起止日期。"}
    }
