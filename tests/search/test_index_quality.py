"""Search quality on real policy text, on every engine: hit counts equal true substring counts,
phrases rank high, snippets mark the term.

On the reports sampled in tests/data/corpus-zh, and on the newest 3,000 slides of the full corpus
when it is present (``<checkout>/../shared/corpus-zh``).
"""

from __future__ import annotations

import datetime
import random
import re

import pytest

from lecturehub.search.index import SlideDoc
from tests import data
from tests.search.engines import ENGINES, open_test_index, scratch_database

TERMS = [
    "乡村振兴",
    "河长制",
    "医疗保障",
    "防汛",
    "低保",
    "营商环境",
    "5G",
    "2023年",
    "党史学习教育",
    "高标准农田",
]
SLIDES_WANTED = 3000
HAN = re.compile("[\u4e00-\u9fff]")


def report_slides(which: str, width: int = 150) -> list[SlideDoc]:
    """The newest reports cut into ~width-char slides, 40 slides per talk."""
    reports = sorted(data.reports(which), key=lambda r: r["year"] or "", reverse=True)
    texts = []
    for report in reports:
        content = "\n".join(p.strip() for p in report["content"].splitlines() if p.strip())
        texts += [content[i : i + width] for i in range(0, len(content), width)]
        if len(texts) >= SLIDES_WANTED:
            break
    return [
        SlideDoc(
            lecture_id=1 + n // 40,
            courseware_id=1,
            slide=1 + n % 40,
            slide_title="",
            text=text,
            notes="",
            hidden=False,
            lecture_title="政府工作报告学习",
            speaker="孔锐",
            department="党政办",
            category="最新政策和文件解读",
            date=datetime.date(2024, 1, 1),
            series_id=1,
        )
        for n, text in enumerate(texts[:SLIDES_WANTED])
    ]


@pytest.fixture(
    scope="module",
    params=[(e, r) for e in ENGINES for r in data.report_sets()],
    ids=lambda p: "-".join(p),
)
def corpus(request, tmp_path_factory):
    engine, which = request.param
    docs = report_slides(which)
    with scratch_database() as url:
        index = open_test_index(engine, tmp_path_factory.mktemp("quality") / "index", url)
        index.rebuild(docs)
        yield index, docs
        index.close()


@pytest.mark.parametrize("term", TERMS)
def test_hit_count_equals_the_true_substring_count(corpus, term):
    index, docs = corpus
    truth = sorted((d.lecture_id, d.slide) for d in docs if term.lower() in d.text.lower())
    result = index.search(term, per_page=len(docs))
    found = sorted((h.lecture_id, h.slide) for h in result.hits)
    assert (found, result.total) == (truth, len(truth))


def test_every_engine_pages_through_the_same_matches(corpus):
    index, _ = corpus
    for term in ("经济", "发展 -改革", "人民群众 OR 乡村振兴"):
        everything = index.search(term, sort="date", per_page=10_000).hits
        pages = [index.search(term, sort="date", page=p, per_page=7).hits for p in (1, 2, 3)]
        assert [h for page in pages for h in page] == everything[:21], term


def test_every_hit_snippet_marks_the_term(corpus):
    index, _ = corpus
    for term in TERMS:
        hits = index.search(term, per_page=50).hits
        assert all(f"<mark>{term}</mark>".lower() in hit.snippet.lower() for hit in hits), term


def test_a_phrase_from_a_slide_finds_that_slide_in_the_top_three(corpus):
    index, docs = corpus
    rng, checked = random.Random(7), 0
    while checked < 20:
        doc = rng.choice(docs)
        start = rng.randrange(0, max(1, len(doc.text) - 12))
        phrase = doc.text[start : start + 10]
        if not (HAN.fullmatch(phrase[0]) and HAN.fullmatch(phrase[-1])) or "\n" in phrase:
            continue  # digits and Latin letters match whole words only
        if sum(phrase in d.text for d in docs) > 3:
            continue
        top = [(h.lecture_id, h.slide) for h in index.search(f'"{phrase}"', per_page=3).hits]
        assert (doc.lecture_id, doc.slide) in top, phrase
        checked += 1
