"""A real OA filing endpoint for tests: an HTTP server on 127.0.0.1 that records and misbehaves.

`OaReceiver` runs a `ThreadingHTTPServer` on a free port in a thread. Every request that reaches
a handler is recorded (path, the Idempotency-Key and Authorization headers, the parsed JSON and
the decoded file bytes). Messages are stored once per idempotency key; a second POST of a known
key is counted as a duplicate receipt and answered `duplicate_status` (200, or 409 as the OA
system may answer).

What each request meets comes from a script, one behaviour per request in arrival order
(`default` once the script is used up):

- ``ok``: store and answer 200 (or `duplicate_status` for a known key);
- ``500``: answer HTTP 500 without storing;
- ``slow``: sleep past the client's timeout, then store and try to answer (the client is gone);
- ``drop``: read the request, then close the connection without storing or answering;
- ``ack-lost``: store the message, then close the connection before answering;
- ``ack-lost-hang``: store the message, then hold the connection open until the receiver
  stops (or `hang_seconds` pass) and close it without an answer;
- ``garbage``: read the request, answer a line that is not HTTP and close;
- ``redirect``: answer 302 to a login page (a GET there answers 200 with HTML), storing nothing.
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("ok", "500", "slow", "drop", "ack-lost", "ack-lost-hang", "garbage", "redirect")
LOGIN_PAGE = "/login"


@dataclass(frozen=True)
class Received:
    """One request as it arrived on the wire."""

    path: str
    key: str | None  # the Idempotency-Key header
    authorization: str | None
    body: dict[str, Any] | None  # the parsed JSON, None if it did not parse
    content: bytes | None  # content_base64 decoded
    behaviour: str
    duplicate: bool | None = None  # key known before (None: not processed)

    @property
    def record(self) -> dict[str, Any]:
        return dict((self.body or {}).get("record") or {})


class OaReceiver:
    """The receiving side of HttpTarget: start(), script(...), look at requests/stored, stop()."""

    def __init__(
        self,
        *,
        duplicate_status: int = 200,
        default: str = "ok",
        slow_seconds: float = 1.6,
        hang_seconds: float = 60.0,
    ) -> None:
        if default not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {default!r}")
        self.duplicate_status, self.default = duplicate_status, default
        self.slow_seconds, self.hang_seconds = slow_seconds, hang_seconds
        self._lock = threading.Lock()
        self._script: collections.deque[str] = collections.deque()
        self._requests: list[Received] = []
        self._stored: dict[str, Received] = {}
        self._duplicates: list[str] = []
        self._errors: list[str] = []
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> OaReceiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.receiver = self  # type: ignore[attr-defined]
        server.handle_error = self._handle_error  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OaReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the receiver first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oa/filing"

    # -- the script ----------------------------------------------------------------------------
    def script(self, *behaviours: str) -> None:
        """Append behaviours for the next requests, in arrival order."""
        unknown = [b for b in behaviours if b not in BEHAVIOURS]
        if unknown:
            raise ValueError(f"unknown behaviour(s) {unknown}; known: {BEHAVIOURS}")
        with self._lock:
            self._script.extend(behaviours)

    @property
    def scripted(self) -> int:
        """Behaviours not used yet."""
        with self._lock:
            return len(self._script)

    def _next(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    # -- what arrived --------------------------------------------------------------------------
    @property
    def requests(self) -> list[Received]:
        """Every request that reached a handler, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def stored(self) -> dict[str, Received]:
        """The receiver's store: the first processed message of each idempotency key."""
        with self._lock:
            return dict(self._stored)

    @property
    def duplicates(self) -> list[str]:
        """Keys processed again after they were stored (duplicate receipts)."""
        with self._lock:
            return list(self._duplicates)

    @property
    def errors(self) -> list[str]:
        """Exceptions in handlers (a write to a client that has gone is expected for 'slow')."""
        with self._lock:
            return list(self._errors)

    def wire_keys(self) -> collections.Counter[str | None]:
        """How often each key came over the wire, whatever the receiver did with it."""
        return collections.Counter(r.key for r in self.requests)

    def wait_for(self, predicate: Callable[[OaReceiver], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise TimeoutError(f"receiver: condition not met in {timeout}s")
            time.sleep(0.01)

    # -- used by the handler -------------------------------------------------------------------
    def _arrived(self, entry: Received) -> None:
        with self._lock:
            self._requests.append(entry)

    def _store(self, entry: Received) -> bool:
        """Store a message once per key; True when the key was known (a duplicate receipt)."""
        assert entry.key is not None
        with self._lock:
            if entry.key in self._stored:
                self._duplicates.append(entry.key)
                return True
            self._stored[entry.key] = entry
            return False

    def _handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        with self._lock:
            self._errors.append(f"{type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    server_version = "OaReceiver/1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        receiver: OaReceiver = self.server.receiver  # type: ignore[attr-defined]
        behaviour = receiver._next()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body: dict[str, Any] | None
        content: bytes | None = None
        try:
            body = json.loads(raw)
            content = base64.b64decode(body["content_base64"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            body = None
        key = self.headers.get("Idempotency-Key")
        entry = Received(
            self.path, key, self.headers.get("Authorization"), body, content, behaviour
        )
        if body is None or key is None or body.get("idempotency_key") != key:
            receiver._arrived(entry)
            self._answer(400, {"error": "bad request"})
            return
        if behaviour == "500":
            receiver._arrived(entry)
            self._answer(500, {"error": "scripted failure"})
            return
        if behaviour == "drop":
            receiver._arrived(entry)
            self._drop()
            return
        if behaviour == "garbage":
            receiver._arrived(entry)
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
            self._drop()
            return
        if behaviour == "redirect":
            receiver._arrived(entry)
            self.send_response(302)
            self.send_header("Location", LOGIN_PAGE)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if behaviour == "slow":
            receiver._closing.wait(receiver.slow_seconds)
        duplicate = receiver._store(entry)
        receiver._arrived(
            Received(entry.path, key, entry.authorization, body, content, behaviour, duplicate)
        )
        if behaviour == "ack-lost":
            self._drop()
            return
        if behaviour == "ack-lost-hang":
            receiver._closing.wait(receiver.hang_seconds)
            self._drop()
            return
        status = receiver.duplicate_status if duplicate else 200
        self._answer(status, {"received": key, "duplicate": duplicate})

    def do_GET(self) -> None:
        """The login page a redirect leads to: 200 and HTML, nothing filed."""
        receiver: OaReceiver = self.server.receiver  # type: ignore[attr-defined]
        receiver._arrived(
            Received(
                self.path,
                self.headers.get("Idempotency-Key"),
                self.headers.get("Authorization"),
                None,
                None,
                "GET",
            )
        )
        data = "<html><body>请登录</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        """Close the connection without a byte of answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
