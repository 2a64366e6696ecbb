"""Talks: default deadline, validation of speaker/category/deadline, who may edit."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.auth import services as auth_services
from lecturehub.core.errors import ServiceError
from lecturehub.schedule import lectures
from lecturehub.schedule.models import Lecture
from tests.factories import make_user
from tests.factories.schedule import make_lecture, make_session


def test_new_talk_is_due_two_days_before_at_six_pm(db):
    lecture = make_lecture("2026-12-07")
    assert lecture.deadline == dt.datetime(2026, 12, 5, 18, 0)


def test_inactive_speaker_is_refused(db):
    lecture = make_lecture("2026-12-07")
    gone = make_user("gone", "离职干部", active=False)
    with pytest.raises(ServiceError) as refused:
        lectures.update_lecture(lecture, {"speaker": gone})
    assert refused.value.message == "讲课人“离职干部”的账号已停用，不能安排讲学。"
    db.session.expire_all()
    assert lecture.speaker is None


def test_category_outside_the_list_is_refused(db):
    lecture = make_lecture("2026-12-07")
    with pytest.raises(ServiceError) as refused:
        lectures.update_lecture(lecture, {"category": "闲聊", "title": "新题目"})
    assert (
        refused.value.message
        == "讲学类别必须是：政治理论、党史和红色故事学习、最新政策和文件解读、业务知识讲解。"
    )
    db.session.expire_all()
    assert (lecture.category, lecture.title) == ("业务知识讲解", "全民健身与乡村文化振兴")


def test_deadline_after_the_talk_is_refused(db):
    lecture = make_lecture("2026-12-07")
    with pytest.raises(ServiceError) as refused:
        lectures.update_lecture(lecture, {"deadline": dt.datetime(2026, 12, 7, 20, 0)})
    assert refused.value.message == "课件截止时间不能晚于讲学开始时间。"
    db.session.expire_all()
    assert lecture.deadline == dt.datetime(2026, 12, 5, 18, 0)


def test_training_session_cannot_carry_a_talk(db):
    session = make_session("2026-12-08", kind="training")
    with pytest.raises(ServiceError) as refused:
        lectures.new_lecture(session)
    assert refused.value.code == "not_lecture_session"
    assert db.session.query(Lecture).count() == 0


def test_department_head_may_name_the_speaker_but_not_move_the_deadline(db):
    head = make_user("head", "站长", department="文化站")
    auth_services.save_department(
        "文化站", "centre", True, head, department=auth_services.department_by_name("文化站")
    )
    lecture = make_lecture("2026-12-07", title="")
    speaker = make_user("speaker", "讲课人", department="文化站")
    assert lectures.can_edit(head, lecture) is True
    lectures.update_lecture(lecture, {"speaker": speaker, "title": "全民健身"}, by=head)
    with pytest.raises(ServiceError) as refused:
        lectures.update_lecture(lecture, {"deadline": dt.datetime(2026, 12, 1, 18, 0)}, by=head)
    assert refused.value.status == 403
    assert (lecture.speaker.login, lecture.title) == ("speaker", "全民健身")


def test_other_members_may_not_edit(db):
    lecture = make_lecture("2026-12-07")
    assert lectures.can_edit(make_user("someone"), lecture) is False
    assert lectures.can_edit(make_user("boss", roles=["admin"]), lecture) is True


def test_talks_of_a_speaker_and_the_next_one(db):
    speaker = make_user("speaker")
    first = make_lecture("2026-12-07", speaker=speaker)
    make_lecture("2026-12-09", speaker=speaker)
    assert [t.session.date for t in lectures.talks_of(speaker)] == [
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 9),
    ]
    assert lectures.next_talk(speaker, now=dt.datetime(2026, 12, 1)) == first
