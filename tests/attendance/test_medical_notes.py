"""Medical notes are for 督查办 only: leaders, admins and every export show "免训" without the
note or the file; only the inspector role and the person themself see them."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tests.factories import bearer, make_token, make_user
from tests.factories.attendance import PNG, exempt, make_leader, make_session, sign_in

NOTE = "腰伤，县医院诊断"  # what the factory files
RUN = dt.datetime(2026, 11, 24, 6, 30)


def _setup():
    inspector = make_user("ducha", roles=["inspector"])
    make_user("boss", roles=["admin"])
    make_leader("training", login="chu")
    sick = make_user("sick", "病号")
    item = exempt(sick, inspector, dt.date(2026, 11, 1), dt.date(2026, 12, 31), scan=PNG)
    session = make_session(RUN, kind="training")
    sign_in(session, inspector, RUN)
    return session, item


def _as(client, auth, login, url):
    auth.login(login)
    response = client.get(url)
    auth.logout()
    return response


def test_the_session_record_shows_the_note_to_the_inspector_only(app, client, auth):
    session, _item = _setup()
    url = f"/sessions/{session.id}/attendance"
    assert NOTE in _as(client, auth, "ducha", url).get_data(as_text=True)
    for login in ("boss", "chu"):
        page = _as(client, auth, login, url).get_data(as_text=True)
        assert "免训备案" in page and NOTE not in page, login


def test_exports_never_carry_the_note(app, client, auth):
    session, _item = _setup()
    for login in ("ducha", "boss", "chu"):
        csv = _as(client, auth, login, f"/sessions/{session.id}/signin-sheet.csv")
        assert "免训备案" in csv.data.decode("utf-8-sig") and NOTE not in csv.data.decode()
        xlsx = _as(client, auth, login, f"/sessions/{session.id}/signin-sheet.xlsx")
        cells = [c for row in load_workbook(io.BytesIO(xlsx.data)).active.values for c in row]
        assert "免训备案" in cells and not any(NOTE in str(c) for c in cells), login
    for path in ("/attendance/audit/export.csv", "/attendance/audit/export.xlsx"):
        assert NOTE.encode() not in _as(client, auth, "ducha", path + "?period=2026").data


def test_the_exemption_list_hides_note_and_scan_from_admins(app, client, auth):
    _session, item = _setup()
    scan_url = f"/attendance/exemptions/{item.id}/scan"
    inspector = _as(client, auth, "ducha", "/attendance/exemptions").get_data(as_text=True)
    assert NOTE in inspector and scan_url in inspector
    admin = _as(client, auth, "boss", "/attendance/exemptions").get_data(as_text=True)
    assert "病号" in admin and "免训" in admin
    assert NOTE not in admin and scan_url not in admin and "病历.png" not in admin
    assert _as(client, auth, "boss", scan_url).status_code == 403
    assert _as(client, auth, "chu", scan_url).status_code == 403


def test_the_person_sees_their_own_note_and_scan(app, client, auth):
    _session, item = _setup()
    page = _as(client, auth, "sick", "/attendance").get_data(as_text=True)
    assert NOTE in page and f"/attendance/exemptions/{item.id}/scan" in page
    assert _as(client, auth, "sick", f"/attendance/exemptions/{item.id}/scan").data == PNG
    someone = make_user("someone")
    assert _as(client, auth, "someone", f"/attendance/exemptions/{item.id}/scan").status_code == 403
    assert someone.id != item.user_id


def test_the_api_never_carries_the_note(app, client):
    session, _item = _setup()
    for login in ("ducha", "boss", "chu"):
        user = make_user(f"api_{login}", roles=["inspector"] if login == "ducha" else ["admin"])
        headers = bearer(make_token(user))
        body = client.get(f"/api/v1/sessions/{session.id}/attendance", headers=headers)
        assert body.status_code == 200 and NOTE not in body.get_data(as_text=True)
