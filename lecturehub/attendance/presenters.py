"""JSON shapes shared by the API and the pages (the sign-in screen polls one of them)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, url_for

from lecturehub.attendance import records, services, signin
from lecturehub.attendance.models import ABSENT, EXCUSED, EXEMPT, LATE, PENDING, PRESENT
from lecturehub.core.timeutil import iso


def record_dict(record) -> dict:
    return {
        "session_id": record.session_id,
        "user": services.user_dict(record.user),
        "status": record.status,
        "late_minutes": record.late_minutes,
        "checked_in_at": iso(record.checked_in_at),
    }


def cell_dict(user, cell) -> dict:
    record = cell.record
    return {
        "user": services.user_dict(user),
        "status": cell.status,
        "label": cell.label,
        "late_minutes": cell.late_minutes,
        "checked_in_at": iso(record.checked_in_at) if record else None,
        "leave_id": cell.leave.id if cell.leave else None,
        "corrections": len(record.corrections) if record else 0,
    }


def sheet_dict(sheet: records.SessionSheet) -> dict:
    session = sheet.session
    return {
        "session_id": session.id,
        "series": session.series.name,
        "starts_at": iso(session.starts_at),
        "venue": session.venue,
        "attendance_state": sheet.state,
        "counts": sheet.counts.as_dict(),
        "people": [cell_dict(user, cell) for user, cell in sheet.rows],
    }


def window_state(session, now: dt.datetime) -> str:
    opens, closes = services.window(session)
    return "before" if now < opens else ("open" if now < closes else "closed")


def checkin_url(session, token: str) -> str:
    return url_for("attendance.checkin", session_id=session.id, t=token, _external=True)


def screen_state(session, now: dt.datetime) -> dict:
    """What the projector shows: the current QR code, the counts and the names."""
    sheet = records.session_sheet(session, now)
    url = checkin_url(session, signin.make_token(session, now))
    signed = sorted(
        sheet.named(PRESENT, LATE), key=lambda r: r[1].record.checked_in_at or now, reverse=True
    )
    opens, closes = services.window(session)
    return {
        "session_id": session.id,
        "state": window_state(session, now),
        "opens_at": iso(opens),
        "closes_at": iso(closes),
        "checkin_url": url,
        "qr_svg": signin.qr_svg(url),
        "rotate_seconds": int(current_app.config["QR_ROTATE_SECONDS"]),
        "counts": sheet.counts.as_dict(),
        "signed_in": [_name(u, c) for u, c in signed],
        "missing": [_name(u, c) for u, c in sheet.named(PENDING, ABSENT)],
        "excused": [_name(u, c) for u, c in sheet.named(EXCUSED, EXEMPT)],
    }


def _name(user, cell) -> dict:
    return {
        "name": user.name,
        "department": user.department.name if user.department else "",
        "status": cell.status,
        "label": cell.label,
    }
