"""A local stand-in for Replicate's HTTP API, for tests: a ThreadingHTTPServer on
127.0.0.1 (a free port) in a thread.

It speaks what the `replicate` client uses: `POST /v1/models/{owner}/{name}/predictions`,
`GET /v1/predictions/{id}`, `POST /v1/predictions/{id}/cancel`; serves real picture
(WebP, made with Pillow at the requested aspect ratio) and sound (WAV) bytes at output
URLs on itself; answers language models (`text_models`, e.g. meta/meta-llama-3-8b-instruct)
with a canned text as a list of token pieces, the shape of their streamed output; and can
be told to answer creations with 429 (with `retry-after`) or
5xx, to let predictions fail, abort, hang (never finish) or produce garbage, and to send
Standard-Webhooks-signed webhooks (good, bad signature, replayed, stale timestamp).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import math
import struct
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import Request, urlopen

from PIL import Image

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"contentizer-test-signing-key-32b").decode()
SIZES = {"16:9": (64, 36), "9:16": (36, 64), "1:1": (48, 48)}

# What a created prediction does: succeed, fail, abort, hang (stays processing), garbage
# (succeeds with an output that is not a picture).
SUCCEED, FAIL, ABORT, HANG, GARBAGE = "succeed", "fail", "abort", "hang", "garbage"


# What a language model answers, with the preamble and heading a real one often adds.
CANNED_SCRIPT = (
    "Here is your script:\n\n"
    "**The Lighthouse**\n\n"
    "Every night for a hundred years, the lighthouse on the cliff has turned its lamp towards the sea. "
    "Sailors far from home have watched for its beam.\n\n"
    "[Sound of waves]\n\n"
    "Today the keeper is a machine, but the light still sweeps the dark water, and the ships still come home."
)


def token_pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def sign(secret: str, webhook_id: str, timestamp: str, body: str) -> str:
    key = base64.b64decode(secret.split("_", 1)[1])
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    frames = int(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(frames))
        )
    return buffer.getvalue()


class FakeReplicate:
    def __init__(self, *, polls_before_done: int = 1, webhook_delay_s: float = 0.05) -> None:
        self.lock = threading.Lock()
        self.predictions: dict[str, dict] = {}
        self.requests: list[dict] = []
        # Answers to the next creations, before any prediction is made: (status, headers).
        self.create_errors: list[tuple[int, dict[str, str]]] = []
        # What each next prediction does; SUCCEED once the list is empty.
        self.outcomes: list[str] = []
        self.polls_before_done = polls_before_done
        self.webhook_delay_s = webhook_delay_s
        # How webhooks are sent when a prediction asks for one: "good", "bad_signature",
        # "replay", "stale", or None (never).
        self.webhook_mode: str | None = "good"
        self.webhook_responses: list[tuple[str, int]] = []  # (webhook-id, our status)
        # When set, an output URL answers 302 to this, formatted with the file's `name`; a
        # request with "?moved" in it is served (so a redirect back here ends).
        self.output_redirect: str | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        # Language models: their output is `script_text` cut into pieces of a few characters.
        self.text_models = {"meta/meta-llama-3-8b-instruct"}
        self.script_text = CANNED_SCRIPT
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeReplicate:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what happened ---------------------------------------------------------------------

    def calls(self, method: str, prefix: str = "") -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["method"] == method and r["path"].startswith(prefix)]

    def creations(self) -> list[dict]:
        return [r for r in self.calls("POST", "/v1/models/") if r["path"].endswith("/predictions")]

    # -- predictions -------------------------------------------------------------------------

    def _create(self, model: str, body: dict) -> tuple[int, dict, dict[str, str]]:
        with self.lock:
            if self.create_errors:
                status, headers = self.create_errors.pop(0)
                title = "Too many requests" if status == 429 else "Server error"
                return status, {"title": title, "detail": f"fake {status}", "status": status}, headers
            outcome = self.outcomes.pop(0) if self.outcomes else SUCCEED
            prediction_id = f"fake{next(self._ids):04d}"
            prediction = {
                "id": prediction_id,
                "model": model,
                "version": "hash",
                "status": "starting",
                "input": body.get("input") or {},
                "output": None,
                "error": None,
                "logs": "",
                "metrics": {},
                "created_at": "2026-01-01T00:00:00Z",
                "started_at": None,
                "completed_at": None,
                "urls": {
                    "get": f"{self.url}/v1/predictions/{prediction_id}",
                    "cancel": f"{self.url}/v1/predictions/{prediction_id}/cancel",
                },
            }
            self.predictions[prediction_id] = {
                "public": prediction,
                "outcome": outcome,
                "polls": 0,
                "webhook": body.get("webhook"),
                "done": False,
            }
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if body.get("webhook") and outcome != HANG and self.webhook_mode:
            threading.Thread(target=self._finish_and_notify, args=(prediction_id,), daemon=True).start()
        return 201, dict(prediction), {}

    def _finish(self, prediction_id: str) -> dict:
        """Move a prediction to its outcome (under the lock)."""
        entry = self.predictions[prediction_id]
        public = entry["public"]
        if entry["done"] or entry["outcome"] == HANG:
            return public
        entry["done"] = True
        self.in_flight -= 1
        outcome = entry["outcome"]
        public["completed_at"] = "2026-01-01T00:00:01Z"
        if outcome in (SUCCEED, GARBAGE) and public["model"] in self.text_models:
            public["status"] = "succeeded"
            public["output"] = token_pieces(self.script_text) if outcome == SUCCEED else []
            public["metrics"] = {"predict_time": 0.4}
        elif outcome in (SUCCEED, GARBAGE):
            public["status"] = "succeeded"
            is_speech = "text" in public["input"]
            public["output"] = (
                f"{self.url}/files/{prediction_id}.wav" if is_speech else [f"{self.url}/files/{prediction_id}.webp"]
            )
            public["metrics"] = {"predict_time": 0.4}
        elif outcome == FAIL:
            public["status"] = "failed"
            public["error"] = "NSFW content detected"
        elif outcome == ABORT:
            public["status"] = "aborted"
        return public

    def _get(self, prediction_id: str) -> dict | None:
        with self.lock:
            entry = self.predictions.get(prediction_id)
            if entry is None:
                return None
            entry["polls"] += 1
            if entry["polls"] >= self.polls_before_done:
                self._finish(prediction_id)
            else:
                entry["public"]["status"] = "processing"
            return dict(entry["public"])

    def _cancel(self, prediction_id: str) -> dict | None:
        with self.lock:
            entry = self.predictions.get(prediction_id)
            if entry is None:
                return None
            if not entry["done"]:
                entry["done"] = True
                self.in_flight -= 1
            entry["public"]["status"] = "canceled"
            return dict(entry["public"])

    def _file(self, name: str) -> tuple[bytes, str] | None:
        prediction_id, _, ext = name.partition(".")
        with self.lock:
            entry = self.predictions.get(prediction_id)
        if entry is None:
            return None
        if entry["outcome"] == GARBAGE:
            return b"<html>this is not a picture</html>", "text/html"
        if ext == "wav":
            return wav_bytes(), "audio/wav"
        size = SIZES.get(entry["public"]["input"].get("aspect_ratio"), (40, 40))
        buffer = io.BytesIO()
        Image.new("RGB", size, (120, 40, 200)).save(buffer, "WEBP")
        return buffer.getvalue(), "image/webp"

    # -- webhooks --------------------------------------------------------------------------

    def _finish_and_notify(self, prediction_id: str) -> None:
        time.sleep(self.webhook_delay_s)
        with self.lock:
            public = dict(self._finish(prediction_id))
            url = self.predictions[prediction_id]["webhook"]
        self.send_webhook(url, public, mode=self.webhook_mode or "good")

    def send_webhook(
        self, url: str, prediction: dict, *, mode: str = "good", webhook_id: str | None = None
    ) -> list[int]:
        """POST a prediction to `url` as Replicate would, signed per `mode`; returns the
        statuses our endpoint answered (two for a replay)."""
        body = json.dumps(prediction)
        webhook_id = webhook_id or f"msg_{prediction['id']}"
        timestamp = str(int(time.time()) - (3600 if mode == "stale" else 0))
        secret = WEBHOOK_SECRET
        if mode == "bad_signature":
            secret = "whsec_" + base64.b64encode(b"some-other-key-not-the-real-one").decode()
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(secret, webhook_id, timestamp, body),
        }
        statuses = []
        for _ in range(2 if mode == "replay" else 1):
            statuses.append(self._post(url, body.encode(), headers))
        with self.lock:
            self.webhook_responses += [(webhook_id, status) for status in statuses]
        return statuses

    @staticmethod
    def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
        from urllib.error import HTTPError

        try:
            with urlopen(Request(url, data=body, headers=headers, method="POST"), timeout=10) as response:
                return response.status
        except HTTPError as exc:
            return exc.code

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                return

            def _record(self, body: dict | None) -> None:
                with fake.lock:
                    fake.requests.append(
                        {"method": self.command, "path": self.path, "json": body, "headers": dict(self.headers)}
                    )

            def _json(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                self._record(body)
                parts = self.path.strip("/").split("/")
                if len(parts) == 5 and parts[:2] == ["v1", "models"] and parts[4] == "predictions":
                    status, out, headers = fake._create(f"{parts[2]}/{parts[3]}", body)
                    return self._json(status, out, headers)
                if len(parts) == 4 and parts[:2] == ["v1", "predictions"] and parts[3] == "cancel":
                    out = fake._cancel(parts[2])
                    return self._json(200, out) if out else self._json(404, {"detail": "Not found."})
                return self._json(404, {"detail": "Not found."})

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                self._record(None)
                parts = self.path.strip("/").split("/")
                if len(parts) == 3 and parts[:2] == ["v1", "predictions"]:
                    out = fake._get(parts[2])
                    return self._json(200, out) if out else self._json(404, {"detail": "Not found."})
                if len(parts) == 2 and parts[0] == "files" and fake.output_redirect and "?moved" not in parts[1]:
                    self.send_response(302)
                    self.send_header("Location", fake.output_redirect.format(name=parts[1]))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if len(parts) == 2 and parts[0] == "files":
                    found = fake._file(parts[1].partition("?")[0])
                    if found is None:
                        return self._json(404, {"detail": "Not found."})
                    data, content_type = found
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                return self._json(404, {"detail": "Not found."})

        return Handler
