"""The schedule pages: calendar views, session and talk pages, my talks, 排课 pages."""

from __future__ import annotations

import datetime as dt

from lecturehub.auth import services as auth_services
from lecturehub.schedule import lectures, services
from lecturehub.schedule.models import Lecture, Session
from tests.factories import make_user
from tests.factories.schedule import (
    generate,
    is_holiday,
    make_lecture,
    make_session,
    upcoming_weekday,
)


def _admin(auth):
    make_user("boss", "孔锐", roles=["admin"])
    auth.login("boss")


def test_list_week_and_month_views_show_sessions_with_change_badges(client, auth, db):
    day = upcoming_weekday(0)
    lecture = make_lecture(day)
    training = make_session(day + dt.timedelta(days=1), kind="training")
    services.cancel_session(training, "暴雨预警")
    make_user("member")
    auth.login("member")
    talk_shown_as = {
        "/schedule": "全民健身与乡村文化振兴",
        f"/schedule/week?date={day}": "全民健身与乡村文化振兴",
        f"/schedule/month?month={day:%Y-%m}": "19:00 每周两课 · 文化站",  # the department
    }
    for url, talk in talk_shown_as.items():
        page = client.get(url).get_data(as_text=True)
        assert talk in page, url
        assert page.count("已取消") == 1, url  # the training
    assert f'href="/sessions/{lecture.session.id}"' in client.get("/schedule").get_data(
        as_text=True
    )


def test_session_page_shows_change_reason_talk_and_panels(client, auth, db):
    lecture = make_lecture(upcoming_weekday(0))
    session = services.move_session(
        lecture.session,
        services.SessionMove(lecture.session.date, dt.time(19, 30), "场地维修", venue="会议室"),
    )
    make_user("member")
    auth.login("member")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "已调整" in page and "调整原因：场地维修" in page and "会议室" in page
    assert "全民健身与乡村文化振兴" in page


def test_talk_page_renders_sanitised_markdown(client, auth, db):
    lecture = make_lecture(upcoming_weekday(0), abstract="**重点**<script>alert(1)</script>")
    make_user("member")
    auth.login("member")
    page = client.get(f"/lectures/{lecture.id}").get_data(as_text=True)
    assert "<strong>重点</strong>" in page and "<script>alert(1)" not in page
    assert "未提交" in page and "编辑" not in page


def test_my_talks_shows_slot_deadline_and_courseware_status(client, auth, db):
    speaker = make_user("speaker", "张讲")
    day = upcoming_weekday(2)
    make_lecture(day, speaker=speaker)
    auth.login("speaker")
    page = client.get("/my/talks").get_data(as_text=True)
    deadline = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(18, 0))
    assert f'data-deadline="{deadline:%Y-%m-%dT%H:%M:%S}+08:00"' in page
    assert "全民健身与乡村文化振兴" in page and "乡文化乐园" in page and "未提交" in page


def test_home_card_shows_next_talk_and_next_sessions(client, auth, db):
    speaker = make_user("speaker", "张讲")
    make_lecture(upcoming_weekday(0), speaker=speaker)
    auth.login("speaker")
    page = client.get("/").get_data(as_text=True)
    assert "我的下一场讲学" in page and "近期活动" in page and "全民健身与乡村文化振兴" in page


def test_department_head_edits_the_talk_and_others_get_403(client, auth, db):
    head = make_user("head", "站长", department="文化站")
    auth_services.save_department(
        "文化站", "centre", True, head, department=auth_services.department_by_name("文化站")
    )
    speaker = make_user("speaker", "张讲", department="文化站")
    lecture = make_lecture(upcoming_weekday(0), title="")
    make_user("member")
    auth.login("member")
    assert client.get(f"/lectures/{lecture.id}/edit").status_code == 403
    auth.logout()
    auth.login("head")
    response = auth.post(
        f"/lectures/{lecture.id}/edit",
        {"speaker": speaker.id, "title": "全民健身", "category": "业务知识讲解", "abstract": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (lecture.speaker.login, lecture.title) == ("speaker", "全民健身")


def test_edit_form_refuses_a_deadline_after_the_talk(client, auth, db):
    lecture = make_lecture("2026-12-07")
    _admin(auth)
    response = auth.post(
        f"/lectures/{lecture.id}/edit",
        {
            "speaker": 0,
            "department": lecture.department_id,
            "title": "x",
            "category": "政治理论",
            "abstract": "",
            "deadline": "2026-12-08T18:00",
        },
    )
    assert response.status_code == 422
    assert "课件截止时间不能晚于讲学开始时间。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert lecture.title == "全民健身与乡村文化振兴"


def test_generate_page_shows_skipped_holidays_and_unknown_year_warning(client, auth, db):
    _admin(auth)
    response = auth.post(
        "/admin/schedule/generate", {"start": "2026-09-28", "end": "2027-01-06", "series": 0}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2026年10月1日（周四） 每周两操：法定节假日（国庆节）" in page
    assert (
        "2027 年的法定节假日尚未收录（chinesecalendar 需要更新），这些日期未排除节假日，请人工核对"
        in page
    )


def test_generate_page_refuses_a_reversed_range(client, auth, db):
    _admin(auth)
    response = auth.post(
        "/admin/schedule/generate", {"start": "2026-10-12", "end": "2026-09-28", "series": 0}
    )
    assert response.status_code == 422
    assert "结束日期不能早于开始日期。" in response.get_data(as_text=True)
    assert db.session.query(Session).count() == 0


def test_rotation_pages_propose_and_confirm(client, auth, db):
    generate("2026-12-07", "2026-12-09", "lecture")
    _admin(auth)
    ids = [auth_services.department_by_name(n).id for n in ("纪委", "财政所")]
    page = auth.post(
        "/admin/schedule/rotation", {"start": "2026-12-07", "end": "2026-12-09", "departments": ids}
    ).get_data(as_text=True)
    assert "轮讲方案（2 场）" in page
    sessions = services.list_sessions(dt.date(2026, 12, 7), dt.date(2026, 12, 9))
    response = auth.post(
        "/admin/schedule/rotation/confirm",
        {f"dept-{sessions[0].id}": ids[1], f"dept-{sessions[1].id}": "0"},
    )
    assert response.status_code == 302
    assert [(lec.session_id, lec.department.name) for lec in db.session.query(Lecture)] == [
        (sessions[0].id, "财政所")
    ]


def test_move_page_refuses_a_clash_with_the_same_series(client, auth, db):
    generate("2026-12-07", "2026-12-09", "lecture")
    monday = make_session("2026-12-07")
    _admin(auth)
    response = auth.post(
        f"/sessions/{monday.id}/move",
        {"date": "2026-12-09", "time": "15:00", "venue": "", "reason": "调整"},
    )
    assert response.status_code == 422
    assert "不能调整到同一天" in response.get_data(as_text=True)


def test_dashboard_highlights_talks_without_speaker_within_a_week(client, auth, db):
    soon = next(
        d
        for d in (dt.date.today() + dt.timedelta(days=n) for n in range(2, 7))
        if not is_holiday(d)
    )
    lectures.add_lecture_on_date(soon, category="政治理论", department="纪委")
    _admin(auth)
    page = client.get("/admin/schedule").get_data(as_text=True)
    assert 'class="overdue"' in page
    assert "7 天内开讲，尚未确定讲课人" in page


def test_series_settings_page_saves_and_updates_future_sessions(client, auth, db):
    session = make_session(upcoming_weekday(1), kind="training")
    _admin(auth)
    response = auth.post(
        "/admin/schedule/series/2",
        {
            "weekdays": [1, 3],
            "start_time": "07:00",
            "summer_start_time": "06:00",
            "summer_from": "05-01",
            "summer_to": "09-30",
            "duration_minutes": 30,
            "venue": "乡政府大院",
            "leader": 0,
            "department": 0,
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert session.venue == "乡政府大院"
