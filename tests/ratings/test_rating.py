"""Who may rate and when, the score checks, and one rating per person (update, not duplicate)."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.attendance import signin
from lecturehub.attendance.models import AttendanceRecord
from lecturehub.extensions import db
from lecturehub.ratings import services
from lecturehub.ratings.models import Rating
from tests.conftest import service_error
from tests.factories import make_user
from tests.factories.ratings import attendee, make_talk, rate, recent_talk, scores

T0 = dt.datetime(2026, 10, 12, 19, 0)
END = T0 + dt.timedelta(hours=1)


def _count() -> int:
    return db.session.query(Rating).count()


def test_a_signed_in_attendee_rates_after_the_talk_ends(app):
    talk = make_talk(T0)
    user = attendee(talk)
    rating, created = services.rate(talk, user, scores(4, 5, 3, 2, 1, "很实用"), now=END)
    assert created is True
    assert rating.scores() == {"overall": 4, "useful": 5, "practical": 3, "clear": 2, "timing": 1}
    assert rating.comment == "很实用"


def test_a_late_sign_in_counts_as_signed_in(app):
    talk = make_talk(T0)
    user = attendee(talk, late=True)
    assert services.rate(talk, user, scores(), now=END)[1] is True


def test_a_second_rating_updates_the_first_instead_of_adding_one(app):
    talk = make_talk(T0)
    user = attendee(talk)
    first, _ = services.rate(talk, user, scores(overall=2, comment="一般"), now=END)
    second, created = services.rate(
        talk, user, scores(overall=5, comment="改了"), now=END + dt.timedelta(days=2)
    )
    assert created is False
    assert second.id == first.id
    assert (second.overall, second.comment, _count()) == (5, "改了", 1)
    assert second.updated_at == END + dt.timedelta(days=2)


def test_someone_who_did_not_sign_in_may_not_rate(app):
    talk = make_talk(T0)
    error = service_error(lambda: services.rate(talk, make_user(), scores(), now=END))
    assert (error.code, error.status) == ("not_attended", 403)
    assert error.message == "您没有在本场讲学签到，只有签到的人员才能评价。"
    assert _count() == 0


def test_an_absent_record_is_not_a_sign_in(app):
    talk = make_talk(T0)
    user = make_user()
    db.session.add(
        AttendanceRecord(
            session_id=talk.session_id, user_id=user.id, status="absent", method="roll_call"
        )
    )
    db.session.commit()
    assert (
        service_error(lambda: services.rate(talk, user, scores(), now=END)).code == "not_attended"
    )


def test_rating_before_the_talk_ends_is_refused(app):
    talk = make_talk(T0)
    user = attendee(talk)
    error = service_error(
        lambda: services.rate(talk, user, scores(), now=END - dt.timedelta(minutes=1))
    )
    assert (error.code, error.status) == ("not_ended", 422)
    assert error.message == "讲学尚未结束，10月12日 20:00 结束后才能评价。"
    assert _count() == 0


def test_rating_is_open_until_seven_days_after_the_end_and_closed_after(app):
    talk = make_talk(T0)
    early, late = attendee(talk), attendee(talk)
    closes = END + dt.timedelta(days=7)
    assert services.rate(talk, early, scores(), now=closes)[1] is True
    error = service_error(
        lambda: services.rate(talk, late, scores(), now=closes + dt.timedelta(seconds=1))
    )
    assert (error.code, error.status) == ("window_closed", 409)
    assert error.message == "评价已截止（截止时间 10月19日 20:00）。"
    assert _count() == 1


def test_the_window_follows_the_configured_days(app):
    app.config["RATING_WINDOW_DAYS"] = 2
    talk = make_talk(T0)
    assert services.window(talk) == (END, END + dt.timedelta(days=2))


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("overall", 0, "bad_score"),
        ("useful", 6, "bad_score"),
        ("clear", None, "missing_score"),
        ("timing", "五", "bad_score"),
        ("practical", True, "bad_score"),
        ("overall", 4.5, "bad_score"),
        ("useful", "", "missing_score"),
    ],
)
def test_a_score_out_of_range_or_missing_is_refused(app, field, value, code):
    talk = make_talk(T0)
    user = attendee(talk)
    data = scores()
    data[field] = value
    error = service_error(lambda: services.rate(talk, user, data, now=END))
    assert (error.code, error.status) == (code, 422)
    assert _count() == 0


def test_a_missing_field_names_the_dimension(app):
    talk = make_talk(T0)
    data = scores()
    del data["practical"]
    error = service_error(lambda: services.rate(talk, attendee(talk), data, now=END))
    assert error.message == "请为“联系实际”打分（1–5 分）。"


def test_a_comment_over_1000_characters_is_refused_and_changes_nothing(app):
    talk = make_talk(T0)
    user = attendee(talk)
    rate(talk, user, overall=3, comment="原来的意见")
    error = service_error(
        lambda: services.rate(talk, user, scores(overall=5, comment="长" * 1001), now=END)
    )
    assert (error.code, error.status) == ("comment_too_long", 422)
    db.session.expire_all()
    assert (services.my_rating(talk, user).overall, services.my_rating(talk, user).comment) == (
        3,
        "原来的意见",
    )


def test_a_comment_of_exactly_1000_characters_is_accepted(app):
    talk = make_talk(T0)
    rating, _ = services.rate(talk, attendee(talk), scores(comment="好" * 1000), now=END)
    assert len(rating.comment) == 1000


def test_a_script_tag_is_stored_as_plain_text(app):
    talk = make_talk(T0)
    rating = rate(talk, attendee(talk), comment="<script>alert(1)</script>")
    assert rating.comment == "<script>alert(1)</script>"


def test_a_cancelled_talk_cannot_be_rated(app):
    talk = recent_talk(days_ago=1)
    user = attendee(talk)
    talk.session.status = "cancelled"
    db.session.commit()
    assert service_error(lambda: services.rate(talk, user, scores())).code == "session_cancelled"


def test_pending_lists_open_unrated_talks_the_user_signed_in_to(app):
    rated, open_, closed = (
        recent_talk(1, title="已评"),
        recent_talk(2, title="待评"),
        recent_talk(9, title="已截止"),
    )
    not_attended = recent_talk(3, title="未签到")
    user = attendee(rated)
    for talk in (open_, closed):
        signin.record_signin(talk.session, user, talk.session.starts_at)
    rate(rated, user)
    assert [t.title for t in services.pending_for(user)] == ["待评"]
    assert services.pending_for(make_user()) == []
    assert services.refusal(not_attended, user).code == "not_attended"


def test_the_speaker_may_not_rate_their_own_talk(app):
    speaker = make_user()
    talk = make_talk(T0, speaker=speaker)
    signin.record_signin(talk.session, speaker, talk.session.starts_at)
    error = service_error(lambda: services.rate(talk, speaker, scores(), now=END))
    assert (error.code, error.status) == ("own_talk", 403)
    assert _count() == 0
