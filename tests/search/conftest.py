"""Search fixtures: an admin who uploads, and two talks with indexed decks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_user
from tests.factories.search import talk_with_deck


@pytest.fixture
def admin(app):
    return make_user("boss", "孔锐", roles=["admin"])


@pytest.fixture
def two_talks(admin, tmp_path):
    """乡村振兴 (2024-03-04, speaker 孔锐): 全面推进乡村振兴战略 | 防汛预案;
    防汛工作 (2024-05-06, no speaker): 防汛演练 | 防汛物资 | 低保."""
    a = talk_with_deck(
        tmp_path,
        admin,
        ["全面推进乡村振兴战略", "防汛预案"],
        title="乡村振兴",
        speaker=admin,
        day=dt.date(2024, 3, 4),
    )
    b = talk_with_deck(
        tmp_path, admin, ["防汛演练", "防汛物资", "低保"], title="防汛工作", day=dt.date(2024, 5, 6)
    )
    return a, b
