"""The rotation planner is fair and never gives a department two talks in a row."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from lecturehub.auth import services as auth_services
from lecturehub.core.errors import ServiceError
from lecturehub.schedule import rotation, services
from lecturehub.schedule.models import Lecture
from tests.factories.schedule import generate, make_lecture

NAMES = ["文化站", "纪委", "财政所", "应急管理办", "农业农村服务中心"]


def _departments(names=NAMES):
    return [auth_services.department_by_name(n) for n in names]


def test_rotation_over_a_term_is_fair_and_never_repeats(db):
    generate("2026-09-01", "2026-12-31", "lecture")
    proposals = rotation.propose_rotation(
        _departments(), dt.date(2026, 9, 1), dt.date(2026, 12, 31)
    )
    names = [p.department.name for p in proposals]
    counts = Counter(names)
    assert counts == {"文化站": 7, "纪委": 7, "财政所": 7, "应急管理办": 6, "农业农村服务中心": 6}
    assert all(a != b for a, b in zip(names, names[1:], strict=False))


def test_fewest_talks_this_year_go_first_then_longest_waiting(db):
    make_lecture("2026-03-02", department="文化站")
    make_lecture("2026-03-04", department="纪委")
    make_lecture("2026-03-09", department="文化站")
    generate("2026-09-07", "2026-09-16", "lecture")
    proposals = rotation.propose_rotation(
        _departments(["文化站", "纪委", "财政所"]), dt.date(2026, 9, 7), dt.date(2026, 9, 16)
    )
    assert [p.department.name for p in proposals] == ["财政所", "纪委", "财政所", "文化站"]


def test_confirm_creates_talks_with_department_and_no_speaker(db):
    generate("2026-12-07", "2026-12-09", "lecture")
    proposals = rotation.propose_rotation(
        _departments(), dt.date(2026, 12, 7), dt.date(2026, 12, 9)
    )
    chosen = {p.session.id: p.department.id for p in proposals}
    first = proposals[0].session.id
    chosen[first] = auth_services.department_by_name("财政所").id
    created = rotation.confirm_rotation(chosen)
    assert [(t.department.name, t.speaker, t.title, t.deadline) for t in created] == [
        ("财政所", None, "", dt.datetime(2026, 12, 5, 18, 0)),
        (proposals[1].department.name, None, "", dt.datetime(2026, 12, 7, 18, 0)),
    ]
    assert (
        rotation.propose_rotation(_departments(), dt.date(2026, 12, 7), dt.date(2026, 12, 9)) == []
    )


def test_confirm_refuses_a_session_that_already_has_a_talk_and_changes_nothing(db):
    generate("2026-12-07", "2026-12-09", "lecture")
    taken = make_lecture("2026-12-09")
    free = services.list_sessions(dt.date(2026, 12, 7), dt.date(2026, 12, 7))[0]
    dept = auth_services.department_by_name("纪委").id
    with pytest.raises(ServiceError):
        rotation.confirm_rotation({free.id: dept, taken.session.id: dept})
    assert db.session.query(Lecture).count() == 1


def test_rotation_needs_departments(db):
    with pytest.raises(ServiceError) as refused:
        rotation.propose_rotation([], dt.date(2026, 12, 7), dt.date(2026, 12, 9))
    assert refused.value.code == "no_departments"
