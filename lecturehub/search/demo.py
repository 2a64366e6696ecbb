"""Demo: index the demo decks (after the courseware demo uploaded them through its service)."""

from __future__ import annotations

from collections.abc import Callable

from lecturehub.courseware import services as courseware_services
from lecturehub.search import services


def load(progress: Callable[[str], None] = print) -> None:
    count = services.rebuild()
    decks = len(courseware_services.current_ids())
    progress(f"已建立课件搜索索引：{decks} 场讲学，{count} 页幻灯片。")
