"""The quarterly evaluation: ranking, departments, attendance, 需改进 and 经验做法."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance.services import active_users
from lecturehub.core import periods
from lecturehub.ratings.aggregates import aggregate
from lecturehub.reports import quarterly
from tests.factories import make_user
from tests.factories.ratings import make_talk, rate_many
from tests.reports.conftest import NOW

Q4 = periods.quarter(2026, 4)


def test_talks_are_ranked_by_overall_mean_and_those_below_the_minimum_listed_apart(quarter_data):
    report = quarterly.quarterly(Q4, now=NOW)
    assert [(s.lecture.title, s.aggregate.overall.mean) for s in report.ranked] == [
        ("乡镇财政资金管理规定", 5.0),
        ("全民健身与乡村文化振兴", 3.83),
    ]
    assert [s.lecture.title for s in report.unranked] == ["非遗保护与传统文化传承"]


def test_a_talk_still_open_is_unranked_without_a_count_and_adds_to_no_figure(quarter_data):
    before = quarterly.quarterly(Q4, now=NOW)
    talk = make_talk(dt.datetime(2026, 11, 23, 19), title="评价中的讲学", department="财政所")
    rate_many(talk, [(1, 1, 1, 1, 1)] * 6)
    report = quarterly.quarterly(Q4, now=NOW)
    assert [(s.lecture.title, s.count) for s in report.unranked] == [
        ("非遗保护与传统文化传承", 3),
        ("评价中的讲学", None),
    ]
    assert [s.lecture.id for s in report.ranked] == [s.lecture.id for s in before.ranked]
    assert (report.total, report.ratings, report.signed_in) == (
        before.total,
        before.ratings,
        before.signed_in,
    )
    assert [r.total for r in report.departments] == [r.total for r in before.departments]


def test_the_best_talks_are_flagged_for_publicity(quarter_data):
    report = quarterly.quarterly(Q4, now=NOW)
    assert [s.lecture.title for s in report.best] == ["乡镇财政资金管理规定"]


def test_departments_compare_talks_means_courseware_and_timing(quarter_data):
    rows = quarterly.quarterly(Q4, now=NOW).departments
    assert [
        (r.name, len(r.talks), r.total.overall.mean, r.courseware_on_time, r.within_hour)
        for r in rows
    ] == [
        ("财政所", 1, 5.0, 0, 0),
        ("文化站", 2, 3.83, 1, 1),
    ]


def test_the_lowest_dimension_of_the_quarter_is_flagged(quarter_data):
    flags = quarterly.quarterly(Q4, now=NOW).improve
    # clear: (18 + 25) / 11 = 3.91 is the lowest; none is below 3.5
    assert [(f.key, f.mean, f.reasons) for f in flags] == [("clear", 3.91, ("本季度最低",))]


def test_every_dimension_below_3_5_is_flagged_too(app):
    total = aggregate([{"overall": 3, "useful": 3, "practical": 4, "clear": 2, "timing": 5}] * 2)
    flags = quarterly.improve_flags(total)
    assert [(f.label, f.reasons) for f in flags] == [
        ("讲解清晰", ("本季度最低", "低于 3.5 分")),
        ("内容实用", ("低于 3.5 分",)),
    ]


def test_without_a_talk_at_4_5_the_top_tenth_is_flagged(app):
    class Fake:
        def __init__(self, mean):
            self.aggregate = aggregate(
                [{"overall": mean, "useful": 1, "practical": 1, "clear": 1, "timing": 1}]
            )

    ranked = [Fake(4) for _ in range(11)]
    assert len(quarterly.best_talks(ranked)) == 2
    assert quarterly.best_talks([]) == []


def test_attendance_rate_per_series_comes_from_the_record(quarter_data):
    rows = quarterly.quarterly(Q4, now=NOW).attendance
    people = len(active_users())
    assert [(r.name, r.sessions, r.expected, r.attended) for r in rows] == [
        ("每周两课", 3, 3 * people, 8 + 3 + 5),
    ]
    assert rows[0].rate == round(16 / (3 * people), 4)


def test_quarterly_page_shows_ranking_flags_departments_and_attendance(quarter_data, client, auth):
    make_user("zuzhi", roles=["organiser"])
    auth.login("zuzhi")
    page = client.get("/reports/quarterly?quarter=2026-Q4").get_data(as_text=True)
    assert "2026年第四季度" in page
    assert page.index("乡镇财政资金管理规定") < page.index("全民健身与乡村文化振兴")
    assert '<span class="badge ok">经验做法</span>' in page
    assert '<span class="badge bad">需改进</span> <strong>讲解清晰</strong>' in page
    assert 'data-testid="unranked"' in page and "非遗保护与传统文化传承" in page
    assert "1/2" in page and "每周两课" in page
    assert page.count("<svg") == 3


def test_a_malformed_quarter_on_the_page_is_flashed(app, client, auth):
    make_user("boss", roles=["admin"])
    auth.login("boss")
    response = client.get("/reports/quarterly?quarter=2026Q4", follow_redirects=True)
    assert response.status_code == 200
    assert "季度格式应为 YYYY-Qn（如 2026-Q4）。" in response.get_data(as_text=True)
