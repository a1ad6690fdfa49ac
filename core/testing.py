"""Helpers shared by the test suites of every app (plain functions; the fixtures built on
them are in the root conftest.py). Test-only: nothing in the application imports this."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from core.api_tokens import api_token_create


def create_cache_table() -> None:
    """The throttles (and django-q2's cluster stats) live in the shared DatabaseCache;
    `bootstrap` makes its table in real installs, the test database starts without it."""
    call_command("createcachetable", verbosity=0)
    cache.clear()


def local_copy(name: str, folder) -> Path:
    """A local copy of a stored file (any storage: a folder or S3), to probe or read."""
    from django.core.files.storage import default_storage

    target = Path(folder) / Path(name).name
    with default_storage.open(name, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
    return target


def token_client(user) -> APIClient:
    """A client that authenticates like a program: `Authorization: Token <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error in the one shape, with this status (and code)."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    for field, messages in body["details"].items():
        assert isinstance(field, str)
        assert messages and all(isinstance(m, str) for m in messages)
    if code is not None:
        assert body["code"] == code, body
    return body


class WebhookReceiver:
    """A tiny HTTP server on 127.0.0.1 in a thread that records every POST and answers
    with the next status from `statuses` (the last one repeats)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        import http.server
        import threading
        import time

        self.statuses = list(statuses or [200])
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "at": time.monotonic(),
                        }
                    )
                    index = len(receiver.requests) - 1
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/contentizer"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        import json

        with self._lock:
            return [json.loads(r["body"]) for r in self.requests]


def verify_standard_webhook(secret: str, headers: dict, body: bytes) -> str:
    """An independent Standard Webhooks verifier (not the code under test): returns the
    message id, raises AssertionError on a bad signature."""
    import base64
    import hashlib
    import hmac

    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split(" ") if part.startswith("v1,")]
    assert any(hmac.compare_digest(expected.decode(), sig) for sig in offered), "bad webhook signature"
    return msg_id
