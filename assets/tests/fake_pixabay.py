"""A local stand-in for the Pixabay API (https://pixabay.com/api/docs/), for tests:
`GET /api/` (photos) and `GET /api/videos/` (clips), the key as the `key` parameter
(Pixabay's "[ERROR 400] Invalid or missing API key" without it), hits shaped like
Pixabay's (pageURL, user, user_id, largeImageURL, imageWidth/Height, videos{large,
medium, small, tiny}, duration), X-RateLimit-* headers, and real JPEG/MP4 files at the
media links, served by itself.

Scripted failures as for the fake Pexels (see `FakeStockServer`).
"""

from __future__ import annotations

import json
import re

from assets.tests.fake_stock_media import FakeStockServer, Item, matches, orientation

_RENDITION_NAMES = ("tiny", "small", "medium", "large")
_PHOTO_FILE = re.compile(r"^/get/(\d+)_(\d+)\.jpg$")
_VIDEO_FILE = re.compile(r"^/video/2024/03/15/(\d+)-(\d+)x(\d+)_[a-z]+\.mp4$")
_ORIENTATIONS = {"horizontal": "landscape", "vertical": "portrait"}


class FakePixabay(FakeStockServer):
    def __init__(self, *, api_key: str = "12345-pixabaytestkey") -> None:
        super().__init__(api_key=api_key)
        self.remaining = 99

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def is_media_path(self, path: str) -> bool:
        return path.startswith(("/get/", "/video/"))

    def searches(self) -> list[dict]:
        return [r for r in self.requests if r["path"] in ("/api/", "/api/videos/")]

    # -- JSON ------------------------------------------------------------------------------

    def _common(self, item: Item) -> dict:
        return {
            "id": item.id,
            "tags": ", ".join(item.tags.split()),
            "views": 1000 + item.id,
            "downloads": 500 + item.id,
            "likes": 20,
            "comments": 3,
            "user_id": item.author_id,
            "user": item.author.split()[0],
            "userImageURL": f"https://cdn.pixabay.com/user/2024/01/01/{item.author_id}_250x250.jpg",
        }

    def _photo(self, item: Item) -> dict:
        scale = min(1.0, 1280 / max(item.width, item.height))
        large_w, large_h = round(item.width * scale), round(item.height * scale)
        return {
            **self._common(item),
            "pageURL": f"https://pixabay.com/photos/{item.slug}-{item.id}/",
            "type": "photo",
            "previewURL": f"https://cdn.pixabay.com/photo/2024/01/01/10/20/{item.slug}-{item.id}_150.jpg",
            "previewWidth": 150,
            "previewHeight": round(150 * item.height / item.width),
            "webformatURL": self.media_url(f"/get/{item.id}_640.jpg"),
            "webformatWidth": 640,
            "webformatHeight": round(640 * item.height / item.width),
            "largeImageURL": self.media_url(f"/get/{item.id}_1280.jpg"),
            "imageWidth": item.width,
            "imageHeight": item.height,
            "imageSize": item.width * item.height // 3,
            "_large": (large_w, large_h),
        }

    def _video(self, item: Item) -> dict:
        videos = {}
        for index, name in enumerate(_RENDITION_NAMES):
            if index < len(item.renditions):
                w, h = item.renditions[index]
                videos[name] = {
                    "url": self.media_url(f"/video/2024/03/15/{item.id}-{w}x{h}_{name}.mp4"),
                    "width": w,
                    "height": h,
                    "size": w * h * item.duration_s // 4,
                    "thumbnail": f"https://cdn.pixabay.com/video/2024/03/15/{item.id}_{name}.jpg",
                }
            else:  # Pixabay lists a missing rendition as empty
                videos[name] = {"url": "", "width": 0, "height": 0, "size": 0, "thumbnail": ""}
        return {
            **self._common(item),
            "pageURL": f"https://pixabay.com/videos/{item.slug}-{item.id}/",
            "type": "film",
            "duration": item.duration_s,
            "videos": videos,
        }

    def api(self, path, query, headers):
        if path not in ("/api/", "/api/videos/"):
            return None
        if query.get("key") != self.api_key:
            return 400, {"Content-Type": "text/plain"}, b"[ERROR 400] Invalid or missing API key"
        kind = "photo" if path == "/api/" else "video"
        found = [] if self.empty else matches(self.catalogue, query.get("q", ""), kind)
        min_w, min_h = int(query.get("min_width", 0) or 0), int(query.get("min_height", 0) or 0)
        found = [i for i in found if i.width >= min_w and i.height >= min_h]
        if kind == "photo" and query.get("orientation") in _ORIENTATIONS:
            found = [i for i in found if orientation(i.width, i.height) == _ORIENTATIONS[query["orientation"]]]
        per_page = int(query.get("per_page", 20))
        if not 3 <= per_page <= 200:
            return 400, {"Content-Type": "text/plain"}, b'[ERROR 400] "per_page" is out of valid range.'
        hits = []
        for item in found[:per_page]:
            hit = self._photo(item) if kind == "photo" else self._video(item)
            hit.pop("_large", None)
            hits.append(hit)
        with self.lock:
            self.remaining -= 1
            remaining = self.remaining
        headers_out = {
            "Content-Type": "application/json",
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": "60",
        }
        body = {"total": len(found), "totalHits": len(found), "hits": hits}
        return 200, headers_out, json.dumps(body).encode()

    def media(self, path):
        photo = _PHOTO_FILE.match(path)
        if photo:
            item = self.item(int(photo.group(1)))
            if item is None:
                return None
            if item.id in self.html_for:
                return b"<!DOCTYPE html><html><body>Not a picture</body></html>", "text/html"
            longest = int(photo.group(2))
            scale = min(1.0, longest / max(item.width, item.height))
            return self.maker.jpeg(
                round(item.width * scale), round(item.height * scale), item.colour, f"#{item.id} {item.tags}"
            ), "image/jpeg"
        video = _VIDEO_FILE.match(path)
        if video:
            item = self.item(int(video.group(1)))
            if item is None:
                return None
            if item.id in self.html_for:
                return b"<!DOCTYPE html><html><body>Not a video</body></html>", "text/html"
            return self.maker.mp4(int(video.group(2)), int(video.group(3))), "video/mp4"
        return None
