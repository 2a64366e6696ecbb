"""Leave: the day-before cutoff (逾期), past sessions, who decides, withdrawing."""

from __future__ import annotations

import datetime as dt

from lecturehub.attendance import leave as leave_service
from lecturehub.attendance.models import LeaveRequest
from tests.conftest import service_error
from tests.factories import make_user
from tests.factories.attendance import T0, ask_leave, make_leader, make_session, series_of


def test_leave_before_the_end_of_the_day_before_is_on_time(app):
    session, user = make_session(T0), make_user()
    leave = ask_leave(user, session, at=dt.datetime(2026, 11, 22, 23, 59))
    assert (leave.status, leave.late) == ("pending", False)


def test_leave_on_the_day_of_the_session_is_accepted_but_late(app):
    session, user = make_session(T0), make_user()
    leave = ask_leave(user, session, at=dt.datetime(2026, 11, 23, 0, 0))
    assert (leave.status, leave.late) == ("pending", True)


def test_range_leave_is_late_against_its_first_session(app):
    make_session(T0 + dt.timedelta(days=2))  # Wednesday; nothing on Monday in this range
    ask = leave_service.LeaveAsk(
        series_of(), "公假", "出差", date_from=T0.date(), date_to=T0.date() + dt.timedelta(days=2)
    )
    leave = leave_service.request_leave(make_user(), ask, now=dt.datetime(2026, 11, 24, 9))
    assert leave.late is False


def test_leave_for_a_started_session_is_refused(app, db):
    session, user = make_session(T0), make_user()
    error = service_error(lambda: ask_leave(user, session, at=T0))
    assert (error.code, error.message) == ("leave_past", "该场次已开始或已结束，不能再请假。")
    assert db.session.query(LeaveRequest).count() == 0


def test_leave_for_past_dates_is_refused(app):
    error = service_error(
        lambda: leave_service.request_leave(
            make_user(),
            leave_service.LeaveAsk(
                series_of(),
                "事假",
                "家中有事",
                date_from=dt.date(2026, 11, 1),
                date_to=dt.date(2026, 11, 2),
            ),
            now=T0,
        )
    )
    assert error.code == "leave_past"


def test_leave_needs_a_reason_and_a_known_type(app):
    session, user = make_session(T0), make_user()
    assert service_error(lambda: ask_leave(user, session, reason=" ")).message == "请填写请假事由。"
    assert (
        service_error(lambda: ask_leave(user, session, leave_type="年假")).code == "bad_leave_type"
    )


def test_a_second_overlapping_request_is_refused(app):
    session, user = make_session(T0), make_user()
    ask_leave(user, session)
    assert service_error(lambda: ask_leave(user, session)).code == "leave_overlap"


def test_the_lead_leader_approves_and_the_cadre_sees_it(app):
    leader = make_leader()
    leave = ask_leave(make_user(), make_session(T0))
    leave_service.decide(leave, leader, True, "注意安全", now=T0 - dt.timedelta(days=1))
    assert (leave.status, leave.decided_by_id, leave.decision_comment) == (
        "approved",
        leader.id,
        "注意安全",
    )
    assert leave_service.pending_for(leader) == []


def test_only_the_lead_leader_of_that_series_may_decide(app, db):
    make_leader()
    other_leader = make_leader("training")
    admin = make_user("boss", roles=["admin"])
    leave = ask_leave(make_user(), make_session(T0))
    for someone in (other_leader, admin):
        error = service_error(lambda who=someone: leave_service.decide(leave, who, True))
        assert (error.status, error.code) == (403, "not_series_leader")
    db.session.refresh(leave)
    assert leave.status == "pending"


def test_a_decided_request_cannot_be_decided_again(app):
    leader = make_leader()
    leave = ask_leave(make_user(), make_session(T0))
    leave_service.decide(leave, leader, False, "当天有重要任务")
    assert (
        service_error(lambda: leave_service.decide(leave, leader, True)).code == "already_decided"
    )


def test_withdraw_before_the_session(app):
    session, user = make_session(T0), make_user()
    leave = ask_leave(user, session)
    leave_service.withdraw(leave, user, now=T0 - dt.timedelta(hours=1))
    assert leave.status == "withdrawn"


def test_withdraw_after_the_start_is_refused(app):
    session, user = make_session(T0), make_user()
    leave = ask_leave(user, session)
    assert (
        service_error(lambda: leave_service.withdraw(leave, user, now=T0)).code == "leave_started"
    )


def test_someone_else_cannot_withdraw_my_leave(app):
    session, user = make_session(T0), make_user()
    leave = ask_leave(user, session)
    assert (
        service_error(
            lambda: leave_service.withdraw(leave, make_user(), now=T0 - dt.timedelta(days=1))
        ).status
        == 403
    )


def test_an_admin_may_record_leave_on_someones_behalf(app):
    admin, user = make_user("boss", roles=["admin"]), make_user("zhang")
    session = make_session(T0)
    ask = leave_service.LeaveAsk(session.series, "病假", "住院", session=session)
    leave = leave_service.request_leave(user, ask, by=admin, now=T0 - dt.timedelta(days=2))
    assert (leave.user_id, leave.created_by_id) == (user.id, admin.id)


def test_a_member_may_not_record_leave_for_someone_else(app):
    session = make_session(T0)
    error = service_error(
        lambda: leave_service.request_leave(
            make_user(),
            leave_service.LeaveAsk(session.series, "事假", "x", session=session),
            by=make_user(),
            now=T0 - dt.timedelta(days=2),
        )
    )
    assert error.status == 403


def test_a_lead_leader_cannot_approve_their_own_leave(app, db):
    leader = make_leader()
    leave = ask_leave(leader, make_session(T0))
    error = service_error(lambda: leave_service.decide(leave, leader, True))
    assert (error.status, error.code) == (403, "own_leave")
    db.session.refresh(leave)
    assert leave.status == "pending"


def test_the_lead_leaders_own_leave_is_decided_by_an_admin(app):
    leader = make_leader()
    admin = make_user("boss", roles=["admin"])
    leave = ask_leave(leader, make_session(T0))
    leave_service.decide(leave, admin, True, "同意", now=T0 - dt.timedelta(days=1))
    assert (leave.status, leave.decided_by_id) == ("approved", admin.id)
