"""Medical exemptions (备案): only 督查办 files them; scans are sniffed and kept private."""

from __future__ import annotations

import datetime as dt
import io

from lecturehub.attendance import exemptions
from lecturehub.attendance.models import Exemption
from tests.conftest import service_error
from tests.factories import make_user
from tests.factories.attendance import PNG, exempt, series_of

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_an_exemption_by_a_non_inspector_is_refused(app, db):
    for roles in (["admin"], ["leader"], []):
        error = service_error(lambda r=roles: exempt(make_user(), make_user(roles=r), *NOV))
        assert (error.status, error.message) == (403, "只有督查办可以备案免训。")
    assert db.session.query(Exemption).count() == 0


def test_only_training_can_be_exempted(app):
    inspector = make_user(roles=["inspector"])
    error = service_error(
        lambda: exemptions.file_exemption(
            exemptions.ExemptionFiling(make_user(), series_of("lecture"), *NOV, "腰伤"), inspector
        )
    )
    assert error.code == "not_training"


def test_a_png_scan_is_stored_by_content(app):
    inspector = make_user(roles=["inspector"])
    item = exempt(make_user(), inspector, *NOV, scan=PNG)
    path, mimetype, name = exemptions.scan_file(item, inspector)
    assert (item.scan_type, mimetype, name, path.read_bytes()) == (
        "png",
        "image/png",
        "病历.png",
        PNG,
    )


def test_a_scan_that_is_not_pdf_jpg_or_png_is_refused(app, db):
    inspector = make_user(roles=["inspector"])
    error = service_error(
        lambda: exempt(make_user(), inspector, *NOV, scan=b"MZ\x90\x00 not an image")
    )
    assert (error.code, error.status) == ("bad_scan", 415)
    assert db.session.query(Exemption).count() == 0


def test_members_cannot_read_a_scan(app):
    inspector = make_user(roles=["inspector"])
    item = exempt(make_user(), inspector, *NOV, scan=PNG)
    assert service_error(lambda: exemptions.scan_file(item, make_user())).status == 403


def test_inspector_files_through_the_page_and_only_they_and_the_person_download(
    app, client, auth, db
):
    make_user("ducha", roles=["inspector"])
    make_user("boss", roles=["admin"])
    sick = make_user("sick")
    auth.login("ducha")
    data = {
        "user": sick.id,
        "series": series_of("training").id,
        "date_from": "2026-11-01",
        "date_to": "2026-12-31",
        "note": "膝伤",
        "scan": (io.BytesIO(PNG), "scan.png"),
    }
    response = auth.post("/attendance/exemptions/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.query(Exemption).one()
    download = client.get(f"/attendance/exemptions/{item.id}/scan")
    assert (download.status_code, download.data) == (200, PNG)
    auth.logout()
    auth.login("boss")  # 党政办: the note and the scan are medical, not theirs to see
    assert client.get(f"/attendance/exemptions/{item.id}/scan").status_code == 403
    assert client.get("/attendance/exemptions/new").status_code == 403
    auth.logout()
    auth.login("sick")  # the person themself
    download = client.get(f"/attendance/exemptions/{item.id}/scan")
    assert (download.status_code, download.data) == (200, PNG)
