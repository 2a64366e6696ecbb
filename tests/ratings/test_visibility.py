"""The minimum-count rule on every page and in the API; anonymity of comments and raters."""

from __future__ import annotations

import random
import re

from lecturehub.ratings import summaries
from tests.factories import make_user
from tests.factories.ratings import SIX, attendee, rate, rate_many, recent_talk

SHORTFALL_4 = "评价人数不足（已有 4 人评价，满 5 人后显示）"


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_below_the_minimum_count_the_summary_shows_only_counts(app):
    talk = recent_talk()
    rate_many(talk, SIX[:4], comments=["好"])
    summary = summaries.summary(talk)
    assert (summary.count, summary.signed_in, summary.visible) == (4, 4, False)
    assert summary.shortfall_text == SHORTFALL_4
    assert summary.as_dict() == {
        "lecture_id": talk.id,
        "count": 4,
        "signed_in": 4,
        "response_rate": 1.0,
        "visible": False,
        "min_count": 5,
        "overall": None,
        "dimensions": None,
        "satisfaction_rate": None,
        "comments": None,
    }


def test_from_the_minimum_count_the_summary_shows_means_and_distributions(app):
    talk = recent_talk()
    rate_many(talk, SIX[:5])
    attendee(talk)  # signed in, not rated
    body = summaries.summary(talk).as_dict()
    assert (body["count"], body["signed_in"], body["response_rate"], body["visible"]) == (
        5,
        6,
        0.8333,
        True,
    )
    assert body["overall"] == {
        "mean": 4.2,
        "distribution": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2},
    }
    assert body["dimensions"]["clear"] == {
        "mean": 3.0,
        "distribution": {"1": 0, "2": 1, "3": 3, "4": 1, "5": 0},
    }


def test_the_minimum_count_is_configurable(app):
    app.config["RATING_MIN_COUNT"] = 3
    talk = recent_talk()
    rate_many(talk, SIX[:3])
    assert summaries.summary(talk).visible is True


def test_comments_come_shuffled_not_in_stored_order_and_without_names(app):
    talk = recent_talk()
    texts = [f"意见{i}" for i in range(6)]
    rate_many(talk, SIX, comments=texts)
    orders = {tuple(summaries.summary(talk, random.Random(seed)).comments) for seed in range(8)}
    assert len(orders) > 1
    assert all(sorted(order) == sorted(texts) for order in orders)


def test_talk_page_shows_the_shortfall_below_five_then_the_means(app, client, auth):
    talk = recent_talk()
    rate_many(talk, SIX[:4], comments=["第四条意见"])
    make_user("viewer")
    auth.login("viewer")
    page = _text(client.get(f"/lectures/{talk.id}"))
    assert SHORTFALL_4 in page
    assert "第四条意见" not in page and "overall-mean" not in page
    rate_many(talk, [SIX[4]])
    page = _text(client.get(f"/lectures/{talk.id}"))
    assert 'data-testid="overall-mean">4.20<' in page
    assert "第四条意见" in page
    assert re.findall(r'<svg class="([^"]+)"', page) == ["chart mean-bars"]  # means, no histograms


def test_api_summary_follows_the_same_rule(app, client, auth):
    talk = recent_talk()
    rate_many(talk, SIX[:4])
    make_user("viewer")
    auth.login("viewer")
    body = client.get(f"/api/v1/lectures/{talk.id}/ratings/summary").get_json()
    assert (body["visible"], body["overall"], body["dimensions"], body["comments"]) == (
        False,
        None,
        None,
        None,
    )
    rate_many(talk, [SIX[4]], comments=["赞"])
    body = client.get(f"/api/v1/lectures/{talk.id}/ratings/summary").get_json()
    assert (body["visible"], body["overall"]["mean"], body["comments"]) == (True, 4.2, ["赞"])
    assert "user_id" not in str(body) and "user" not in body


def test_speaker_sees_aggregates_only_at_the_minimum_count(app, client, auth):
    speaker = make_user("speaker", "讲课人甲")
    talk = recent_talk(speaker=speaker, title="我讲的课")
    rate_many(talk, SIX[:4])
    auth.login("speaker")
    page = _text(client.get("/ratings/mine"))
    assert "我讲的课" in page and SHORTFALL_4 in page
    assert "speaker-overall-mean" not in page
    rate_many(talk, [SIX[4]])
    page = _text(client.get("/ratings/mine"))
    assert 'data-testid="speaker-overall-mean">4.20<' in page
    assert page.count('class="chart histogram"') == 5
    assert 'class="chart mean-bars"' in page


def test_speaker_view_compares_with_the_series_quarter_average(app, client, auth):
    speaker = make_user("speaker", "讲课人甲")
    mine = recent_talk(1, speaker=speaker, title="我讲的课")
    other = recent_talk(2, title="别人讲的课")
    rate_many(mine, [(5, 5, 5, 5, 5)] * 5)
    rate_many(other, [(3, 3, 3, 3, 3)] * 5)
    auth.login("speaker")
    page = _text(client.get("/ratings/mine"))
    assert page.count("<title>本系列本季度平均：4.00</title>") == 5
    assert "<title>总体满意度：5.00</title>" in page


def test_admin_who_rated_page_lists_names_sorted_and_never_a_score(app, client, auth):
    talk = recent_talk()
    names = ["王五", "张三", "李四", "赵六", "钱七"]
    people = [attendee(talk, name=name) for name in names]
    for person, row in zip(people, SIX, strict=False):
        rate(
            talk,
            person,
            **dict(zip(("overall", "useful", "practical", "clear", "timing"), row, strict=True)),
        )
    waiting = attendee(talk, name="孙八")
    make_user("boss", roles=["organiser"])
    auth.login("boss")
    page = _text(client.get(f"/ratings/lectures/{talk.id}/participation"))
    rated = re.search(r'data-testid="rated-list">(.*?)</section>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)<span", rated)
    assert items == sorted(names)
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", rated).replace("（5 人）", ""))
    not_rated = re.search(r'data-testid="not-rated-list">(.*?)</section>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?)<span", not_rated) == [waiting.name]
    assert "分" not in re.sub(r"<[^>]+>", "", rated)


def test_members_may_not_see_who_rated(app, client, auth):
    talk = recent_talk()
    make_user("plain")
    auth.login("plain")
    assert client.get(f"/ratings/lectures/{talk.id}/participation").status_code == 403


def test_a_script_in_a_comment_is_shown_escaped(app, client, auth):
    talk = recent_talk()
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
