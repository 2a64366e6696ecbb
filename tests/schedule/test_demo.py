"""The demo term: a rotation of departments with named speakers; member01 speaks in December."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from lecturehub import demo
from lecturehub.auth import services as auth_services
from lecturehub.schedule import demo as schedule_demo
from lecturehub.schedule import lectures
from lecturehub.schedule.models import Lecture


def test_demo_fills_the_term_and_gives_member01_an_early_december_talk(db):
    demo.load_people(lambda _msg: None)
    schedule_demo.load(lambda _msg: None)
    talks = db.session.query(Lecture).all()
    assert len(talks) == 37
    assert all(t.speaker is not None and t.title and t.category and t.department for t in talks)
    counts = Counter(t.department.name for t in talks)
    assert sorted(counts.values()) == [3] * 11 + [4]  # 12 departments in turn
    member01 = auth_services.user_by_login("member01")
    assert [t.session.date for t in lectures.talks_of(member01)] == [dt.date(2026, 12, 2)]
