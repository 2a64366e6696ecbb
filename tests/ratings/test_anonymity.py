"""One more rating changes nothing anyone else can see until the talk's results are published.

Every GET route of the app (pages, API, exports; the routes other features add as well) is
opened by every role — admin, the series' lead leader, 督查办, 组织办, the talk's speaker and a
member who attended without rating — before and after a fourth and then a fifth and a sixth
rating of a talk whose window is open. The answers must be byte for byte the same (after
removing what changes on its own: CSRF tokens, export and calendar timestamps).
"""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from lecturehub.attendance import signin
from lecturehub.core import periods
from lecturehub.ratings import services
from tests.conftest import Auth
from tests.factories import make_user
from tests.factories.attendance import make_leader
from tests.factories.ratings import SIX, attendee, rate, rate_many, recent_talk

ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
VOLATILE = [
    (re.compile(r'(csrf[-_]token"[^>]*?(?:content|value)=")[^"]+'), r"\1…"),
    (re.compile(r"导出时间：[^\"<,\n]*"), "导出时间：…"),
    (re.compile(r"(DTSTAMP[^:\n]*:)\S+"), r"\1…"),
    (re.compile(r"(checkin/\d+\?t=)[\w.-]+"), r"\1…"),  # the sign-in QR rotates
    (re.compile(r"<svg[^>]*segno.*?</svg>", re.S), "<svg segno/>"),
]
QUERY_PREFIXES = ("/reports", "/api/v1/reports", "/attendance", "/api/v1/attendance", "/schedule")


def _fill(rule, ids: dict) -> str:
    return ARG.sub(lambda m: str(ids.get(m.group(2), 999999 if m.group(1) == "int" else "x")), rule)


def _urls(app, roles: set[str], ids: dict, query: str) -> list[str]:
    """Every GET route this viewer's roles may open, with the talk's ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        allowed = set(getattr(app.view_functions[rule.endpoint], "required_roles", ()))
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        if not ({"public", "member"} & allowed or roles & allowed):
            continue
        url = _fill(rule.rule, ids)
        urls.append(url)
        if url.startswith(QUERY_PREFIXES):
            urls.append(f"{url}?{query}")
    return sorted(urls)


def _body(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data))
        text = repr([[list(row) for row in ws.iter_rows(values_only=True)] for ws in book])
    else:
        text = response.get_data(as_text=True)
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _snapshot(viewers: dict) -> dict:
    return {
        (name, url): (response.status_code, _body(response))
        for name, (client, urls) in viewers.items()
        for url in urls
        for response in [client.get(url)]
    }


def _differences(before: dict, after: dict) -> list[str]:
    return [f"{name} {url}" for (name, url), answer in after.items() if before[name, url] != answer]


def test_one_more_rating_changes_nothing_anyone_can_see_until_publication(app):
    speaker = make_user("speaker", "讲课人甲")
    talk = recent_talk(speaker=speaker, title="评价中的讲学")
    rate_many(talk, SIX[:3], comments=["第一条意见"])
    raters = [attendee(talk, login=f"rater{n}") for n in range(3)]
    member = attendee(talk, login="listener")  # signed in, does not rate
    published = recent_talk(9, title="已公布的讲学")
    rate_many(published, SIX[:5], comments=["已公布的意见"])
    make_leader()
    for login, role in (("boss", "admin"), ("ducha", "inspector"), ("zuzhi", "organiser")):
        make_user(login, roles=[role])
    signin.record_signin(talk.session, speaker, talk.session.starts_at)
    ids = {
        "lecture_id": talk.id,
        "session_id": talk.session_id,
        "series_id": talk.session.series_id,
        "user_id": raters[0].id,
    }
    day = talk.session.date
    query = (
        f"month={day:%Y-%m}&quarter={periods.quarter_of(day).key}&date={day}"
        f"&from={day}&to={day}&user={raters[0].id}"
    )
    viewers = {}
    for login, roles in (
        ("boss", {"admin"}),
        ("leader_lecture", {"leader"}),
        ("ducha", {"inspector"}),
        ("zuzhi", {"organiser"}),
        ("speaker", set()),
        ("listener", set()),
    ):
        client = app.test_client()
        Auth(client).login(login)
        also = [f"/lectures/{published.id}", f"/api/v1/lectures/{published.id}/ratings/summary"]
        viewers[login] = (client, _urls(app, roles, ids, query) + also)
    assert min(len(urls) for _, urls in viewers.values()) >= 30
    before = _snapshot(viewers)
    assert before["zuzhi", f"/lectures/{talk.id}"][0] == 200
    assert "已公布的意见" in before["listener", f"/lectures/{published.id}"][1]
    assert "评价中的讲学" in before["zuzhi", f"/reports/satisfaction?{query}"][1]

    for n, rater in enumerate(raters):  # the 4th (then the 5th and 6th) rating
        rate(talk, rater, at=None, overall=1 + n, comment=f"新意见{n}")
        assert _differences(before, _snapshot(viewers)) == [], f"after rating {4 + n}"
    assert member in services.not_rated(talk)
