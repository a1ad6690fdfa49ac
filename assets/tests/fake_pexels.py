"""A local stand-in for the Pexels API (https://www.pexels.com/api/documentation/), for
tests: `GET /v1/search` (photos) and `GET /v1/videos/search` (also the older
`/videos/search`), the key in the `Authorization` header (401 without it), answers
shaped like Pexels' (photographer, src{original, large2x, ...}, video_files[...], user,
X-Ratelimit-* headers), and real JPEG/MP4 files at the media links, served by itself.

Scripted failures (see `FakeStockServer`): `fail_next((429, {"Retry-After": "2"}))`,
`fail_next((500, {}))`, `empty = True`, `html_for = {item id}`, `link_host = "..."`,
`redirect_to = "..."`.
"""

from __future__ import annotations

import json
import re
import time

from assets.tests.fake_stock_media import FakeStockServer, Item, matches, orientation

_QUALITY = {360: "sd", 540: "sd", 640: "sd", 720: "hd", 960: "sd", 1080: "hd", 1920: "hd", 2160: "uhd", 3840: "uhd"}
_VIDEO_FILE = re.compile(r"^/video-files/(\d+)/\d+-[a-z]+_(\d+)_(\d+)_25fps\.mp4$")
_PHOTO_FILE = re.compile(r"^/photos/(\d+)/pexels-photo-\d+\.jpeg$")
_LARGE2X = "?auto=compress&cs=tinysrgb&dpr=2&h=650&w=940"
_LARGE = "?auto=compress&cs=tinysrgb&h=650&w=940"


class FakePexels(FakeStockServer):
    def __init__(self, *, api_key: str = "pexels-test-key") -> None:
        super().__init__(api_key=api_key)
        self.remaining = 19999

    def is_media_path(self, path: str) -> bool:
        return path.startswith(("/photos/", "/video-files/"))

    def searches(self) -> list[dict]:
        return [r for r in self.requests if r["path"] in ("/v1/search", "/v1/videos/search", "/videos/search")]

    # -- JSON ------------------------------------------------------------------------------

    def _photo(self, item: Item) -> dict:
        base = self.media_url(f"/photos/{item.id}/pexels-photo-{item.id}.jpeg")
        return {
            "id": item.id,
            "width": item.width,
            "height": item.height,
            "url": f"https://www.pexels.com/photo/{item.slug}-{item.id}/",
            "photographer": item.author,
            "photographer_url": f"https://www.pexels.com/@{item.author.split()[0].lower()}-{item.author_id}",
            "photographer_id": item.author_id,
            "avg_color": "#{:02X}{:02X}{:02X}".format(*item.colour),
            "src": {
                "original": base,
                "large2x": base + _LARGE2X,
                "large": base + _LARGE,
                "medium": base + "?auto=compress&cs=tinysrgb&h=350",
                "small": base + "?auto=compress&cs=tinysrgb&h=130",
                "portrait": base + "?auto=compress&cs=tinysrgb&fit=crop&h=1200&w=800",
                "landscape": base + "?auto=compress&cs=tinysrgb&fit=crop&h=627&w=1200",
                "tiny": base + "?auto=compress&cs=tinysrgb&dpr=1&fit=crop&h=200&w=280",
            },
            "liked": False,
            "alt": item.tags.capitalize(),
        }

    def _video(self, item: Item) -> dict:
        files = []
        for index, (w, h) in enumerate(item.renditions):
            quality = _QUALITY.get(min(w, h), "sd")
            files.append(
                {
                    "id": item.id * 100 + index,
                    "quality": quality,
                    "file_type": "video/mp4",
                    "width": w,
                    "height": h,
                    "fps": 25.0,
                    "link": self.media_url(f"/video-files/{item.id}/{item.id}-{quality}_{w}_{h}_25fps.mp4"),
                    "size": w * h * item.duration_s // 4,
                }
            )
        # Pexels lists its files in no particular order; the client must not rely on one.
        files.reverse()
        return {
            "id": item.id,
            "width": item.width,
            "height": item.height,
            "url": f"https://www.pexels.com/video/{item.slug}-{item.id}/",
            "image": f"https://images.pexels.com/videos/{item.id}/pictures/preview-0.jpg",
            "duration": item.duration_s,
            "full_res": None,
            "tags": [],
            "avg_color": None,
            "user": {
                "id": item.author_id,
                "name": item.author,
                "url": f"https://www.pexels.com/@{item.author.split()[0].lower()}-{item.author_id}",
            },
            "video_files": files,
            "video_pictures": [
                {
                    "id": item.id * 10,
                    "nr": 0,
                    "picture": f"https://images.pexels.com/videos/{item.id}/pictures/preview-0.jpg",
                }
            ],
        }

    def api(self, path, query, headers):
        if path not in ("/v1/search", "/v1/videos/search", "/videos/search"):
            return None
        if headers.get("Authorization") != self.api_key:
            body = json.dumps(
                {"status": 401, "code": "Unauthorized", "error": "Authorization field missing or invalid"}
            )
            return 401, {"Content-Type": "application/json"}, body.encode()
        kind = "photo" if path == "/v1/search" else "video"
        found = [] if self.empty else matches(self.catalogue, query.get("query", ""), kind)
        wanted = query.get("orientation")
        if wanted in ("landscape", "portrait", "square"):
            found = [i for i in found if orientation(i.width, i.height) == wanted]
        per_page = max(1, min(80, int(query.get("per_page", 15))))
        page = found[:per_page]
        key = "photos" if kind == "photo" else "videos"
        body = {
            "page": 1,
            "per_page": per_page,
            "total_results": len(found),
            key: [self._photo(i) if kind == "photo" else self._video(i) for i in page],
        }
        if kind == "video":
            body["url"] = f"https://www.pexels.com/search/videos/{query.get('query', '')}/"
        with self.lock:
            self.remaining -= 1
            remaining = self.remaining
        headers_out = {
            "Content-Type": "application/json",
            "X-Ratelimit-Limit": "20000",
            "X-Ratelimit-Remaining": str(remaining),
            "X-Ratelimit-Reset": str(int(time.time()) + 30 * 86400),
        }
        return 200, headers_out, json.dumps(body).encode()

    def media(self, path):
        video = _VIDEO_FILE.match(path)
        if video:
            item = self.item(int(video.group(1)))
            if item is None:
                return None
            if item.id in self.html_for:
                return b"<!DOCTYPE html><html><body>Not a video</body></html>", "text/html"
            return self.maker.mp4(int(video.group(2)), int(video.group(3))), "video/mp4"
        photo = _PHOTO_FILE.match(path)
        if photo:
            item = self.item(int(photo.group(1)))
            if item is None:
                return None
            if item.id in self.html_for:
                return b"<!DOCTYPE html><html><body>Not a picture</body></html>", "text/html"
            # The query string is gone by now; media are made at the original's shape.
            return self.maker.jpeg(item.width, item.height, item.colour, f"#{item.id} {item.tags}"), "image/jpeg"
        return None
