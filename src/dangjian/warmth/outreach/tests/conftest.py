"""Fixtures of 增值服务: a licence window of 东湖, a group of 东湖's customers, and a real
local HTTP server standing in for the SMS gateway and the WeChat Work group robot."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from dangjian.warmth.outreach.models import AreaGroup
from dangjian.warmth.window.models import LicenceWindow


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        server = self.server
        status, answer = server.behaviour(self.path)
        with server.lock:
            server.calls[self.path] += 1
            if "phone" in body and status == 200:  # what was delivered
                server.phones[body["phone"]] += 1
            server.bodies.append((self.path, body))
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: two workers × 8 threads connect at once


class Gateway:
    """/sms answers 200 (or 500 while ``sms_down``); /robot errcode 0; /robot-bad 93000."""

    def __init__(self):
        self.sms_down = False
        server = _Server(("127.0.0.1", 0), _Handler)
        server.lock = threading.Lock()
        server.calls, server.phones, server.bodies = Counter(), Counter(), []
        server.behaviour = self.behaviour
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def behaviour(self, path):
        if path == "/sms" and self.sms_down:
            return 500, {"error": "短信网关维护中"}
        if path == "/robot-bad":
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    @property
    def calls(self):
        return self.server.calls

    @property
    def phones(self):
        return self.server.phones

    @property
    def bodies(self):
        return self.server.bodies

    def url(self, path):
        return self.base + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.DANGJIAN_SMS_GATEWAY_URL = server.url("/sms")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _seeded(db):
    """The seeded kinds, occasions and templates (a transactional test's flush drops them)."""
    from dangjian.notifications.models import MessageTemplate
    from dangjian.warmth.outreach.defaults import ensure_defaults
    from dangjian.warmth.outreach.models import BroadcastKind, GreetingOccasion

    ensure_defaults(BroadcastKind, GreetingOccasion, MessageTemplate)


@pytest.fixture(autouse=True)
def _outreach_settings(settings):
    """No quiet hours, no dispatch to a queue, short timeouts, the console for customers."""
    settings.DANGJIAN_NOTIFY_QUIET_HOURS = ""
    settings.DANGJIAN_NOTIFY_USER_CHANNELS = ["inbox"]
    settings.DANGJIAN_NOTIFY_DISPATCH = "none"
    settings.DANGJIAN_NOTIFY_HTTP_TIMEOUT = 2
    settings.DANGJIAN_NOTIFY_RETRY_MINUTES = [1, 5, 30]
    settings.DANGJIAN_SMS_GATEWAY_URL = ""


@pytest.fixture
def window(cast):
    window = LicenceWindow.objects.create(
        unit=cast.city.east,
        name="东湖县局办证窗口",
        address="东湖县人民路1号",
        phone="0797-1234567",
    )
    window.staff.set([cast.people.member, cast.people.manager])
    return window


@pytest.fixture
def group(cast):
    return AreaGroup.objects.create(name="东湖城区片区群", unit=cast.city.east_area)


@pytest.fixture
def d():
    return dt.date


def ns(**kw):
    return SimpleNamespace(**kw)
