"""QR sign-in (签到): rotating signed tokens, the sign-in window, one record per person.

The screen shows a QR code for the current time slot (QR_ROTATE_SECONDS). Its token is an
itsdangerous signature of {session, slot}, timestamped at the slot's start, so it is the same
for the whole slot and expires QR_TOKEN_MAX_AGE seconds after the slot began: a photo sent
home stops working within a minute. Times are passed in (``now``), never read inside helpers.

Signing in survives logging in: a phone that scans the code while signed out gets a grant
(:class:`CheckinGrant`) for the token it scanned, checked then, on the server's clock. The
grant rides in the login page's ``next`` address and stays valid for GRANT_MINUTES; the
sign-in is recorded at the moment of the scan, once, for whoever logs in on that browser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError, OperationalError

from lecturehub.attendance.models import ABSENT, AttendanceRecord, CheckinGrant
from lecturehub.attendance.services import Change, apply_change, find_record, lateness, window
from lecturehub.auth.models import User
from lecturehub.core.errors import ServiceError
from lecturehub.core.timeutil import aware
from lecturehub.core.timeutil import now as local_now
from lecturehub.extensions import db
from lecturehub.schedule.models import Session

SALT = "lecturehub.attendance.checkin"
RETRIES = 6
GRANT_MINUTES = 10


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock is given, so tokens are stable per slot and testable."""

    def __init__(self, *args, clock: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.clock = clock

    def get_timestamp(self) -> int:
        return self.clock


def _serializer(clock: int) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=SALT,
        signer=_ClockSigner,
        signer_kwargs={"clock": clock},
    )


def _epoch(moment: dt.datetime) -> int:
    return int(aware(moment).timestamp())


def rotate_seconds() -> int:
    return int(current_app.config["QR_ROTATE_SECONDS"])


def make_token(session: Session, now: dt.datetime | None = None) -> str:
    """The token of the current time slot (the same for every call within the slot)."""
    slot = _epoch(now or local_now()) // rotate_seconds()
    return _serializer(slot * rotate_seconds()).dumps({"s": session.id, "t": slot})


def read_token(token: str, session: Session, now: dt.datetime) -> None:
    """Accept a token of this session signed at most QR_TOKEN_MAX_AGE seconds ago."""
    max_age = int(current_app.config["QR_TOKEN_MAX_AGE"])
    try:
        payload = _serializer(_epoch(now)).loads(str(token or ""), max_age=max_age)
    except SignatureExpired as exc:
        raise ServiceError("二维码已过期，请扫描现场屏幕上的最新二维码。", "token_expired") from exc
    except BadSignature as exc:
        raise ServiceError("二维码无效，请扫描现场屏幕上的二维码。", "token_invalid") from exc
    if not isinstance(payload, dict) or payload.get("s") != session.id:
        raise ServiceError(
            "该二维码不属于本场次，请扫描本场次现场屏幕上的二维码。", "token_wrong_session"
        )


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (sized by CSS through its viewBox)."""
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True)


def check_window(session: Session, now: dt.datetime) -> None:
    if session.cancelled:
        raise ServiceError("该场次已取消，无需签到。", "session_cancelled")
    if session.voided:
        raise ServiceError("该场次已作废，无需签到。", "session_void")
    opens, closes = window(session)
    if now < opens:
        raise ServiceError(f"签到尚未开始，{opens:%m月%d日 %H:%M} 开放签到。", "signin_not_open")
    if now >= closes:
        raise ServiceError(
            f"签到已于 {closes:%H:%M} 结束。如确实到场，请联系牵头领导更正记录。", "signin_closed"
        )


def check_in(
    session: Session, user: User, token: str, now: dt.datetime | None = None
) -> tuple[AttendanceRecord, bool]:
    """Sign ``user`` in with a QR token: (record, already). A repeat changes nothing."""
    now = now or local_now()
    read_token(token, session, now)
    check_window(session, now)
    return record_signin(session, user, now)


def record_signin(session: Session, user: User, now: dt.datetime) -> tuple[AttendanceRecord, bool]:
    existing = find_record(session.id, user.id)
    if existing is not None and existing.status != ABSENT:
        return existing, True
    status, minutes = lateness(session, now)
    if existing is not None:  # marked absent at roll call, then arrived and scanned
        apply_change(existing, Change(status, minutes, user, "本人到场扫码签到", now))
        existing.checked_in_at = now
        db.session.commit()
        return existing, False
    return _insert(session.id, user.id, status, minutes, now)


def _insert(
    session_id: int, user_id: int, status: str, minutes: int, now: dt.datetime
) -> tuple[AttendanceRecord, bool]:
    """Insert in a short transaction; a concurrent duplicate is "already"; a locked database
    is retried (SQLite under a crowd of scans)."""
    for attempt in range(RETRIES):
        try:
            record = AttendanceRecord(
                session_id=session_id,
                user_id=user_id,
                status=status,
                late_minutes=minutes,
                checked_in_at=now,
                method="qr",
            )
            db.session.add(record)
            db.session.commit()
            return record, False
        except IntegrityError:
            db.session.rollback()
            existing = find_record(session_id, user_id)
            if existing is None:
                raise
            return existing, True
        except OperationalError as exc:
            db.session.rollback()
            if "locked" not in str(exc).lower() or attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


# --- the grant that carries a scan through the login ---------------------------------------------


def _hash(grant: str) -> str:
    return hashlib.sha256(grant.encode()).hexdigest()


def grant_for_token(session: Session, token: str, now: dt.datetime | None = None) -> str:
    """A signed-out phone scanned ``token``: check it now and return a grant (shown once)."""
    now = now or local_now()
    read_token(token, session, now)
    check_window(session, now)
    grant = secrets.token_urlsafe(32)
    db.session.add(
        CheckinGrant(
            token_hash=_hash(grant),
            session_id=session.id,
            scanned_at=now,
            expires_at=now + dt.timedelta(minutes=GRANT_MINUTES),
        )
    )
    db.session.commit()
    return grant


def check_in_with_grant(
    session: Session, user: User, grant: str, now: dt.datetime | None = None
) -> tuple[AttendanceRecord, bool]:
    """Sign ``user`` in with the grant of a scan made before logging in; the record carries the
    moment of the scan. A grant serves one person; theirs again is "already"."""
    now = now or local_now()
    row = db.session.query(CheckinGrant).filter_by(token_hash=_hash(str(grant or ""))).first()
    if row is None or row.session_id != session.id:
        raise ServiceError("签到链接无效，请扫描现场屏幕上的二维码。", "grant_invalid")
    if row.used_by_id is not None and row.used_by_id != user.id:
        raise ServiceError("该签到链接已被使用，请扫描现场屏幕上的二维码。", "grant_used")
    if row.used_by_id is None and now >= row.expires_at:
        raise ServiceError(
            f"扫码后超过 {GRANT_MINUTES} 分钟未完成登录，请重新扫描现场屏幕上的二维码。",
            "grant_expired",
        )
    check_window(session, row.scanned_at)
    if row.used_by_id is None:
        row.used_at, row.used_by_id = now, user.id
        db.session.commit()
    return record_signin(session, user, row.scanned_at)
