"""The demo ratings: deterministic, from people who signed in, the latest talk under the minimum."""

from __future__ import annotations

import datetime as dt

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
    counts = [summaries.summary(t).count for t in talks]
    assert counts[2:] == [
        3,
        0,
    ]  # the latest held talk is still collecting; 11-30 is after the cutoff
    assert all(summaries.summary(t).visible for t in talks[:2])
    assert all(1 <= r.overall <= 5 for r in db.session.query(Rating))
    assert messages[-1].startswith("已生成 3 场讲学的")


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
