"""SlideIndex on every engine (a real index in tmp_path or the test's database): exact Chinese
matching, syntax, filters, snippets, paging, updates."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from lecturehub.search.index import QueryError, TalkMeta, group_by_lecture
from tests.search import make_deck
from tests.search.engines import only

SLIDES = [
    "全面推进乡村振兴战略",  # 1
    "乡村建设要稳步推进，产业振兴是关键",  # 2: 乡村 and 振兴 apart
    "全面推行河长制、湖长制",  # 3
    "做好防汛抗旱和医保报销工作",  # 4
    "城乡低保标准逐步提高",  # 5
    "按照 GB/T 9704—2012 排版公文",  # 6
    "2023年工作回顾：建成5G基站",  # 7
    "入党",  # 8: 党 ends the run
    "党的建设",  # 9: 党 starts the run
    "优秀共产党员",  # 10: 党 inside the run
    "Excel 表格培训",  # 11
    "excellent work",  # 12
    "ＧＢ／Ｔ 全角写法",  # 13
]


@pytest.fixture
def index(new_index):
    index = new_index()
    index.add_deck(make_deck(1, SLIDES))
    return index


def slides(result) -> list[int]:
    return sorted(hit.slide for hit in result.hits)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("乡村振兴", [1]),
        ("村振兴", [1]),
        ("振兴", [1, 2]),
        ("防汛", [4]),
        ("医保", [4]),
        ("低保", [5]),
        ("河长", [3]),
        ("河长制", [3]),
        ("党", [8, 9, 10]),
        ("党员", [10]),
        ('"GB/T 9704"', [6]),
        ("gb/t", [6, 13]),
        ("2023年", [7]),
        ("5G", [7]),
        ("5g基站", [7]),
        ("EXCEL", [11]),
        ("work", [12]),
    ],
)
def test_query_matches_exactly_the_slides_containing_it(index, query, expected):
    assert slides(index.search(query)) == expected


def test_total_counts_the_matching_slides(index):
    result = index.search("党")
    assert (result.total, len(result.hits)) == (3, 3)


def test_space_separated_words_must_all_match(index):
    assert slides(index.search("乡村 振兴")) == [1, 2]
    assert slides(index.search("乡村 关键")) == [2]


def test_quoted_phrase_keeps_its_space_and_chinese_quotes_work(index):
    assert slides(index.search('"GB/T 9704—2012"')) == [6]
    assert slides(index.search("“推进乡村振兴”")) == [1]
    assert slides(index.search('"推进 乡村"')) == []


def test_minus_excludes_and_or_unites(index):
    assert slides(index.search("振兴 -乡村振兴")) == [2]
    assert slides(index.search("低保 OR 医保")) == [4, 5]
    assert slides(index.search("(河长制 OR 乡村振兴) -湖长制")) == [1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"乡村振兴', "引号没有配对，请检查查询中的引号。"),
        ("-低保", "不能只输入排除词（以“-”开头的词），请加上要搜索的字词。"),
        ("(低保 医保", "括号没有配对，请检查查询中的括号。"),
        ("低保)", "括号没有配对，请检查查询中的括号。"),
        ("低保 OR -医保", "“OR”两边不能是排除词（以“-”开头的词）。"),
        ("@#$", "查询中没有可以搜索的文字或数字。"),
    ],
)
def test_malformed_query_raises_query_error_in_chinese(index, query, message):
    with pytest.raises(QueryError) as error:
        index.search(query)
    assert error.value.message == message


def test_snippet_escapes_html_and_marks_the_match(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ['<script>alert("x")</script> 做好防汛工作']))
    (hit,) = index.search("防汛").hits
    assert (
        hit.snippet == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 做好<mark>防汛</mark>工作"
    )


def test_snippet_has_at_most_three_fragments(new_index):
    filler = "各项工作有序开展，" * 8
    index = new_index()
    index.add_deck(make_deck(1, [filler.join(["低保"] * 6)]))
    snippet = index.search("低保").hits[0].snippet
    assert (snippet.count("<mark>低保</mark>"), snippet.count("…")) == (3, 3)


def test_snippet_comes_from_notes_when_only_the_notes_match(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["工作要点"], notes="讲解时强调高标准农田建设"))
    assert index.search("高标准农田").hits[0].snippet == "讲解时强调<mark>高标准农田</mark>建设"


def test_filters_by_category_department_speaker_series_and_date(new_index):
    index = new_index()
    index.add_deck(
        make_deck(
            1,
            ["防汛预案"],
            category="业务知识讲解",
            department="应急办",
            speaker="王敏",
            series_id=1,
            date=datetime.date(2024, 5, 6),
        )
    )
    index.add_deck(
        make_deck(
            2,
            ["防汛演练"],
            category="政治理论",
            department="党政办",
            speaker="孔锐",
            series_id=2,
            date=datetime.date(2024, 7, 1),
        )
    )

    def lectures(**filters):
        return [hit.lecture_id for hit in index.search("防汛", **filters).hits]

    assert lectures(category="政治理论") == [2]
    assert lectures(department="应急办") == [1]
    assert lectures(speaker="孔锐") == [2]
    assert lectures(series_id=1) == [1]
    assert lectures(date_from=datetime.date(2024, 6, 1)) == [2]
    assert lectures(date_to=datetime.date(2024, 5, 6)) == [1]
    assert lectures(speaker="孔锐", category="业务知识讲解") == []


def test_sort_by_date_lists_newest_talk_first_with_slides_in_order(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["低保", "低保"], date=datetime.date(2024, 1, 8)))
    index.add_deck(make_deck(2, ["低保", "低保"], date=datetime.date(2024, 9, 2)))
    hits = index.search("低保", sort="date").hits
    assert [(h.lecture_id, h.slide) for h in hits] == [(2, 1), (2, 2), (1, 1), (1, 2)]


def test_blank_query_lists_all_slides_newest_first(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["甲"], date=datetime.date(2024, 1, 8)))
    index.add_deck(make_deck(2, ["乙"], date=datetime.date(2024, 9, 2)))
    assert [h.lecture_id for h in index.search("  ").hits] == [2, 1]


def test_relevance_ranks_a_title_match_first(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["今年要继续抓好各项重点工作，其中包括营商环境的持续优化"]))
    deck = make_deck(2, ["优化营商环境工作要点和措施安排"])
    index.add_deck([dataclasses.replace(deck[0], slide_title="营商环境")])
    assert [h.lecture_id for h in index.search("营商环境").hits] == [2, 1]


def test_hidden_slides_are_left_out_on_request(new_index):
    index = new_index()
    deck = make_deck(1, ["防汛", "防汛"])
    index.add_deck([deck[0], dataclasses.replace(deck[1], hidden=True)])
    assert [h.hidden for h in index.search("防汛").hits] == [False, True]
    assert [h.slide for h in index.search("防汛", include_hidden=False).hits] == [1]


def test_pages_split_the_hits(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["防汛"] * 5))
    second = index.search("防汛", sort="date", page=2, per_page=2)
    assert ([h.slide for h in second.hits], second.total, second.pages) == ([3, 4], 5, 3)
    assert index.search("防汛", page=4, per_page=2).hits == []


def test_add_deck_replaces_the_old_slides_of_that_lecture(index):
    index.add_deck(make_deck(1, ["新版课件讲低保"], courseware_id=99))
    assert slides(index.search("乡村振兴")) == []
    assert [(h.slide, h.courseware_id) for h in index.search("低保").hits] == [(1, 99)]
    assert index.indexed_decks() == {1: 99}


def test_remove_deck_leaves_no_hits(index):
    index.add_deck(make_deck(2, ["低保"]))
    index.remove_deck(1)
    assert [h.lecture_id for h in index.search("低保").hits] == [2]
    assert index.search("乡村振兴").hits == []
    assert index.indexed_decks() == {2: 20}


def test_group_by_lecture_keeps_first_hit_order(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["防汛"], date=datetime.date(2024, 1, 8)))
    index.add_deck(make_deck(2, ["防汛", "防汛"], date=datetime.date(2024, 9, 2)))
    groups = group_by_lecture(index.search("防汛", sort="date").hits)
    assert [(lecture, [h.slide for h in hits]) for lecture, hits in groups] == [
        (2, [1, 2]),
        (1, [1]),
    ]


def test_update_meta_gives_every_slide_the_talks_new_fields(index):
    meta = TalkMeta("新题目", "郭雨", "组织办", "政治理论", datetime.date(2025, 1, 6), 2)
    assert index.update_meta(1, meta) == len(SLIDES)
    assert index.update_meta(2, meta) == 0  # not in the index
    hits = index.search("党", speaker="郭雨", category="政治理论", series_id=2).hits
    assert [(h.slide, h.lecture_title, h.department, h.date) for h in hits] == [
        (n, "新题目", "组织办", datetime.date(2025, 1, 6)) for n in (8, 9, 10)
    ]
    assert (index.search("党", speaker="孔锐").total, index.indexed_decks()) == (0, {1: 10})


def test_a_talk_title_is_not_searched_but_ranks_its_slides(new_index):
    index = new_index()
    index.add_deck(make_deck(1, ["会议纪要"], lecture_title="防汛工作"))
    index.add_deck(make_deck(2, ["做好防汛工作，加强值守，确保安全度汛"], lecture_title="其他"))
    index.add_deck(make_deck(3, ["加强值守，防汛"], lecture_title="防汛工作部署"))
    assert [h.lecture_id for h in index.search("防汛").hits] == [3, 2]


def test_a_phrase_never_spans_the_title_and_the_text(new_index):
    index = new_index()
    deck = make_deck(1, ["群众路线", "人民群众"])
    index.add_deck([dataclasses.replace(deck[0], slide_title="为人民"), deck[1]])
    assert [h.slide for h in index.search("人民群众").hits] == [2]
    assert [h.slide for h in index.search('"人民 群众"').hits] == []


def test_latin_words_match_whole_words_on_every_engine(index):
    assert slides(index.search("exce")) == []
    assert slides(index.search("9704")) == [6]
    assert slides(index.search("2023")) == [7]


@only("postgres")
def test_postgres_lists_more_matches_than_it_ranks_newest_first(new_index):
    index = new_index(rank_cap=2)
    index.add_deck(make_deck(1, ["防汛"], date=datetime.date(2024, 1, 8)))
    index.add_deck(make_deck(2, ["防汛防汛防汛", "防汛"], date=datetime.date(2024, 9, 2)))
    index.add_deck(make_deck(3, ["防汛，防汛"], date=datetime.date(2024, 5, 6)))
    assert [(h.lecture_id, h.slide) for h in index.search("防汛").hits] == [
        (2, 1),
        (2, 2),
        (3, 1),
        (1, 1),
    ]
    assert [h.lecture_id for h in index.search("防汛", date_to=datetime.date(2024, 6, 1)).hits] == [
        3,
        1,
    ]
