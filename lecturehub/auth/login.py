"""Sign-in with throttling per account and per address, and personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lecturehub.auth.models import ApiToken, LoginAttempt, User
from lecturehub.auth.services import user_by_login
from lecturehub.core.errors import NotFound, ServiceError
from lecturehub.core.timeutil import now
from lecturehub.extensions import db

TOKEN_PREFIX = "lh_"
# A constant hash to compare against for unknown logins, so timing does not reveal them.
_DUMMY_HASH = "scrypt:32768:8:1$abcdefghijklmnop$" + "0" * 128


class LoginRefused(ServiceError):
    status = 401


def _recent_failures(column, value: str, since: dt.datetime) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.success.is_(True))
    )
    if last_success is not None and column is LoginAttempt.login:
        query = query.where(LoginAttempt.at > last_success)
    return db.session.scalar(query) or 0


def _throttle(login: str, address: str) -> None:
    cfg = current_app.config
    since = now() - dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    if _recent_failures(LoginAttempt.login, login, since) >= cfg["LOGIN_MAX_FAILURES"]:
        raise LoginRefused(
            f"该账号连续登录失败次数过多，已锁定 {cfg['LOGIN_LOCK_MINUTES']} 分钟，请稍后再试或联系党政办重置密码。",
            "account_locked",
            429,
        )
    if _recent_failures(LoginAttempt.address, address, since) >= cfg["LOGIN_MAX_FAILURES_PER_IP"]:
        raise LoginRefused("此地址登录失败次数过多，请稍后再试。", "address_locked", 429)


def authenticate(login: str, password: str, address: str) -> User:
    """Check a login; record the attempt; raise LoginRefused with a Chinese reason."""
    login = (login or "").strip().lower()
    address = (address or "unknown")[:64]
    _throttle(login, address)
    user = user_by_login(login)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    db.session.add(LoginAttempt(login=login, address=address, success=bool(ok and user)))
    if not user or not ok:
        db.session.commit()
        raise LoginRefused("用户名或密码不正确。", "bad_credentials")
    if not user.active:
        db.session.commit()
        raise LoginRefused("该账号已停用，请联系党政办。", "inactive")
    user.last_login_at = now()
    db.session.commit()
    return user


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
