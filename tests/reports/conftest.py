"""A small quarter whose figures can be checked by hand.

October 2026: talk A (文化站) has the six ratings of ``SIX`` from 8 people signed in; talk B
(文化站) has 3 ratings of all 1s — below the minimum, so it must count nowhere but in counts.
September 2026: talk S with 5 ratings of all 5s (for the trend). November 2026: talk C
(财政所) with 5 ratings (5, 5, 5, 5, 4). A's courseware came on time and fits the hour;
C's came late and runs over.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_user
from tests.factories.courseware import deck_file, upload
from tests.factories.ratings import SIX, attendee, make_talk, rate_many

NOW = dt.datetime(2026, 11, 26, 10, 0)


@pytest.fixture
def quarter_data(app, tmp_path):
    speaker = make_user("speaker_a", "讲课人甲", department="文化站")
    a = make_talk(dt.datetime(2026, 10, 12, 19), speaker=speaker, title="全民健身与乡村文化振兴")
    b = make_talk(dt.datetime(2026, 10, 14, 19), title="非遗保护与传统文化传承")
    s = make_talk(dt.datetime(2026, 9, 14, 19), title="九月的讲学")
    c = make_talk(dt.datetime(2026, 11, 2, 19), title="乡镇财政资金管理规定", department="财政所")
    raters_a = rate_many(a, SIX, comments=["案例很贴近我们乡的实际", "PPT 字太多，建议精简"])
    extra_a = [attendee(a), attendee(a)]
    rate_many(b, [(1, 1, 1, 1, 1)] * 3, comments=["不该出现的意见"])
    rate_many(s, [(5, 5, 5, 5, 5)] * 5)
    rate_many(c, [(5, 5, 5, 5, 4)] * 5)
    admin = make_user("cw_admin", roles=["admin"])
    upload(a, deck_file(tmp_path / "a.pptx", count=5), admin, when=dt.datetime(2026, 10, 9, 9))
    upload(
        c,
        deck_file(tmp_path / "c.pptx", count=1, chars_per_note=180 * 65),
        admin,
        when=dt.datetime(2026, 11, 1, 9),
    )
    return SimpleNamespace(
        a=a, b=b, c=c, s=s, speaker=speaker, raters_a=raters_a, extra_a=extra_a, admin=admin
    )
