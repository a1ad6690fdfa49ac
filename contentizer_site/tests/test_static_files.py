"""Static files through the real ASGI app (what daphne runs): a path that climbs out of the
static directories is a 404, not a 500, and real files are still served."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from asgiref.testing import ApplicationCommunicator

from contentizer_site.asgi import application


async def get(raw_path: str) -> tuple[int, bytes]:
    # daphne (like every ASGI server) decodes %2f before the app sees the path.
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 40000),
    }
    app = ApplicationCommunicator(application, scope)
    await app.send_input({"type": "http.request", "body": b""})
    start = await app.receive_output(10)
    body = b""
    while True:
        message = await app.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return start["status"], body


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raw_path",
    [
        "/static/..%2f..%2fdb.sqlite3",
        "/static/..%2f..%2fmanage.py",
        "/static/%2e%2e/%2e%2e/contentizer_site/settings.py",
        "/static/css/..%2f..%2f..%2fREADME.md",
        "/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/css/app.css%00.png",
        "/static/does-not-exist.css",
    ],
)
async def test_paths_outside_the_static_files_are_not_found(raw_path):
    status, body = await get(raw_path)
    assert status == 404
    assert b"SECRET_KEY" not in body and b"root:" not in body


@pytest.mark.asyncio
async def test_a_real_static_file_is_still_served():
    status, body = await get("/static/css/app.css")
    assert status == 200
    assert len(body) > 100
