"""Delivery over the wire: e-mail (smtplib) and the 企业微信 / 钉钉 group robots (urllib).

No Flask and no database here: the outbox hands over settings and a finished message, and
this module says how it went. A failure is one of three kinds, because the outbox must never
send a message twice:

- ``Retry``: nothing went out (the server was down, busy, said 4xx): safe to try again;
- ``Permanent``: the server refused it for good (5xx, a bad address or robot URL);
- ``Unknown``: the message was handed over but the answer was lost (a timeout after the data
  was sent): it may have arrived, so it is not retried by itself — an admin looks and decides.

Why the standard library: ``smtplib`` and ``email.message`` do UTF-8 bodies, RFC 2047 names
and multipart/alternative themselves, and the robots are one JSON POST each; a mail library
would add a dependency for a dozen lines.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

ROBOT_RATE_LIMITED = {45009, 130101}  # 企业微信 "api freq out of limit", 钉钉 "send too fast"
WECOM_MAX_BYTES = 4096  # 企业微信 refuses longer markdown content


class DeliveryError(Exception):
    """Base of the three outcomes below; ``str()`` is the error shown in the outbox."""


class Retry(DeliveryError):
    """Not delivered; trying again later is safe."""


class Permanent(DeliveryError):
    """Not delivered, and trying again will not help."""


class Unknown(DeliveryError):
    """Handed over, but no answer: it may have been delivered. Never retried by itself."""


# --- e-mail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str = ""
    password: str = ""
    sender: str = ""
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config) -> MailSettings | None:
        """The MAIL_* settings, or None when no server is set (e-mail is off)."""
        if not config.get("MAIL_SERVER"):
            return None
        return cls(
            server=str(config["MAIL_SERVER"]),
            port=int(config.get("MAIL_PORT") or _default_port(config)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=str(config.get("MAIL_USERNAME") or ""),
            password=str(config.get("MAIL_PASSWORD") or ""),
            sender=str(config.get("MAIL_SENDER") or config.get("MAIL_USERNAME") or ""),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
        )

    @property
    def sender_address(self) -> Address:
        name, addr = parseaddr(self.sender)
        return Address(display_name=name, addr_spec=addr or f"lecturehub@{socket.getfqdn()}")


def _default_port(config) -> int:
    if config.get("MAIL_USE_SSL"):
        return 465
    return 587 if config.get("MAIL_USE_TLS") else 25


@dataclass(frozen=True)
class Email:
    to_name: str
    to_address: str
    subject: str
    text: str
    html: str
    message_id: str  # the same for every try: a mail client shows a duplicate once


def build_email(settings: MailSettings, mail: Email, at) -> EmailMessage:
    """A multipart/alternative message: plain text and HTML, both UTF-8 in base64, with the
    Chinese subject and names encoded by RFC 2047 (``email.headerregistry`` does it)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.sender_address
    message["To"] = Address(display_name=mail.to_name, addr_spec=mail.to_address)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = mail.message_id
    message.set_content(mail.text, cte="base64")
    message.add_alternative(mail.html, subtype="html", cte="base64")
    return message


def _refused(code: int, what: str, reply: bytes | str) -> DeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    error = f"SMTP {what} {code}: {text}"[:500]
    return Retry(error) if 400 <= code < 500 else Permanent(error)


class Mailer:
    """One SMTP connection, opened on the first message and reused for the rest of a drain."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    s.server, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            smtp.ehlo_or_helo_if_needed()
            if s.use_tls and not s.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise Permanent(f"SMTP 登录失败（用户名或密码错误）：{exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise Retry(f"无法连接邮件服务器 {s.server}:{s.port}：{exc}") from exc
        return smtp

    def connect(self) -> None:
        """Open the connection (once); Retry or Permanent when the server cannot be used."""
        if self.smtp is None:
            self.smtp = self._connect()

    def send(self, message: EmailMessage, to_address: str) -> None:
        """Deliver one message; raise Retry, Permanent or Unknown when it did not go through.

        A connection the server closed since the last message (idle time, a limit of messages
        per connection) is opened again once: nothing was handed over on it."""
        reused = self.smtp is not None
        try:
            self._envelope(to_address)
        except Retry:
            if not reused or self.smtp is not None:  # a refusal, or a fresh connection failed
                raise
            self._envelope(to_address)
        self._data(self.smtp, message)

    def _envelope(self, to_address: str) -> None:
        """MAIL FROM and RCPT TO; nothing of the message itself is sent yet."""
        self.connect()
        smtp, sender = self.smtp, self.settings.sender_address.addr_spec
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                raise _refused(code, "MAIL FROM", reply)
            code, reply = smtp.rcpt(to_address)
            if code not in (250, 251):
                raise _refused(code, "RCPT TO", reply)
        except OSError as exc:  # smtplib's errors are OSErrors too
            self.close()
            raise Retry(f"邮件服务器连接中断：{exc}") from exc
        except DeliveryError:
            self._reset()
            raise

    def _data(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            code, reply = smtp.data(message.as_bytes())
        except smtplib.SMTPDataError as exc:  # DATA refused before anything was sent
            self._reset()
            raise _refused(exc.smtp_code, "DATA", exc.smtp_error) from exc
        except OSError as exc:  # the message went out; its answer did not come
            self.close()
            raise Unknown(f"发送邮件时连接中断，无法确认对方是否已收到：{exc}") from exc
        if code != 250:
            self._reset()
            raise _refused(code, "DATA", reply)

    def _reset(self) -> None:
        """Forget a refused transaction so the connection can carry the next message."""
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


# --- group robots ------------------------------------------------------------------------------


def _post_json(url: str, payload: dict, timeout: float) -> dict:
    """POST ``payload``; the robot's JSON answer, or Retry / Permanent / Unknown."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        error = f"机器人接口返回 HTTP {exc.code}"
        raise (Retry(error) if exc.code >= 500 or exc.code == 429 else Permanent(error)) from exc
    except urllib.error.URLError as exc:  # no connection: nothing was sent
        raise Retry(f"无法连接机器人接口：{exc.reason}") from exc
    except (TimeoutError, OSError) as exc:  # sent, but the answer did not come
        raise Unknown(f"机器人接口无应答，无法确认是否已发送：{exc}") from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError as exc:
        raise Unknown("机器人接口的应答不是 JSON，无法确认是否已发送。") from exc
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if code:
        error = f"机器人接口错误 {code}：{answer.get('errmsg', '')}"[:500]
        raise Retry(error) if code in ROBOT_RATE_LIMITED else Permanent(error)
    return answer


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def send_wecom(webhook: str, title: str, markdown: str, timeout: float = 10.0) -> None:
    """A markdown message to a 企业微信 group robot."""
    content = _clip(f"**{title}**\n{markdown}", WECOM_MAX_BYTES)
    _post_json(webhook, {"msgtype": "markdown", "markdown": {"content": content}}, timeout)


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook with 钉钉's signature: ``timestamp`` (ms) and ``sign`` =
    base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded. Without a secret the robot
    relies on its keyword or IP rules and the URL is used as it is."""
    if not secret:
        return webhook
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if urllib.parse.urlsplit(webhook).query else "?"
    return f"{webhook}{joiner}timestamp={timestamp}&sign={sign}"


def send_dingtalk(
    webhook: str, secret: str, title: str, markdown: str, timeout: float = 10.0
) -> None:
    """A markdown message to a 钉钉 custom robot (signed when a secret is set)."""
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": f"#### {title}\n{markdown}"},
    }
    _post_json(dingtalk_url(webhook, secret), payload, timeout)
