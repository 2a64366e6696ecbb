"""The demo's slide text comes from the excerpt shipped inside the package, never ../shared."""

from pathlib import Path

import lecturehub
from lecturehub.courseware import demo


def test_the_demo_reads_only_the_excerpt_shipped_in_the_package():
    shipped = Path(lecturehub.__file__).resolve().parent / "courseware" / "demo_data"
    assert shipped / "government_work_reports.jsonl" == demo.CORPUS
    assert demo.CORPUS.stat().st_size < 100_000


def test_a_deck_starts_with_the_paragraphs_that_match_its_title():
    text = demo.source_text("医保报销政策与常见问题", 500)
    assert (len(text), "医保" in text, "报销" in text) == (500, True, True)


def test_a_long_deck_gets_as_much_text_as_it_asks_for():
    assert len(demo.source_text("防汛抗旱应急预案解读", 80 * (150 + 330))) == 38_400
