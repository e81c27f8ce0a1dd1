"""Real local endpoints for the channels: an HTTP server (WeChat Work robot, SMS gateway)
and an SMTP server (aiosmtpd), both on 127.0.0.1, started per test."""

import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.received.append(
            SimpleNamespace(path=self.path, headers=dict(self.headers), json=json.loads(body))
        )
        status, answer, delay = server.behaviour(self.path)
        if delay:
            time.sleep(delay)
        payload = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timeout test)


class LocalHttp:
    """Paths: /robot (errcode 0), /robot-bad (errcode 93000), /sms (200), /flaky (500 the
    first ``fail_times`` calls, then like /robot), /slow (answers after 2 s), /500."""

    def __init__(self):
        self.fail_times = 1
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.received = []
        self.server.behaviour = self.behaviour
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def received(self):
        return self.server.received

    def behaviour(self, path):
        ok = (200, {"errcode": 0, "errmsg": "ok"}, 0)
        if path == "/robot-bad":
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0
        if path == "/500":
            return 500, {"error": "boom"}, 0
        if path == "/slow":
            return 200, {"errcode": 0}, 2
        if path == "/flaky":
            calls = sum(1 for r in self.received if r.path == "/flaky")
            if calls <= self.fail_times:
                return 500, {"error": "服务暂时不可用"}, 0
        return ok

    def url(self, path):
        return self.base + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_server():
    server = LocalHttp()
    yield server
    server.stop()


class _SmtpHandler:
    def __init__(self):
        self.messages = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.7.1 拒绝接收"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            SimpleNamespace(
                to=envelope.rcpt_tos,
                subject=str(parsed["subject"]),
                body=parsed.get_body(preferencelist=("plain",)).get_content(),
            )
        )
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = _SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.DANGJIAN_SMTP_HOST = "127.0.0.1"
    settings.DANGJIAN_SMTP_PORT = controller.port
    settings.DANGJIAN_SMTP_FROM = "dangjian@example.cn"
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def _notify_settings(settings):
    """Deterministic defaults: no quiet hours, inbox only, dispatch left to the tests."""
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = ""
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox"]
    settings.DANGJIAN_NOTIFY_DISPATCH = "none"
    settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT = 0.5
    settings.DANGJIAN_NOTIFY_RETRY_MINUTES = [1, 5, 30]
    settings.DANGJIAN_SMTP_HOST = ""
    settings.DANGJIAN_SMS_GATEWAY_URL = ""
