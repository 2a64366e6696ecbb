"""GET /api/v1/search on real decks uploaded through the courseware service: exact matching,
AND / phrase / exclude / OR, filters, paging and the 400 bad_query answers."""

from __future__ import annotations

import datetime as dt

import pytest

from lecturehub.schedule import services as schedule_services
from tests.factories import bearer, make_token, make_user
from tests.factories.search import talk_with_deck


@pytest.fixture
def talks(app, tmp_path):
    """Three talks; B has 乡村 and 振兴 on one slide but far apart."""
    admin = make_user("boss", "孔锐", roles=["admin"])
    guo, chen = make_user("guoy", "郭雨"), make_user("chenj", "陈静")
    a = talk_with_deck(
        tmp_path,
        admin,
        ["全面推进乡村振兴战略", "医保报销流程：先垫付后报销", "防汛抗旱应急预案"],
        title="乡村振兴政策解读",
        speaker=admin,
        department="党政办",
        category="最新政策和文件解读",
        day=dt.date(2024, 3, 4),
    )
    b = talk_with_deck(
        tmp_path,
        admin,
        [
            "乡村建设要稳步推进，产业发展是基础，人才振兴是关键",
            "全面推行河长制、湖长制",
            "防汛责任落实到人",
        ],
        title="农村工作要点",
        speaker=guo,
        department="农业农村服务中心",
        category="业务知识讲解",
        day=dt.date(2024, 5, 6),
    )
    c = talk_with_deck(
        tmp_path,
        admin,
        ["医保政策宣讲", "报销材料清单"],
        title="党史学习",
        speaker=chen,
        department="组织办",
        category="党史和红色故事学习",
        day=dt.date(2024, 9, 2),
    )
    return {"token": make_token(admin), "a": a.id, "b": b.id, "c": c.id}


def get(client, talks, **args):
    return client.get("/api/v1/search", query_string=args, headers=bearer(talks["token"]))


def slides(client, talks, **args) -> list[tuple[int, int]]:
    """(lecture_id, slide) of every hit, sorted."""
    response = get(client, talks, **args)
    assert response.status_code == 200, response.get_json()
    return sorted((h["lecture_id"], h["slide"]) for h in response.get_json()["hits"])


def test_chinese_words_match_only_where_they_stand_together(client, talks):
    assert slides(client, talks, q="乡村振兴") == [(talks["a"], 1)]


def test_space_means_all_words_on_the_same_slide(client, talks):
    assert slides(client, talks, q="乡村 振兴") == [(talks["a"], 1), (talks["b"], 1)]
    assert slides(client, talks, q="医保 报销") == [(talks["a"], 2)]


def test_quoted_phrase_exclusion_and_or(client, talks):
    assert slides(client, talks, q='"医保报销"') == [(talks["a"], 2)]
    assert slides(client, talks, q="防汛 -预案") == [(talks["b"], 3)]
    assert slides(client, talks, q="河长制 OR 医保报销") == [(talks["a"], 2), (talks["b"], 2)]


def test_filters_narrow_the_hits(client, talks):
    a, b = (talks["a"], 3), (talks["b"], 3)
    series_id = schedule_services.lecture_series().id
    assert slides(client, talks, q="防汛", category="业务知识讲解") == [b]
    assert slides(client, talks, q="防汛", department="党政办") == [a]
    assert slides(client, talks, q="防汛", speaker="郭雨") == [b]
    assert slides(client, talks, q="防汛", **{"from": "2024-04-01"}) == [b]
    assert slides(client, talks, q="防汛", to="2024-03-04") == [a]
    assert slides(client, talks, q="防汛", series=str(series_id)) == [a, b]
    assert slides(client, talks, q="防汛", speaker="郭雨", department="党政办") == []


def test_a_hit_carries_the_talk_and_the_highlighted_snippet(client, talks):
    body = get(client, talks, q="河长制").get_json()
    (hit,) = body["hits"]
    assert isinstance(hit.pop("score"), float)
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 20)
    assert hit == {
        "lecture_id": talks["b"],
        "lecture_title": "农村工作要点",
        "courseware_id": hit["courseware_id"],
        "slide": 2,
        "slide_title": "第2页",
        "snippet": "第2页 全面推行<mark>河长制</mark>、湖长制",
        "date": "2024-05-06",
        "speaker": "郭雨",
        "department": "农业农村服务中心",
        "category": "业务知识讲解",
        "hidden": False,
        "url": f"/lectures/{talks['b']}#slide-2",
        "thumb": None,  # no slide images here: the background job never ran
    }


def test_sort_by_date_lists_the_newest_talk_first(client, talks):
    hits = get(client, talks, q="医保 OR 防汛", sort="date").get_json()["hits"]
    assert [h["lecture_id"] for h in hits] == [talks["c"], talks["b"], talks["a"], talks["a"]]


def test_pages_split_the_hits_and_per_page_is_capped_at_100(client, talks):
    body = get(client, talks, q="防汛", sort="date", page="2", per_page="1").get_json()
    assert (body["total"], [h["lecture_id"] for h in body["hits"]]) == (2, [talks["a"]])
    assert get(client, talks, q="防汛", per_page="500").get_json()["per_page"] == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"q": '"乡村振兴'}, "引号没有配对，请检查查询中的引号。"),
        ({"q": "-防汛"}, "不能只输入排除词（以“-”开头的词），请加上要搜索的字词。"),
        ({"q": "防汛", "from": "2024-13-01"}, "开始日期格式应为 YYYY-MM-DD。"),
        ({"q": "防汛", "from": "2024-06-01", "to": "2024-01-01"}, "开始日期不能晚于结束日期。"),
        ({"q": "防汛", "page": "0"}, "页码必须是正整数。"),
        ({"q": "防汛", "per_page": "x"}, "每页条数必须是正整数。"),
        ({"q": "防汛", "sort": "score"}, "排序方式必须是 relevance（相关度）或 date（时间）。"),
        (
            {"q": "防汛", "category": "其他"},
            "讲学类别必须是：政治理论、党史和红色故事学习、最新政策和文件解读、业务知识讲解。",
        ),
    ],
)
def test_malformed_requests_are_400_bad_query_in_chinese(client, talks, args, message):
    response = get(client, talks, **args)
    assert response.status_code == 400
    assert response.get_json() == {"error": {"code": "bad_query", "message": message}}


def test_members_may_search_with_their_session(client, auth, talks):
    make_user("member1", "干部甲")
    auth.login("member1")
    response = client.get("/api/v1/search?q=河长制")
    assert (response.status_code, response.get_json()["total"]) == (200, 1)
