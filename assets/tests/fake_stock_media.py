"""What the fake Pexels and Pixabay servers share: a small catalogue of stock items (as
the real sites describe them: real-looking sizes, durations, authors), a matcher for
search terms, real media bytes, and an HTTP server base with scripted failures.

Media are real files, made on first request and kept: a JPEG (Pillow) or an H.264 MP4
(ffmpeg's lavfi test source, 1 s, 5 fps). They are `scale` times smaller than the size
the API claims (1/10 by default) so tests stay fast; a test that needs the claimed size
sets `scale = 1`.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image, ImageDraw, ImageFont

from mediakit.config import DEJAVU_BOLD


@dataclass(frozen=True)
class Item:
    id: int
    kind: str  # "photo" | "video"
    tags: str
    width: int  # the original's size
    height: int
    author: str
    author_id: int
    duration_s: int = 0  # clips
    # Clip renditions (width, height), smallest first; photos: derived by each API.
    renditions: tuple[tuple[int, int], ...] = ()
    colour: tuple[int, int, int] = (90, 140, 200)

    @property
    def slug(self) -> str:
        return self.tags.replace(" ", "-")


CATALOGUE: tuple[Item, ...] = (
    Item(1, "photo", "lighthouse keeper stairs", 6000, 4000, "Ana Lima", 101, colour=(200, 170, 90)),
    Item(2, "photo", "lighthouse coast", 3000, 4500, "Ben Okafor", 102, colour=(60, 120, 180)),
    Item(3, "photo", "lighthouse night", 3000, 3000, "Chen Wu", 103, colour=(20, 30, 70)),
    Item(4, "photo", "harbour ferry boats", 1200, 800, "Dora Novak", 104, colour=(150, 150, 160)),
    Item(5, "photo", "waves rocks sea", 5000, 3333, "Eli Haddad", 105, colour=(30, 90, 120)),
    Item(6, "photo", "waves beach", 2400, 3600, "Fay Moreau", 106, colour=(210, 190, 150)),
    Item(7, "photo", "lighthouse keeper lamp", 4000, 6000, "Gil Santos", 107, colour=(230, 200, 60)),
    Item(8, "photo", "harbour ferry", 5472, 3648, "Hana Sato", 108, colour=(70, 110, 90)),
    Item(
        11, "video", "lighthouse coast aerial", 3840, 2160, "Ivo Petrov", 111, 12,
        ((640, 360), (1280, 720), (1920, 1080), (3840, 2160)), (70, 130, 190),
    ),
    Item(12, "video", "lighthouse waves", 1920, 1080, "Jon Berg", 112, 3, ((640, 360), (1920, 1080)), (40, 80, 140)),
    Item(13, "video", "lighthouse", 1080, 1920, "Kai Mensah", 113, 8, ((360, 640), (1080, 1920)), (90, 90, 40)),
    Item(14, "video", "waves rocks", 1280, 720, "Lea Fischer", 114, 20, ((640, 360), (1280, 720)), (20, 60, 90)),
    Item(15, "video", "waves rocks sea", 1920, 1080, "Max Rossi", 115, 15, ((960, 540), (1920, 1080)), (10, 70, 110)),
    Item(16, "video", "harbour ferry", 1080, 1920, "Nia Adeyemi", 116, 10, ((540, 960), (1080, 1920)), (100, 60, 50)),
)  # fmt: skip


def orientation(width: int, height: int) -> str:
    if width > height * 1.05:
        return "landscape"
    if height > width * 1.05:
        return "portrait"
    return "square"


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def matches(items: tuple[Item, ...], terms: str, kind: str) -> list[Item]:
    """Items of `kind` sharing a word with `terms`, most shared words first, then by id
    (a stand-in for the real sites' relevance order, and deterministic)."""
    # The real sites match a word's plural and singular alike ("wave" finds "waves").
    words = {_singular(word) for word in terms.lower().replace("+", " ").split()}
    scored = []
    for item in items:
        if item.kind != kind:
            continue
        shared = len(words & {_singular(tag) for tag in item.tags.split()})
        if shared:
            scored.append((-shared, item.id, item))
    return [item for *_, item in sorted(scored)]


class MediaMaker:
    """Real media bytes, made once per (kind, size) and kept for the server's life."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cache: dict[tuple, bytes] = {}
        self.scale = 10

    def _size(self, width: int, height: int) -> tuple[int, int]:
        # Even sizes for yuv420p.
        w = max(16, width // self.scale) // 2 * 2
        h = max(16, height // self.scale) // 2 * 2
        return w, h

    def jpeg(self, width: int, height: int, colour: tuple[int, int, int], label: str = "") -> bytes:
        size = self._size(width, height)
        key = ("jpeg", size, colour, label)
        with self.lock:
            if key not in self.cache:
                picture = Image.new("RGB", size, colour)
                # A lighter band, and the item's tags, so a frame grab shows which item it is.
                band = Image.new("RGB", (size[0], max(2, size[1] // 5)), tuple(min(255, c + 60) for c in colour))
                picture.paste(band, (0, size[1] // 2))
                if label:
                    # Fits the width: DejaVu Bold glyphs average ~0.65 em.
                    font_size = max(8, min(min(size) // 10, int(size[0] * 0.9 / (0.65 * len(label)))))
                    try:
                        font = ImageFont.truetype(DEJAVU_BOLD, font_size)
                    except OSError:
                        font = ImageFont.load_default()
                    ImageDraw.Draw(picture).text((font_size // 2, font_size // 2), label, fill="white", font=font)
                buffer = io.BytesIO()
                picture.save(buffer, "JPEG", quality=85)
                self.cache[key] = buffer.getvalue()
            return self.cache[key]

    def mp4(self, width: int, height: int) -> bytes:
        w, h = self._size(width, height)
        key = ("mp4", (w, h))
        with self.lock:
            if key not in self.cache:
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "clip.mp4"
                    subprocess.run(
                        [
                            "ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi",
                            "-i", f"testsrc2=s={w}x{h}:d=1:r=5",
                            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                            "-movflags", "+faststart", str(out),
                        ],
                        check=True,
                        timeout=60,
                    )  # fmt: skip
                    self.cache[key] = out.read_bytes()
            return self.cache[key]


HTML_PAGE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>challenge</body></html>"


class FakeStockServer:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) in a thread. Subclasses answer
    `api(path, query, headers)` and `media(path)`; this records every request and plays
    scripted failures first."""

    def __init__(self, *, api_key: str) -> None:
        self.api_key = api_key
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        # The next API answers, before any real one: (status, headers, body bytes).
        self.api_failures: list[tuple[int, dict[str, str], bytes]] = []
        # The next media answers likewise (a 500 before the file, an HTML page...).
        self.media_failures: list[tuple[int, dict[str, str], bytes]] = []
        self.empty = False  # every search finds nothing
        self.html_for: set[int] = set()  # item ids whose downloads are an HTML page
        self.link_host: str | None = None  # media links on another host (e.g. "evil.example")
        self.redirect_to: str | None = None  # media requests redirect here
        self.media_without_length = False  # media bodies end at the connection's close
        self.catalogue = CATALOGUE
        self.maker = MediaMaker()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll so stopping (once per test) takes milliseconds, not half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def media_url(self, path: str) -> str:
        if self.link_host:
            return f"https://{self.link_host}{path}"
        return f"{self.url}{path}"

    # -- what happened ---------------------------------------------------------------------

    def calls(self, prefix: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def fail_next(self, *answers: tuple[int, dict[str, str]]) -> None:
        """Script the next API answers: e.g. (429, {"Retry-After": "2"}), (500, {})."""
        with self.lock:
            for status, headers in answers:
                body = json.dumps({"error": f"fake {status}"}).encode()
                self.api_failures.append((status, {"Content-Type": "application/json", **headers}, body))

    def fail_next_media(self, *answers: tuple[int, dict[str, str]]) -> None:
        with self.lock:
            for status, headers in answers:
                self.media_failures.append((status, headers, b"fake error"))

    # -- for subclasses ---------------------------------------------------------------------

    def api(self, path: str, query: dict[str, str], headers) -> tuple[int, dict[str, str], bytes] | None:
        raise NotImplementedError

    def media(self, path: str) -> tuple[bytes, str] | None:
        raise NotImplementedError

    def is_media_path(self, path: str) -> bool:
        raise NotImplementedError

    def item(self, item_id: int) -> Item | None:
        return next((i for i in self.catalogue if i.id == item_id), None)

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                return

            def _send(self, status: int, headers: dict[str, str], body: bytes, *, length: bool = True) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with fake.lock:
                    fake.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
                media = fake.is_media_path(parts.path)
                with fake.lock:
                    queue = fake.media_failures if media else fake.api_failures
                    scripted = queue.pop(0) if queue else None
                if scripted:
                    return self._send(*scripted)
                if media:
                    if fake.redirect_to:
                        return self._send(302, {"Location": fake.redirect_to}, b"")
                    found = fake.media(parts.path)
                    if found is None:
                        return self._send(404, {"Content-Type": "text/plain"}, b"not found")
                    body, content_type = found
                    return self._send(200, {"Content-Type": content_type}, body, length=not fake.media_without_length)
                answer = fake.api(parts.path, query, self.headers)
                if answer is None:
                    return self._send(404, {"Content-Type": "application/json"}, b'{"error": "not found"}')
                return self._send(*answer)

        return Handler
