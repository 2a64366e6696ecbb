"""Login sessions kept server-side, so that signing out really ends them.

Each sign-in starts a ``LoginSession`` with a random token. Flask-Login keeps the token (the
user's ``get_id()``) in the signed session cookie and, with 记住我, in the remember-me cookie;
the database keeps only its SHA-256. Every request resolves the token again, so a session ended
here — logout, a password change, deactivation — refuses every copy of either cookie, in every
server process, and a session lasts at most REMEMBER_COOKIE_DAYS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import delete, select, update

from lecturehub.auth.models import LoginSession, User
from lecturehub.core.timeutil import now
from lecturehub.extensions import db

SEEN_EVERY = dt.timedelta(minutes=1)  # how often last_seen_at is written
KEEP_ENDED = dt.timedelta(days=30)  # a session is forgotten this long after it expired


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config["REMEMBER_COOKIE_DAYS"]))


def start(user: User, remember: bool = False) -> str:
    """Start a session for ``user`` (committed) and return its token, which is also set as the
    user's ``login_token`` for Flask-Login's ``login_user``."""
    token = secrets.token_urlsafe(32)
    at = now()
    db.session.add(
        LoginSession(
            user=user,
            token_hash=_hash(token),
            remember=remember,
            created_at=at,
            last_seen_at=at,
            expires_at=at + lifetime(),
        )
    )
    db.session.commit()
    user.login_token = token
    return token


def _live(at: dt.datetime):
    return LoginSession.ended_at.is_(None), LoginSession.expires_at > at


def resolve(token: str, at: dt.datetime | None = None) -> LoginSession | None:
    """The live session of this token, its user active; None when ended, expired or unknown."""
    if not token:
        return None
    at = at or now()
    found = db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _hash(token), *_live(at))
    )
    if found is None or not found.user.active:
        return None
    if at - found.last_seen_at > SEEN_EVERY:
        found.last_seen_at = at
        db.session.commit()
    found.user.login_token = token
    return found


def is_remembered(token: str | None) -> bool:
    found = resolve(token or "")
    return found is not None and found.remember


def end(token: str | None) -> None:
    """End the session of this token (logout); committed."""
    if not token:
        return
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now())
    )
    db.session.commit()


def end_all(user: User) -> None:
    """End every session of ``user`` in the caller's transaction (the caller commits): a
    password change or reset, a deactivation."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now())
    )


def live_count(user: User, at: dt.datetime | None = None) -> int:
    query = select(LoginSession.id).where(LoginSession.user_id == user.id, *_live(at or now()))
    return len(db.session.scalars(query).all())


def _old(at: dt.datetime):
    """Sessions expired more than KEEP_ENDED ago (every session, ended or not, expires)."""
    return LoginSession.expires_at < at - KEEP_ENDED


def any_old(at: dt.datetime) -> bool:
    return db.session.scalar(select(LoginSession.id).where(_old(at)).limit(1)) is not None


def forget_old(at: dt.datetime | None = None) -> int:
    """Delete the sessions that expired more than KEEP_ENDED ago; committed."""
    result = db.session.execute(delete(LoginSession).where(_old(at or now())))
    db.session.commit()
    return result.rowcount
