"""Pexels (https://www.pexels.com/api/documentation/): photos from `GET /v1/search`,
clips from `GET /v1/videos/search`, the key in the `Authorization` header.

Every photo and clip is under the Pexels License; Pexels asks that the photographer and
Pexels be credited ("Photo by X on Pexels") and links back to the item's page.
"""

from __future__ import annotations

from pathlib import Path

from assets.stock_online.base import (
    StockCandidate,
    StockError,
    StockQuery,
    orientation_fits,
)
from assets.stock_online.http import HttpSettings, StockHttp

PEXELS_API_URL = "https://api.pexels.com"
LICENCE_NAME = "Pexels License"
LICENCE_URL = "https://www.pexels.com/license/"
# Where the API's media URLs point (photos' `src`, clips' `video_files[].link`).
MEDIA_HOSTS = frozenset({"images.pexels.com", "videos.pexels.com"})
# `large2x` is the picture fitted inside 1880x1300 (940x650 at twice the density).
_LARGE2X_BOX = (1880, 1300)
_MAX_PER_PAGE = 80


def _fit_inside(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, box[0] / width, box[1] / height)
    return round(width * scale), round(height * scale)


class PexelsProvider:
    name = "pexels"
    label = "Pexels"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = PEXELS_API_URL,
        http: HttpSettings | None = None,
        media_hosts: frozenset[str] = MEDIA_HOSTS,
    ) -> None:
        if not api_key:
            raise StockError("Pexels needs an API key (PEXELS_API_KEY).")
        self.base_url = (base_url or PEXELS_API_URL).rstrip("/")
        self.media_hosts = media_hosts
        self._key = api_key
        self.http = StockHttp(label=self.label, settings=http or HttpSettings(), secrets=(api_key,))

    def close(self) -> None:
        self.http.close()

    def search(self, query: StockQuery) -> list[StockCandidate]:
        params: dict[str, str | int] = {
            "query": query.terms,
            "orientation": query.orientation,
            "per_page": min(query.per_page, _MAX_PER_PAGE),
            "page": 1,
        }
        if query.kind == "video":
            # Pexels' sizes: small = HD (720p), medium = Full HD, large = 4K.
            if query.min_width * query.min_height >= 1920 * 1080:
                params["size"] = "medium"
            elif query.min_width * query.min_height >= 1280 * 720:
                params["size"] = "small"
            path, items_key, parse = "/v1/videos/search", "videos", self._video
        else:
            path, items_key, parse = "/v1/search", "photos", self._photo
        body = self.http.get_json(f"{self.base_url}{path}", params=params, headers={"Authorization": self._key})
        items = body.get(items_key)
        if not isinstance(items, list):
            raise StockError(f"Pexels answered without a {items_key!r} list.")
        found = []
        for item in items:
            if not isinstance(item, dict):
                continue
            try:
                candidate = parse(item, query)
            except (KeyError, TypeError, ValueError):
                continue  # one malformed item does not spoil the page
            if candidate is not None:
                found.append(candidate)
        return found

    def download(self, candidate: StockCandidate, dest: Path) -> Path:
        return self.http.download(candidate.download_url, dest, kind=candidate.kind, hosts=self.media_hosts)

    # -- parsing -----------------------------------------------------------------------------

    def _photo(self, item: dict, query: StockQuery) -> StockCandidate | None:
        width, height = int(item["width"]), int(item["height"])
        src = item["src"]
        # The smallest rendition that still covers the frame: large2x when it does, else
        # the original (which can be tens of megapixels).
        url, (w, h) = src["original"], (width, height)
        large = _fit_inside(width, height, _LARGE2X_BOX)
        if src.get("large2x") and large[0] >= query.min_width and large[1] >= query.min_height:
            url, (w, h) = src["large2x"], large
        return StockCandidate(
            provider=self.name,
            id=str(item["id"]),
            kind="photo",
            download_url=str(url),
            width=w,
            height=h,
            duration_ms=None,
            author_name=str(item.get("photographer") or "Unknown"),
            author_url=str(item.get("photographer_url") or ""),
            source_url=str(item.get("url") or ""),
            licence_name=LICENCE_NAME,
            licence_url=LICENCE_URL,
            terms=query.terms,
        )

    def _video(self, item: dict, query: StockQuery) -> StockCandidate | None:
        files = [
            f
            for f in item.get("video_files") or []
            if isinstance(f, dict)
            and f.get("link")
            and str(f.get("file_type", "")).lower() == "video/mp4"
            and int(f.get("width") or 0) > 0
            and int(f.get("height") or 0) > 0
        ]
        fitting = [
            f
            for f in files
            if int(f["width"]) >= query.min_width
            and int(f["height"]) >= query.min_height
            and orientation_fits(int(f["width"]), int(f["height"]), query.orientation)
        ]
        if not files:
            return None
        area = lambda f: (int(f["width"]) * int(f["height"]), str(f["link"]))  # noqa: E731
        # The smallest file that covers the frame (less to fetch, nothing upscaled); when
        # none does, the largest, which selection then turns down as too small.
        best = min(fitting, key=area) if fitting else max(files, key=area)
        user = item.get("user") or {}
        return StockCandidate(
            provider=self.name,
            id=str(item["id"]),
            kind="video",
            download_url=str(best["link"]),
            width=int(best["width"]),
            height=int(best["height"]),
            duration_ms=int(round(float(item["duration"]) * 1000)),
            author_name=str(user.get("name") or "Unknown"),
            author_url=str(user.get("url") or ""),
            source_url=str(item.get("url") or ""),
            licence_name=LICENCE_NAME,
            licence_url=LICENCE_URL,
            terms=query.terms,
        )
