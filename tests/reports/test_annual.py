"""The annual assessment sheet (年度和量化考核) and the year's 督查 record API: recorded sessions
only, talks given and the average of their published ratings, the 评先评优 flag with the sessions
that caused it — page (admin, 督查办), xlsx and API."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from lecturehub.attendance import rollcall
from lecturehub.reports import annual
from lecturehub.schedule import services as schedule_services
from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import make_leader, make_session, sign_in
from tests.factories.ratings import attendee, make_talk, rate_many

NIGHTS = [dt.datetime(2026, 10, 5, 19) + dt.timedelta(days=7 * i) for i in range(5)]


def _year_of_record():
    """Five lecture nights: 'often' misses three of them (flagged), 'once' is late once and on
    leave once; the fifth night is voided; one training nobody recorded."""
    leader = make_leader("lecture")
    inspector = make_user("ducha", "督查", roles=["inspector"])
    admin = make_user("boss", "党政办", roles=["admin"])
    often, once = make_user("often", "常缺"), make_user("once", "一次")
    nights = [make_session(at) for at in NIGHTS]
    for night in nights:
        for person in (leader, inspector, admin):
            sign_in(night, person, night.starts_at)
    sign_in(nights[0], often, nights[0].starts_at)
    sign_in(nights[0], once, nights[0].starts_at + dt.timedelta(minutes=8))
    for night in nights[1:4]:
        sign_in(night, once, night.starts_at)
    step = rollcall.Marks({once.id: "excused"}, reason="补批公假")
    rollcall.record_marks(nights[4], step, admin, now=NIGHTS[4] + dt.timedelta(days=1))
    schedule_services.void_session(nights[4], "当晚改开全乡大会", admin)
    make_session(dt.datetime(2026, 10, 6, 6, 30), kind="training")  # nobody recorded it
    return nights, often, once


def _person(body, name):
    return next(p for p in body["people"] if p["user"]["name"] == name)


def test_the_api_returns_the_years_record(app, client):
    nights, often, once = _year_of_record()
    headers = bearer(make_token(make_user("ducha2", roles=["inspector"])))
    response = client.get("/api/v1/attendance/record?year=2026", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["year"] == 2026
    assert _person(body, "常缺") == {
        "user": {"id": often.id, "name": "常缺"},
        "expected": 4,
        "attended": 1,
        "late": 0,
        "excused": 0,
        "exempt": 0,
        "absent": 3,
        "flagged": True,
    }
    assert _person(body, "一次") == {
        "user": {"id": once.id, "name": "一次"},
        "expected": 4,
        "attended": 4,  # present and late
        "late": 1,
        "excused": 0,  # the excused night was voided
        "exempt": 0,
        "absent": 0,
        "flagged": False,
    }


def test_the_api_checks_year_and_roles(app, client):
    inspector = bearer(make_token(make_user("ducha", roles=["inspector"])))
    admin = bearer(make_token(make_user("boss", roles=["admin"])))
    member = bearer(make_token(make_user("zhang")))
    assert client.get("/api/v1/attendance/record", headers=admin).get_json()["year"] >= 2026
    bad = client.get("/api/v1/attendance/record?year=26", headers=inspector)
    assert (bad.status_code, bad.get_json()["error"]["code"]) == (400, "bad_year")
    assert client.get("/api/v1/attendance/record", headers=member).status_code == 403
    leader = bearer(make_token(make_user("lead", roles=["leader"])))
    assert client.get("/api/v1/attendance/record", headers=leader).status_code == 403


def test_the_sheet_counts_talks_and_the_average_of_their_published_ratings(app):
    speaker = make_user("speaker", "讲课人")
    rated = make_talk(dt.datetime(2026, 10, 12, 19), speaker=speaker, title="已评满")
    rate_many(rated, [(5, 5, 5, 5, 5)] * 3 + [(4, 4, 4, 4, 4)] * 2)  # mean 4.6
    other = make_talk(dt.datetime(2026, 10, 19, 19), speaker=speaker, title="也评满")
    rate_many(other, [(4, 4, 4, 4, 4)] * 5)  # mean 4.0
    few = make_talk(dt.datetime(2026, 10, 26, 19), speaker=speaker, title="评价不足")
    rate_many(few, [(1, 1, 1, 1, 1)] * 2)  # below the minimum: not published, not averaged
    attendee(few)
    sheet = annual.annual_sheet(2026, now=dt.datetime(2026, 12, 1))
    row = next(r for r in sheet.rows if r.user.id == speaker.id)
    assert (len(row.talks), len(row.rated), row.average) == (3, 2, 4.3)


def test_the_page_and_the_workbook(app, client, auth):
    _year_of_record()
    auth.login("ducha")
    page = client.get("/reports/annual?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026年度和量化考核" in html and "取消（缺席 3 次）" in html
    assert 'data-testid="annual-unrecorded"' in html  # the training nobody recorded
    xlsx = client.get("/reports/annual/export.xlsx?year=2026")
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.values)
    header = rows[3]
    often = next(r for r in rows[4:] if r[1] == "常缺")
    assert header[:9] == ("序号", "姓名", "部门", "应到", "出勤", "迟到", "请假", "免训", "缺席")
    assert often[3:9] == (4, 1, 0, 0, 0, 3)
    assert often[11] == "取消（缺席 3 次）" and "10/12" in often[12]
    auth.logout()
    make_user("member")
    auth.login("member")
    assert client.get("/reports/annual").status_code == 403


def test_a_bad_year_on_the_page_is_flashed(app, client, auth):
    make_user("boss", roles=["admin"])
    auth.login("boss")
    response = client.get("/reports/annual?year=abcd", follow_redirects=True)
    assert "年份格式应为 YYYY" in response.get_data(as_text=True)
