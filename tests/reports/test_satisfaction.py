"""The monthly satisfaction figures, computed from a fixture checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.core import periods
from lecturehub.core.errors import ServiceError
from lecturehub.reports import satisfaction, services
from tests.factories import make_user
from tests.factories.ratings import make_talk, rate_many
from tests.reports.conftest import NOW

OCTOBER = periods.month(2026, 10)


def test_month_figures_count_only_published_talks(quarter_data):
    report = satisfaction.monthly(OCTOBER, now=NOW)
    assert [s.lecture.title for s in report.talks] == [
        "全民健身与乡村文化振兴",
        "非遗保护与传统文化传承",
    ]
    assert report.summary_dict() == {
        "talks": 2,
        "talks_rated": 1,
        "ratings": 6,  # talk B's 3 ratings are below the minimum: not published, not counted
        "signed_in": 8,
        "response_rate": 0.75,
        "satisfaction_rate": 0.6667,
        "overall": {"mean": 3.83, "distribution": {"1": 0, "2": 1, "3": 1, "4": 2, "5": 2}},
        "dimensions": {
            "useful": {"mean": 4.0, "distribution": {"1": 0, "2": 0, "3": 1, "4": 4, "5": 1}},
            "practical": {"mean": 4.5, "distribution": {"1": 0, "2": 0, "3": 0, "4": 3, "5": 3}},
            "clear": {"mean": 3.0, "distribution": {"1": 0, "2": 1, "3": 4, "4": 1, "5": 0}},
            "timing": {"mean": 4.17, "distribution": {"1": 0, "2": 0, "3": 0, "4": 5, "5": 1}},
        },
    }


def test_each_talk_has_its_response_rate_and_a_talk_below_the_minimum_only_counts(quarter_data):
    a, b = satisfaction.monthly(OCTOBER, now=NOW).talks
    assert (a.count, a.signed_in, a.response_rate, a.visible) == (6, 8, 0.75, True)
    assert a.aggregate.satisfaction_rate == 0.6667
    assert sorted(a.comments) == ["PPT 字太多，建议精简", "案例很贴近我们乡的实际"]
    assert (b.count, b.signed_in, b.response_rate, b.visible, b.aggregate, b.comments) == (
        3,
        3,
        1.0,
        False,
        None,
        [],
    )


def test_trend_covers_the_six_previous_months_then_this_one(quarter_data):
    trend = satisfaction.monthly(OCTOBER, now=NOW).trend
    assert [p.period.key for p in trend] == [
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert [(p.ratings, p.satisfaction_rate, p.mean) for p in trend[-2:]] == [
        (5, 1.0, 5.0),
        (6, 0.6667, 3.83),
    ]
    assert trend[0].as_dict() == {
        "month": "2026-04",
        "talks": 0,
        "ratings": 0,
        "satisfaction_rate": None,
        "mean": None,
    }


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-10", "2026/10", "abcd-ef", "1999-10"])
def test_a_malformed_month_is_refused(app, text):
    with pytest.raises(ServiceError) as info:
        services.parse_month(text)
    assert (info.value.code, info.value.status) == ("bad_month", 400)


def test_quarters_parse_and_shift(app):
    assert services.parse_quarter("2026-Q4").range_label == "2026年10月1日至2026年12月31日"
    assert periods.shifted(services.parse_quarter("2026-q1"), -1).key == "2025-Q4"
    assert periods.shifted(OCTOBER, 3).key == "2027-01"
    with pytest.raises(ServiceError):
        services.parse_quarter("2026-Q5")


def test_satisfaction_page_shows_the_figures_and_the_shortfall(quarter_data, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    page = client.get("/reports/satisfaction?month=2026-10").get_data(as_text=True)
    assert 'data-testid="satisfaction-rate">66.7%<' in page
    assert 'data-testid="month-mean">3.83<' in page
    assert "评价不足 5 人，不公布" in page
    assert 'title="5/4/3/2/1 分的人数">0/1/4/1/0</div>' in page  # 讲解清晰 of talk A
    assert "案例很贴近我们乡的实际" in page and "不该出现的意见" not in page
    assert 'class="chart trend"' in page and "data-print" in page
    for rater in quarter_data.raters_a:
        assert rater.name not in page


def test_a_malformed_month_on_the_page_is_flashed(app, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    response = client.get("/reports/satisfaction?month=2026-13", follow_redirects=True)
    assert response.status_code == 200
    assert "月份格式应为 YYYY-MM（如 2026-10）。" in response.get_data(as_text=True)


def test_satisfaction_api_returns_the_month_as_json(quarter_data, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    body = client.get("/api/v1/reports/satisfaction?month=2026-10").get_json()
    assert (body["month"], body["label"], body["min_count"]) == ("2026-10", "2026年10月", 5)
    assert body["summary"]["satisfaction_rate"] == 0.6667
    assert [t["visible"] for t in body["talks"]] == [True, False]
    assert body["talks"][1]["overall"] is None and body["talks"][1]["comments"] is None
    assert body["talks"][0]["speaker"] == "讲课人甲"
    assert "user_id" not in str(body)


def test_satisfaction_api_refuses_a_malformed_month_with_400(app, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    response = client.get("/api/v1/reports/satisfaction?month=10-2026")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_month"


def test_members_may_not_open_the_reports(app, client, auth):
    make_user("plain")
    auth.login("plain")
    assert client.get("/reports/satisfaction").status_code == 403
    assert client.get("/api/v1/reports/satisfaction").status_code == 403


def test_a_talk_still_open_shows_no_count_and_adds_nothing(quarter_data):
    november = periods.month(2026, 11)
    before = satisfaction.monthly(november, now=NOW).as_dict()
    talk = make_talk(dt.datetime(2026, 11, 23, 19), title="评价中的讲学")  # closes 11-30
    rate_many(talk, [(1, 1, 1, 1, 1)] * 6, comments=["评价中的意见"])
    report = satisfaction.monthly(november, now=NOW)
    row = report.talks[-1]
    assert (row.lecture.id, row.status, row.count, row.response_rate, row.comments) == (
        talk.id,
        "open",
        None,
        None,
        [],
    )
    after = report.as_dict()
    assert after["summary"] == {**before["summary"], "talks": before["summary"]["talks"] + 1}
    assert after["trend"][-1] == {**before["trend"][-1], "talks": before["trend"][-1]["talks"] + 1}
    assert "评价中的意见" not in str(after)
