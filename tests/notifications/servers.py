"""Real servers for the notification tests (and the benchmarks): an SMTP server (aiosmtpd) that
keeps what it receives, and an HTTP server that plays a 企业微信 / 钉钉 robot webhook."""

from __future__ import annotations

import email
import json
import threading
from dataclasses import dataclass, field
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.processes import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.raw, policy=default_policy)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class _Collector:
    """aiosmtpd handler: keeps every message; answers from ``refuse`` (address → reply)."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on a free local port, in its own thread."""

    def __init__(self):
        self.handler = _Collector()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]


@dataclass
class RobotCall:
    path: str
    query: dict
    body: dict


@dataclass
class _RobotState:
    calls: list[RobotCall] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)  # next answers, in order
    lock: threading.Lock = field(default_factory=threading.Lock)


class _RobotHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        state: _RobotState = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        with state.lock:
            state.calls.append(RobotCall(parts.path, parse_qs(parts.query), json.loads(body)))
            status, answer = state.answers.pop(0) if state.answers else (200, {"errcode": 0})
        data = json.dumps({"errmsg": "ok", **answer}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output clean
        pass


class RobotServer:
    """A local HTTP server standing in for the robots' webhooks (any path)."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _RobotHandler)
        self.server.state = _RobotState()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RobotServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, status: int, body: dict) -> None:
        """The next request gets this answer (then the default: 200, errcode 0)."""
        with self.server.state.lock:
            self.server.state.answers.append((status, body))

    @property
    def calls(self) -> list[RobotCall]:
        with self.server.state.lock:
            return list(self.server.state.calls)

    def calls_to(self, path: str) -> list[RobotCall]:
        return [c for c in self.calls if c.path == path]
