"""The publication rule on every page and in the API: nothing while the window is open, the
count once it has closed, scores and comments from the minimum count on; anonymity of comments
and raters."""

from __future__ import annotations

import datetime as dt
import random
import re

from lecturehub.attendance import signin
from lecturehub.core.timeutil import iso
from lecturehub.ratings import services, summaries
from tests.factories import make_user
from tests.factories.ratings import SIX, attendee, rate, rate_many, recent_talk

CLOSED = 9  # days ago: the 7-day window of a talk held then has closed


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _open_notice(talk) -> str:
    closes = services.window(talk)[1]
    return (
        f"评价进行中，{closes.month}月{closes.day}日 {closes:%H:%M} 截止后公布结果"
        "（满 5 人评价才公布）；截止前不显示评价人数和分数。"
    )


def test_while_the_window_is_open_the_summary_shows_neither_count_nor_scores(app):
    talk = recent_talk()
    rate_many(talk, SIX, comments=["好"])
    summary = summaries.summary(talk)
    assert (summary.status, summary.count, summary.signed_in, summary.published) == (
        "open",
        None,
        6,
        False,
    )
    assert summary.as_dict() == {
        "lecture_id": talk.id,
        "status": "open",
        "published": False,
        "window_closes_at": iso(services.window(talk)[1]),
        "notice": _open_notice(talk),
        "count": None,
        "signed_in": 6,
        "response_rate": None,
        "visible": False,
        "min_count": 5,
        "overall": None,
        "dimensions": None,
        "satisfaction_rate": None,
        "comments": None,
    }


def test_after_the_window_below_the_minimum_only_the_count_shows(app):
    talk = recent_talk(CLOSED)
    rate_many(talk, SIX[:4], comments=["好"])
    body = summaries.summary(talk).as_dict()
    assert (body["status"], body["count"], body["response_rate"], body["published"]) == (
        "too_few",
        4,
        1.0,
        False,
    )
    assert (body["overall"], body["comments"]) == (None, None)
    assert body["notice"] == "评价已截止，共 4 人评价，不足 5 人，结果不公布。"


def test_after_the_window_from_the_minimum_means_and_distributions_are_published(app):
    talk = recent_talk(CLOSED)
    rate_many(talk, SIX[:5])
    attendee(talk)  # signed in, not rated
    body = summaries.summary(talk).as_dict()
    assert (body["count"], body["signed_in"], body["response_rate"], body["published"]) == (
        5,
        6,
        0.8333,
        True,
    )
    assert (body["status"], body["notice"]) == ("published", "")
    assert body["overall"] == {
        "mean": 4.2,
        "distribution": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2},
    }
    assert body["dimensions"]["clear"] == {
        "mean": 3.0,
        "distribution": {"1": 0, "2": 1, "3": 3, "4": 1, "5": 0},
    }


def test_publication_comes_with_the_close_of_the_window_not_with_the_fifth_rating(app):
    talk = recent_talk()
    rate_many(talk, SIX)
    closes = services.window(talk)[1]
    assert summaries.summary(talk, now=closes).status == "open"
    after = summaries.summary(talk, now=closes + dt.timedelta(seconds=1))
    assert (after.status, after.count, after.aggregate.overall.mean) == ("published", 6, 3.83)


def test_an_upcoming_talk_says_when_its_results_come(app):
    talk = recent_talk(-2)
    closes = services.window(talk)[1]
    summary = summaries.summary(talk)
    assert (summary.status, summary.count) == ("upcoming", None)
    assert summary.notice == (
        f"讲学结束后开放评价，{closes.month}月{closes.day}日 {closes:%H:%M} "
        "评价截止后公布结果（满 5 人评价才公布）。"
    )


def test_the_minimum_count_is_configurable(app):
    app.config["RATING_MIN_COUNT"] = 3
    talk = recent_talk(CLOSED)
    rate_many(talk, SIX[:3])
    assert summaries.summary(talk).published is True


def test_comments_come_shuffled_not_in_stored_order_and_without_names(app):
    talk = recent_talk(CLOSED)
    texts = [f"意见{i}" for i in range(6)]
    rate_many(talk, SIX, comments=texts)
    orders = {tuple(summaries.summary(talk, random.Random(seed)).comments) for seed in range(8)}
    assert len(orders) > 1
    assert all(sorted(order) == sorted(texts) for order in orders)


def test_talk_page_shows_the_notice_while_open_and_the_means_once_published(app, client, auth):
    talk = recent_talk()
    rate_many(talk, SIX[:5], comments=["第五条意见"])
    old = recent_talk(CLOSED, title="旧讲学")
    rate_many(old, SIX[:5], comments=["公布的意见"])
    make_user("viewer")
    auth.login("viewer")
    page = _text(client.get(f"/lectures/{talk.id}"))
    assert _open_notice(talk) in page
    assert "第五条意见" not in page and "overall-mean" not in page
    assert 'data-testid="rating-count"' not in page
    page = _text(client.get(f"/lectures/{old.id}"))
    assert 'data-testid="rating-count">5<' in page
    assert 'data-testid="overall-mean">4.20<' in page
    assert "公布的意见" in page
    assert re.findall(r'<svg class="([^"]+)"', page) == ["chart mean-bars"]  # means, no histograms


def test_api_summary_follows_the_same_rule(app, client, auth):
    talk = recent_talk()
    rate_many(talk, SIX[:5])
    old = recent_talk(CLOSED)
    rate_many(old, SIX[:5], comments=["赞"])
    make_user("viewer")
    auth.login("viewer")
    body = client.get(f"/api/v1/lectures/{talk.id}/ratings/summary").get_json()
    assert (body["count"], body["visible"], body["overall"], body["comments"]) == (
        None,
        False,
        None,
        None,
    )
    body = client.get(f"/api/v1/lectures/{old.id}/ratings/summary").get_json()
    assert (body["count"], body["visible"], body["overall"]["mean"], body["comments"]) == (
        5,
        True,
        4.2,
        ["赞"],
    )
    assert "user_id" not in str(body) and "user" not in body


def test_speaker_sees_aggregates_only_once_published(app, client, auth):
    speaker = make_user("speaker", "讲课人甲")
    talk = recent_talk(speaker=speaker, title="我讲的课")
    rate_many(talk, SIX)
    earlier = recent_talk(CLOSED, speaker=speaker, title="上次讲的课")
    rate_many(earlier, SIX[:5])
    auth.login("speaker")
    page = _text(client.get("/ratings/mine"))
    mine = re.search(rf'data-testid="speaker-talk-{talk.id}">(.*?)</section>', page, re.S)
    assert _open_notice(talk) in mine.group(1) and "评价 6 人" not in mine.group(1)
    assert page.count('data-testid="speaker-overall-mean">4.20<') == 1
    assert page.count('class="chart histogram"') == 5
    assert 'class="chart mean-bars"' in page


def test_speaker_view_compares_with_the_series_quarter_average(app, client, auth):
    speaker = make_user("speaker", "讲课人甲")
    mine = recent_talk(CLOSED, speaker=speaker, title="我讲的课")
    other = recent_talk(CLOSED + 1, title="别人讲的课")
    still_open = recent_talk(1, title="评价中的课")
    rate_many(mine, [(5, 5, 5, 5, 5)] * 5)
    rate_many(other, [(3, 3, 3, 3, 3)] * 5)
    rate_many(still_open, [(1, 1, 1, 1, 1)] * 5)  # not published: in no average
    auth.login("speaker")
    page = _text(client.get("/ratings/mine"))
    assert page.count("<title>本系列本季度平均：4.00</title>") == 5
    assert "<title>总体满意度：5.00</title>" in page


def test_the_participation_page_shows_counts_never_names(app, client, auth):
    talk = recent_talk()
    names = ["王五", "张三", "李四", "赵六", "钱七"]
    people = [attendee(talk, name=name) for name in names]
    for person in people:
        rate(talk, person)
    waiting = attendee(talk, name="孙八")
    make_user("boss", roles=["organiser"])
    auth.login("boss")
    page = _text(client.get(f"/ratings/lectures/{talk.id}/participation"))
    for person in [*people, waiting]:
        assert person.name not in page
    assert 'data-testid="participation-count">—<' in page
    assert _open_notice(talk) in page
    old = recent_talk(CLOSED)
    rate_many(old, SIX[:5])
    attendee(old, name="未评价者")
    page = _text(client.get(f"/ratings/lectures/{old.id}/participation"))
    assert 'data-testid="participation-count">5<' in page and "83.3%" in page
    assert "未评价者" not in page


def test_who_has_not_rated_is_a_service_for_reminders_only(app):
    speaker = make_user("speaker", "讲课人甲")
    talk = recent_talk(speaker=speaker)
    rated = rate_many(talk, SIX[:2])
    waiting = [attendee(talk, name="乙"), attendee(talk, name="甲")]
    signin.record_signin(talk.session, speaker, talk.session.starts_at)  # speakers never rate
    assert [u.name for u in services.not_rated(talk)] == sorted(["甲", "乙"])
    rate(talk, waiting[1])
    assert services.not_rated(talk) == [waiting[0]]
    assert rated[0] not in services.not_rated(talk)


def test_members_may_not_open_the_participation_page(app, client, auth):
    talk = recent_talk()
    make_user("plain")
    auth.login("plain")
    assert client.get(f"/ratings/lectures/{talk.id}/participation").status_code == 403


def test_a_script_in_a_comment_is_shown_escaped(app, client, auth):
    talk = recent_talk(CLOSED)
    rate_many(talk, SIX[:5], comments=["<script>alert(1)</script>"])
    make_user("viewer")
    auth.login("viewer")
    page = _text(client.get(f"/lectures/{talk.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_home_card_prompts_for_talks_to_rate(app, client, auth):
    talk = recent_talk(days_ago=2)
    user = attendee(talk, login="listener")
    auth.login("listener")
    day = talk.session.date
    assert f"你参加了 {day.month}月{day.day}日 的讲学，请评价" in _text(client.get("/"))
    rate(talk, user, at=talk.session.ends_at + (talk.session.ends_at - talk.session.starts_at))
    assert "请评价" not in _text(client.get("/"))
