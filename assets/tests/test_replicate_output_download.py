"""The download of a Replicate output follows redirects only to public addresses: every
hop is checked by core.netguard (the webhooks' guard); a redirect to 127.0.0.1 is
refused with a clear error and nothing is requested from it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assets.generators.base import GenerationError
from assets.generators.replicate_provider import ReplicatePictureProvider
from assets.models import ReplicatePrediction

pytestmark = pytest.mark.django_db(transaction=True)


class InternalService:
    """Something on loopback that must never be reached (a stand-in for an admin port or
    a metadata endpoint); it records every request it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                service.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]


@pytest.fixture
def internal() -> Iterator[InternalService]:
    service = InternalService()
    try:
        yield service
    finally:
        service.server.shutdown()
        service.server.server_close()


def draw(out_dir: Path) -> Path:
    out_dir.mkdir(exist_ok=True)
    provider = ReplicatePictureProvider(aspect_ratio="16:9")
    try:
        return provider.generate(prompt="a lighthouse at dusk", width=64, height=36, seed=1, out_dir=out_dir).path
    finally:
        provider.close()


def test_a_redirect_to_loopback_is_refused_and_never_requested(fake_replicate, internal, settings, tmp_path):
    settings.REPLICATE_ATTEMPTS = 1
    fake_replicate.output_redirect = f"http://127.0.0.1:{internal.port}/latest/meta-data/{{name}}"

    with pytest.raises(GenerationError) as refused:
        draw(tmp_path / "out")

    message = str(refused.value)
    assert "a redirect was refused, not a public internet address: 127.0.0.1 is a loopback address" in message
    assert internal.paths == []
    assert list((tmp_path / "out").iterdir()) == []  # no partial file
    assert ReplicatePrediction.objects.get().status == ReplicatePrediction.Status.REFUSED


def test_a_redirect_to_localhost_by_name_is_refused(fake_replicate, internal, settings, tmp_path):
    settings.REPLICATE_ATTEMPTS = 1
    fake_replicate.output_redirect = f"http://localhost:{internal.port}/{{name}}"

    with pytest.raises(GenerationError, match="localhost is an internal host name"):
        draw(tmp_path / "out")
    assert internal.paths == []


def test_a_redirect_to_a_private_network_address_is_refused(fake_replicate, settings, tmp_path):
    settings.REPLICATE_ATTEMPTS = 1
    fake_replicate.output_redirect = "http://10.0.0.5:8080/{name}"

    with pytest.raises(GenerationError, match="10.0.0.5 is a private address"):
        draw(tmp_path / "out")


def test_a_redirect_within_the_configured_replicate_origin_is_followed(fake_replicate, tmp_path):
    fake_replicate.output_redirect = fake_replicate.url + "/files/{name}?moved=1"

    path = draw(tmp_path / "out")

    assert path.read_bytes()[:4] == b"RIFF"
    assert any("?moved=1" in r["path"] for r in fake_replicate.calls("GET", "/files/"))


def test_endless_redirects_end_with_an_error(fake_replicate, settings, tmp_path):
    settings.REPLICATE_ATTEMPTS = 1
    fake_replicate.output_redirect = fake_replicate.url + "/files/{name}"  # to itself, for ever

    with pytest.raises(GenerationError, match="TooManyRedirects"):
        draw(tmp_path / "out")
