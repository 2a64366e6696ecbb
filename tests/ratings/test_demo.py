"""The demo ratings: deterministic, from people who signed in, the latest talk under the minimum."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from lecturehub.extensions import db
from lecturehub.ratings import demo, summaries
from lecturehub.ratings.models import Rating
from tests.factories.ratings import attendees, make_talk


def _talks():
    days = (
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 14),
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 30),
    )
    talks = [
        make_talk(dt.datetime.combine(day, dt.time(19)), title=f"讲学{i}")
        for i, day in enumerate(days)
    ]
    for talk in talks[:3]:
        attendees(talk, 12)
    return talks


def test_demo_rates_held_talks_and_leaves_the_latest_under_the_minimum(app):
    talks = _talks()
    messages: list[str] = []
    demo.load(messages.append)
    # the latest held talk got fewer than the minimum; 11-30 is after the cutoff
    after = dt.datetime(2026, 12, 15)  # every window has closed
    assert [summaries.summary(t, now=after).count for t in talks] == [10, 7, 3, 0]
    assert [summaries.summary(t, now=after).published for t in talks] == [
        True,
        True,
        False,
        False,
    ]
    overall = Counter(r.overall for r in db.session.query(Rating))
    assert overall == {5: 7, 4: 6, 3: 7}  # the same every run (a seeded Random)
    assert messages == ["已生成 3 场讲学的 20 条评价（最近一场评价人数不足 5 人）。"]


def test_demo_runs_once(app):
    _talks()
    demo.load(lambda _m: None)
    before = db.session.query(Rating).count()
    messages: list[str] = []
    demo.load(messages.append)
    assert (db.session.query(Rating).count(), messages) == (
        before,
        ["已有评价数据，跳过评价演示数据。"],
    )
