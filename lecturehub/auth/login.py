"""Sign-in with an account lock and a per-address slow-down, and personal API tokens.

Why not Flask-Limiter: its counters live in the process's memory (lost at a restart, separate
in each server process) or in Redis, Memcached or MongoDB, none of which a township server
runs; and a limiter that refuses requests before the password is checked would refuse the
right password of everyone behind the same address. The attempts are rows in the application
database instead: shared by every process, kept across restarts, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from lecturehub.auth import sessions
from lecturehub.auth.models import ApiToken, LoginAttempt, User
from lecturehub.auth.services import user_by_login
from lecturehub.core import jobs
from lecturehub.core.errors import NotFound, ServiceError
from lecturehub.core.timeutil import now
from lecturehub.extensions import db

log = logging.getLogger(__name__)

TOKEN_PREFIX = "lh_"
KEEP_ATTEMPTS = dt.timedelta(days=90)  # the record of sign-in attempts, for an inquiry
# A constant hash to compare against for unknown logins, so timing does not reveal them.
_DUMMY_HASH = "scrypt:32768:8:1$abcdefghijklmnop$" + "0" * 128


class LoginRefused(ServiceError):
    status = 401

    def __init__(self, message: str, code: str, status: int | None = None, retry_after=None):
        super().__init__(message, code, status)
        self.retry_after = retry_after  # seconds, for the Retry-After header of a 429


BAD_CREDENTIALS = "用户名或密码不正确。"


def _window() -> tuple[dt.datetime, int]:
    minutes = int(current_app.config["LOGIN_LOCK_MINUTES"])
    return now() - dt.timedelta(minutes=minutes), minutes * 60


def _failures(*where) -> int:
    query = select(func.count(LoginAttempt.id)).where(LoginAttempt.success.is_(False), *where)
    return db.session.scalar(query) or 0


def _account_failures(user: User, since: dt.datetime) -> int:
    """Failed tries on this account (attempts that named it while it existed) since its last
    successful sign-in, within the lock window."""
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.id)).where(
            LoginAttempt.user_id == user.id, LoginAttempt.success.is_(True)
        )
    )
    after = [] if last_success is None else [LoginAttempt.id > last_success]
    return _failures(LoginAttempt.user_id == user.id, LoginAttempt.at >= since, *after)


def _check_lock(login: str, user: User | None) -> None:
    """The account lock. A name that is no account answers alike after as many failures (so
    the answer does not tell which names exist), but its failures never count towards a real
    account, not even one created under that name later."""
    cfg = current_app.config
    since, seconds = _window()
    if user is not None:
        failures = _account_failures(user, since)
    else:
        failures = _failures(
            LoginAttempt.login == login, LoginAttempt.user_id.is_(None), LoginAttempt.at >= since
        )
    if failures >= cfg["LOGIN_MAX_FAILURES"]:
        raise LoginRefused(
            f"该账号连续登录失败次数过多，已锁定 {cfg['LOGIN_LOCK_MINUTES']} 分钟，"
            "请稍后再试或联系党政办重置密码。",
            "account_locked",
            429,
            retry_after=seconds,
        )


def _refuse_failure(address: str) -> None:
    """A wrong name or password. Past LOGIN_MAX_FAILURES_PER_IP failures from one address in
    the window, failures are answered 429 with Retry-After: guessing from there is told to slow
    down. Only failures: the right password of an account that is not itself locked always
    signs in, since a whole township may share one address (NAT, a proxy)."""
    since, seconds = _window()
    limit = int(current_app.config["LOGIN_MAX_FAILURES_PER_IP"])
    failures = _failures(LoginAttempt.address == address, LoginAttempt.at >= since)
    if failures > limit:
        if failures == limit + 1:
            log.warning("%s failed sign-ins from %s in %s s", failures, address, seconds)
        raise LoginRefused(
            BAD_CREDENTIALS + "此地址登录失败次数过多，请稍后再试。",
            "address_throttled",
            429,
            retry_after=seconds,
        )
    raise LoginRefused(BAD_CREDENTIALS, "bad_credentials")


def authenticate(login: str, password: str, address: str) -> User:
    """Check a login; record the attempt; raise LoginRefused with a Chinese reason."""
    login = (login or "").strip().lower()
    address = (address or "unknown")[:64]
    user = user_by_login(login)
    _check_lock(login, user)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    attempt = LoginAttempt(
        login=login[:64],
        address=address,
        user_id=user.id if user else None,
        success=bool(ok and user),
    )
    db.session.add(attempt)
    db.session.commit()
    if not user or not ok:
        _refuse_failure(address)
    if not user.active:
        raise LoginRefused("该账号已停用，请联系党政办。", "inactive")
    user.last_login_at = now()
    db.session.commit()
    return user


def old_sign_ins(at: dt.datetime) -> bool:
    """Whether there are attempts past KEEP_ATTEMPTS or sessions long over to forget."""
    query = select(LoginAttempt.id).where(LoginAttempt.at < at - KEEP_ATTEMPTS).limit(1)
    return db.session.scalar(query) is not None or sessions.any_old(at)


@jobs.task
def forget_old_sign_ins(at: str) -> None:
    """The daily clean-up as of ``at`` (ISO): attempts past KEEP_ATTEMPTS, sessions long over."""
    when = dt.datetime.fromisoformat(at)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < when - KEEP_ATTEMPTS))
    db.session.commit()
    sessions.forget_old(when)


# --- API tokens ------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token; the plain token is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip()[:80] or "API 令牌",
        token_hash=_hash_token(plain),
        prefix=plain[:10],
    )
    db.session.add(token)
    db.session.commit()
    return token, plain


def list_tokens(user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("找不到该令牌。", "token_not_found")
    if token.revoked_at is None:
        token.revoked_at = now()
        db.session.commit()
    return token


def user_for_token(plain: str) -> tuple[User | None, str | None]:
    """Resolve a bearer token to its user, or give the Chinese reason it is refused."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(plain)))
    if token is None:
        return None, "API 令牌无效。"
    if token.revoked_at is not None:
        return None, "API 令牌已撤销。"
    if not token.user.active:
        return None, "该账号已停用。"
    stamp = now()
    if token.last_used_at is None or stamp - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = stamp
        db.session.commit()
    return token.user, None
