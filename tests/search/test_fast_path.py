"""topk's fast path (ANDed terms, phrases, lone characters, exclusions) against whoosh's collector.

Same hits, order, totals and scores (within 1e-6) as the regular path, on the reports sampled in
tests/data/corpus-zh (and on 2,500 slides of the full corpus when ``<checkout>/../shared`` has
it) plus hand-made slides, in several segments, one with deletions.
"""

from __future__ import annotations

import datetime

import pytest

from lecturehub.search.index import SlideDoc, SlideIndex, open_index
from lecturehub.search.index.query import compile_query
from lecturehub.search.index.syntax import parse
from lecturehub.search.index.topk import fast_plan
from tests import data
from tests.search import make_deck

SLIDES_WANTED = 2500
CATEGORIES = ["政治理论", "最新政策和文件解读", "业务知识讲解"]
SPEAKERS = ["孔锐", "郭雨", "王敏"]

QUERIES = [
    "乡村振兴",
    "医疗保障",
    "营商环境",
    "高标准农田",
    "党史学习教育",
    "防汛",
    "人民群众",
    "经济 发展",
    "经济",
    "党",
    "5G",
    "2023年",
    "乡村振兴 高标准农田",
    "营商环境 改革",
    "科技 创新",
    "党 经济",
    "经济 经济",
    '"推动 高质量发展"',
    "人民群众 就业 收入",
    "哈哈哈",
    "标题 正文",
    "群众",
    "gb/t 9704",
    "5G 网络",
]
EXCLUSIONS = [  # (query, its positive part, each excluded query)
    ("经济 -发展", "经济", ["发展"]),
    ("人民群众 -党", "人民群众", ["党"]),
    ("改革 -(创新 OR 科技)", "改革", ["创新", "科技"]),
    ('党 -"党史学习教育"', "党", ["党史学习教育"]),
    ("就业 -收入 -经济", "就业", ["收入", "经济"]),
    ("人民群众 经济 -(发展 改革)", "人民群众 经济", ["发展 改革"]),
]
VARIANTS = [
    {},
    {"page": 2, "per_page": 7},
    {"category": "政治理论"},
    {"include_hidden": False},
    {"speaker": "王敏", "date_from": datetime.date(2022, 3, 1)},
]


def corpus_slides(which: str) -> list[SlideDoc]:
    """~150-char slides of the reports, 40 per talk, talk metadata varied for the filters."""
    texts = []
    for report in data.reports(which):
        content = "\n".join(p.strip() for p in report["content"].splitlines() if p)
        texts += [content[i : i + 150] for i in range(0, len(content), 150)]
        if len(texts) >= SLIDES_WANTED:
            break
    docs = []
    for n, text in enumerate(texts[:SLIDES_WANTED]):
        talk = 1 + n // 40
        docs.append(
            SlideDoc(
                lecture_id=talk,
                courseware_id=1,
                slide=1 + n % 40,
                slide_title=text[:8],
                text=text,
                notes=text[40:60] if n % 5 == 0 else "",
                hidden=n % 9 == 0,
                lecture_title=f"学习第{talk}讲",
                speaker=SPEAKERS[talk % 3],
                department="党政办",
                category=CATEGORIES[talk % 3],
                date=datetime.date(2021, 1, 1) + datetime.timedelta(days=13 * talk),
                series_id=1,
            )
        )
    return docs


HANDMADE = [
    "哈哈哈哈，哈哈，哈 哈哈",
    "人民\n群众",  # a line break: no CJK gap, the phrase still matches
    "人民，群众 与 人民群众 经济发展",
    "5GB 网络 与 5G 网络建设 GB/T 9704 格式",
    "2023年 2023 年度 经济 经济 经济",
]


@pytest.fixture(scope="module", params=data.report_sets())
def index(request, tmp_path_factory):
    idx = open_index("whoosh", directory=tmp_path_factory.mktemp("fast") / "index")
    idx.rebuild(corpus_slides(request.param))
    idx.add_deck(
        make_deck(
            9001, HANDMADE, category="政治理论", speaker="王敏", date=datetime.date(2024, 5, 1)
        )
    )
    # A phrase split over two fields (title | text) must not match.
    idx.add_deck(
        [
            SlideDoc(
                9002,
                1,
                1,
                "标题人民",
                "群众正文 标题 正文",
                "人民群众",
                False,
                "标题",
                "孔锐",
                "党政办",
                "政治理论",
                datetime.date(2024, 5, 2),
                1,
            )
        ]
    )
    idx.add_deck(make_deck(9003, ["人民群众 经济发展"] * 3))
    idx.remove_deck(3)  # deletions in the big segment
    idx.add_deck(make_deck(9003, ["人民群众 经济"] * 2))  # deletions in a small one
    yield idx
    idx.close()


def slow_search(idx: SlideIndex, query: str, **kw):
    """The same index through whoosh's own collector (the reference the fast path must match)."""
    reference = open_index("whoosh", directory=idx.engine.directory, fast_path=False)
    try:
        return reference.search(query, **kw)
    finally:
        reference.close()


def summary(result) -> tuple[int, list[tuple[int, int]], list[float]]:
    return (
        result.total,
        [(h.lecture_id, h.slide) for h in result.hits],
        [h.score for h in result.hits],
    )


def assert_same(got, want, label) -> None:
    (g_total, g_keys, g_scores), (w_total, w_keys, w_scores) = summary(got), want
    assert (g_total, g_keys) == (w_total, w_keys), label
    assert all(abs(a - b) < 1e-6 for a, b in zip(g_scores, w_scores, strict=True)), label


def test_the_fast_path_takes_terms_phrases_characters_and_exclusions():
    def plan(q):
        return fast_plan(compile_query(parse(q))[0])

    for q in ["经济", "人民群众", "经济 发展", "党", "乡村振兴 -河长制", "人民群众 -(党 OR 改革)"]:
        assert plan(q) is not None, q
    for q in ["2023年", "经济 OR 发展", '"推进 乡"', "经济 经济"]:  # whoosh's collector
        assert plan(q) is None, q


@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_equals_the_collector(index, query):
    for kw in VARIANTS:
        got = index.search(query, **kw)
        assert_same(got, summary(slow_search(index, query, **kw)), (query, kw))


def test_many_pages_of_a_common_word_keep_the_collector_order(index):
    for query in ["经济", "人民", "党"]:
        got = index.search(query, per_page=400)
        assert got.total > 3 * 20, query  # several pages of 20 (74 to 946 in the corpora)
        assert_same(got, summary(slow_search(index, query, per_page=400)), query)


def test_cached_postings_give_the_same_results(index):
    """Every token cached (min_docs=1) in a budget small enough to evict: twice each query.

    The queries' postings take ~100 kB (sample) to ~450 kB (full corpus), so 50 kB evicts in
    both. The cache's size is read from the searcher: part of the fast path, which has no
    public counterpart (the one test of private state, with the collector comparisons)."""
    budget = 50_000
    cached = open_index(
        "whoosh", directory=index.engine.directory, posting_cache={"budget": budget, "min_docs": 1}
    )
    try:
        for query in QUERIES * 2:
            for kw in VARIANTS[:2]:
                want = summary(slow_search(index, query, **kw))
                assert_same(cached.search(query, **kw), want, (query, kw))
        searcher = cached.engine._fresh_searcher()
        assert 0 < searcher._lecturehub_cache[("postings",)]._size <= budget
    finally:
        cached.close()


@pytest.mark.parametrize(("query", "positive", "excluded"), EXCLUSIONS)
def test_exclusions_drop_every_slide_matching_them(index, query, positive, excluded):
    """Reference: the collector's hits of the positive part minus those of each exclusion.

    (whoosh 2.7.5's AndNotMatcher misses an excluded slide that is the first match of a
    segment when the exclusion's first posting comes earlier, so its own AND NOT is no
    reference.)"""
    for kw in VARIANTS:
        everything = {**kw, "page": 1, "per_page": 10_000}
        drop = set()
        for ex in excluded:
            drop |= {(h.lecture_id, h.slide) for h in slow_search(index, ex, **everything).hits}
        base = slow_search(index, positive, **everything)
        keep = [h for h in base.hits if (h.lecture_id, h.slide) not in drop]
        page, per_page = kw.get("page", 1), kw.get("per_page", 20)
        rows = keep[(page - 1) * per_page : page * per_page]
        want = (len(keep), [(h.lecture_id, h.slide) for h in rows], [h.score for h in rows])
        assert_same(index.search(query, **kw), want, (query, kw))
