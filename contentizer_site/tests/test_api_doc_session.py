"""The curl session in docs/api.md, run for real (bash, curl, jq) against a stand-in API that
refuses: its polling loops end on a 403 render (staff approval on) and on a job that cannot
be read, instead of polling for ever."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

DOC = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
REFUSAL = "The storyboard must be approved by staff before it can be rendered."


def step_blocks(number: int) -> str:
    """The ```sh blocks of the session's step `number` ("**2. Poll** ..."), joined."""
    start = DOC.index(f"\n**{number}. ")
    end = DOC.index(f"\n**{number + 1}. ", start)
    return "\n".join(re.findall(r"```sh\n(.*?)```", DOC[start:end], re.S))


class StaffApprovalSite:
    """Answers like a site that requires staff approval: approving is not enough, the render
    is refused with 403, and jobs it never made are 404."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def _answer(self, status: int, body: dict) -> None:
                site.requests.append(f"{self.command} {self.path}")
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                if self.path.endswith("/approve"):
                    return self._answer(200, {"approval": "pending", "approved_at": None})
                if self.path.endswith("/render"):
                    return self._answer(403, {"code": "permission_denied", "message": REFUSAL, "details": {}})
                return self._answer(404, {"code": "not_found", "message": "Not found.", "details": {}})

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                if self.path.startswith("/api/v1/videos/"):
                    return self._answer(200, {"status": "draft"})
                return self._answer(404, {"code": "not_found", "message": "Not found.", "details": {}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"


@pytest.fixture
def site() -> Iterator[StaffApprovalSite]:
    site = StaffApprovalSite()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


def run_session(code: str, site: StaffApprovalSite, cwd: Path) -> subprocess.CompletedProcess[str]:
    prelude = f'API={site.api}\nAUTH="Authorization: Token t"\nVIDEO=v1\nJOB=j1\n'
    try:
        return subprocess.run(["bash", "-c", prelude + code], cwd=cwd, capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the documented loop was still polling after 15 s: {site.requests[-3:]}")


def test_the_render_steps_stop_when_the_render_is_refused_with_403(site, tmp_path):
    result = run_session(step_blocks(4) + "\n" + step_blocks(5), site, tmp_path)

    assert REFUSAL in result.stdout
    assert not any(r.startswith("GET /api/v1/jobs/") for r in site.requests)  # nothing to poll


def test_the_storyboard_poll_stops_on_an_answer_other_than_200(site, tmp_path):
    run_session(step_blocks(2), site, tmp_path)

    assert site.requests.count("GET /api/v1/jobs/j1") == 1


def test_the_session_says_webhooks_to_a_local_receiver_need_allow_private():
    webhooks = DOC[DOC.index("\n## Webhooks") :]
    assert "CONTENTIZER_WEBHOOK_ALLOW_PRIVATE=1" in webhooks
