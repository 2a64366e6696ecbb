"""Search index tests; make_deck builds the slides of one talk the way the app hands them over."""

from __future__ import annotations

import datetime

from lecturehub.search.index import SlideDoc


def make_deck(lecture_id: int, texts: list[str], **meta) -> list[SlideDoc]:
    """One SlideDoc per text, slides numbered from 1; meta overrides the talk's fields."""
    fields = dict(
        courseware_id=lecture_id * 10,
        notes="",
        hidden=False,
        lecture_title=f"第{lecture_id}讲",
        speaker="孔锐",
        department="党政办",
        category="业务知识讲解",
        date=datetime.date(2024, 3, 4),
        series_id=1,
    )
    fields.update(meta)
    return [
        SlideDoc(lecture_id=lecture_id, slide=n, slide_title=f"第{n}页", text=text, **fields)
        for n, text in enumerate(texts, 1)
    ]
