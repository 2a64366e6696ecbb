"""The /search page: results grouped by talk with highlighted, escaped snippets linking to the
slide, recent talks for an empty box, "drop a filter" links, Chinese 400s, paging by talk."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_user
from tests.factories.search import talk_with_deck

HIT_LINK = re.compile(r'<a href="([^"]+)" class="slide-link">')
DROP_LINK = re.compile(r'<a href="([^"]+)" data-testid="drop-filter">')


@pytest.fixture
def member(client, auth, app):
    make_user("member1", "干部甲")
    auth.login("member1")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_hits_are_grouped_by_talk_and_link_to_the_slide(client, admin, member, tmp_path):
    talk = talk_with_deck(
        tmp_path,
        admin,
        ["开场", "全面推进乡村振兴战略", "乡村振兴示范村"],
        title="乡村振兴政策解读",
        speaker=admin,
        day=dt.date(2024, 3, 4),
    )
    talk_with_deck(tmp_path, admin, ["乡村建设要稳步推进，产业发展是基础，人才振兴是关键"])
    text = page(client, "/search?q=乡村振兴")
    assert text.count('data-testid="talk-result"') == 1
    assert "约 2 页幻灯片，分属 1 场讲学" in text
    assert '<strong class="hit-count" data-testid="hit-count">2 页匹配</strong>' in text
    assert "2024年3月4日（周一）" in text and "孔锐" in text
    assert "全面推进<mark>乡村振兴</mark>战略" in text
    assert sorted(HIT_LINK.findall(text)) == [
        f"/lectures/{talk.id}#slide-2",
        f"/lectures/{talk.id}#slide-3",
    ]


def test_the_talk_page_lists_the_slide_a_hit_links_to(client, admin, member, tmp_path):
    talk = talk_with_deck(tmp_path, admin, ["开场", "全面推行河长制"], hidden={2})
    text = page(client, f"/lectures/{talk.id}")
    assert '<li id="slide-2" class="slide-text">' in text
    assert '<p class="slide-body">全面推行河长制</p>' in text
    assert text.count('id="slide-2"') == 1


def test_slide_text_is_escaped_around_the_highlight(client, admin, member, tmp_path):
    talk_with_deck(tmp_path, admin, ["<script>alert(1)</script> 做好防汛工作"])
    text = page(client, "/search?q=防汛")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 做好<mark>防汛</mark>工作" in text
    assert "<script>alert" not in text


def test_hidden_slides_are_marked(client, admin, member, tmp_path):
    talk_with_deck(tmp_path, admin, ["防汛预案", "防汛演练"], hidden={2})
    assert page(client, "/search?q=防汛演练").count('<span class="badge ">隐藏页</span>') == 1


def test_an_empty_box_shows_the_latest_talks_with_courseware(client, admin, member, tmp_path):
    talk_with_deck(tmp_path, admin, ["甲"], title="较早的讲学", day=dt.date(2024, 3, 4))
    talk_with_deck(tmp_path, admin, ["乙"], title="最近的讲学", day=dt.date(2024, 9, 2))
    text = page(client, "/search")
    assert 'data-testid="recent-talks"' in text
    assert text.index("最近的讲学") < text.index("较早的讲学")
    assert '空格分隔=同时包含；"…"=完整短语；-词=排除；OR=或' in text


def test_no_hits_offer_to_drop_each_active_filter(client, admin, member, tmp_path):
    talk_with_deck(tmp_path, admin, ["防汛预案"], category="业务知识讲解")
    text = page(client, "/search?q=防汛&category=政治理论&department=组织办")
    links = [parse_qs(urlsplit(html.unescape(href)).query) for href in DROP_LINK.findall(text)]
    assert links == [
        {"q": ["防汛"], "department": ["组织办"]},
        {"q": ["防汛"], "category": ["政治理论"]},
    ]
    assert "去掉「类别：政治理论」" in text and "去掉「部门：组织办」" in text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ('/search?q="乡村振兴', "引号没有配对，请检查查询中的引号。"),
        ("/search?q=防汛&from=2024-02-30", "开始日期格式应为 YYYY-MM-DD。"),
    ],
)
def test_a_malformed_search_shows_the_chinese_message_with_400(client, member, url, message):
    text = page(client, url, status=400)
    assert (
        f'<div class="flash flash-danger" role="alert" data-testid="search-error">{message}</div>'
        in text
    )


def test_results_are_paged_ten_talks_at_a_time(client, admin, member, tmp_path):
    for n in range(12):
        talk_with_deck(tmp_path, admin, [f"第{n}讲防汛"], day=dt.date(2024, 1, 1) + dt.timedelta(n))
    first, second = (
        page(client, "/search?q=防汛&sort=date"),
        page(client, "/search?q=防汛&sort=date&page=2"),
    )
    assert (
        first.count('data-testid="talk-result"'),
        second.count('data-testid="talk-result"'),
    ) == (10, 2)
    assert "第 1 / 2 页" in first and 'rel="next"' in first and 'rel="prev"' in second


def test_members_see_search_in_the_menu(client, member):
    assert '<a href="/search" class="">搜索</a>' in page(client, "/schedule")
