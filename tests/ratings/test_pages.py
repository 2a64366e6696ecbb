"""The rating form on a phone (no JavaScript), its refusals, and comment moderation."""

from __future__ import annotations

import pytest

from lecturehub.attendance import signin
from lecturehub.core.errors import ServiceError
from lecturehub.extensions import db
from lecturehub.ratings import moderation, summaries
from lecturehub.ratings.models import CommentHiding, Rating
from tests.factories import make_user
from tests.factories.ratings import SIX, attendee, rate, rate_many, recent_talk, scores


def _form(**changes) -> dict:
    data = {k: str(v) for k, v in scores().items()}
    data.update(changes)
    return data


def test_the_panel_shows_the_form_to_a_signed_in_attendee(app, client, auth):
    talk = recent_talk()
    attendee(talk, login="listener")
    auth.login("listener")
    page = client.get(f"/lectures/{talk.id}").get_data(as_text=True)
    assert 'data-testid="rating-form"' in page
    assert page.count('type="radio"') == 25


def test_the_panel_gives_the_reason_instead_of_the_form(app, client, auth):
    ended, upcoming, old = (
        recent_talk(1),
        recent_talk(-2, title="下周"),
        recent_talk(10, title="旧"),
    )
    make_user("plain")
    auth.login("plain")
    for talk, reason in ((ended, "未签到"), (upcoming, "讲学尚未结束"), (old, "评价已截止")):
        page = client.get(f"/lectures/{talk.id}").get_data(as_text=True)
        assert 'data-testid="rating-form"' not in page
        assert f'<span class="badge warn">{reason}</span>' in page


def test_posting_the_form_rates_then_updates(app, client, auth):
    talk = recent_talk()
    attendee(talk, login="listener")
    auth.login("listener")
    response = auth.post(f"/ratings/lectures/{talk.id}", _form(overall="4"))
    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"/lectures/{talk.id}#ratings",
    )
    auth.post(f"/ratings/lectures/{talk.id}", _form(overall="2"))
    assert [r.overall for r in db.session.query(Rating)] == [2]
    page = client.get(f"/lectures/{talk.id}").get_data(as_text=True)
    assert "修改评价" in page and 'value="2" required\n             checked' in page


def test_a_bad_form_is_422_with_a_flash_and_keeps_the_answers(app, client, auth):
    talk = recent_talk()
    attendee(talk, login="listener")
    auth.login("listener")
    response = auth.post(f"/ratings/lectures/{talk.id}", _form(clear="", comment="我的意见"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请为“讲解清晰”打分（1–5 分）。" in page
    assert "我的意见</textarea>" in page
    assert db.session.query(Rating).count() == 0


def test_posting_without_attending_is_403(app, client, auth):
    talk = recent_talk()
    make_user("plain")
    auth.login("plain")
    response = auth.post(f"/ratings/lectures/{talk.id}", _form())
    assert response.status_code == 403
    assert "只有签到的人员才能评价" in response.get_data(as_text=True)


def test_my_ratings_page_lists_talks_to_rate_and_given(app, client, auth):
    pending, done = recent_talk(1, title="待评价的课"), recent_talk(2, title="评过的课")
    user = attendee(pending, login="listener")
    signin.record_signin(done.session, user, done.session.starts_at)
    rate(done, user, overall=3)
    auth.login("listener")
    page = client.get("/ratings").get_data(as_text=True)
    assert "待评价的课" in page and "评过的课" in page and "3 分" in page


def test_an_admin_hides_a_comment_everywhere_and_it_is_logged(app, client, auth):
    talk = recent_talk(9)  # published: the window closed with five ratings
    rate_many(talk, SIX[:5], comments=["骂人的话", "很好"])
    admin = make_user("admin1", "管理员甲", roles=["admin"])
    auth.login("admin1")
    page = client.get("/ratings/moderation").get_data(as_text=True)
    assert "骂人的话" in page
    rating = db.session.query(Rating).filter_by(comment="骂人的话").one()
    assert (
        auth.post(f"/ratings/comments/{rating.id}/hide", {"reason": "人身攻击"}).status_code == 302
    )
    assert summaries.summary(talk).comments == ["很好"]
    assert client.get(f"/api/v1/lectures/{talk.id}/ratings/summary").get_json()["comments"] == [
        "很好"
    ]
    assert "骂人的话" not in client.get(f"/lectures/{talk.id}").get_data(as_text=True)
    log = db.session.query(CommentHiding).one()
    assert (log.text, log.reason, log.hidden_by_id) == ("骂人的话", "人身攻击", admin.id)
    page = client.get("/ratings/moderation").get_data(as_text=True)
    assert "人身攻击" in page and "管理员甲" in page


def test_hiding_needs_a_reason(app):
    talk = recent_talk()
    rate_many(talk, SIX[:1], comments=["x"])
    rating = db.session.query(Rating).one()
    admin = make_user(roles=["admin"])
    with pytest.raises(ServiceError) as info:
        moderation.hide_comment(rating, admin, "  ")
    assert info.value.code == "missing_reason"
    assert rating.comment_hidden is False and db.session.query(CommentHiding).count() == 0


def test_comments_of_a_talk_not_yet_published_cannot_be_seen_or_hidden(app, client, auth):
    talk = recent_talk()
    rate_many(talk, SIX[:5], comments=["尚未公布的意见"])
    make_user("admin1", roles=["admin"])
    auth.login("admin1")
    assert "尚未公布的意见" not in client.get("/ratings/moderation").get_data(as_text=True)
    rating = db.session.query(Rating).filter_by(comment="尚未公布的意见").one()
    response = auth.post(f"/ratings/comments/{rating.id}/hide", {"reason": "试探"})
    assert response.status_code == 404
    db.session.refresh(rating)
    assert (rating.comment_hidden, db.session.query(CommentHiding).count()) == (False, 0)
