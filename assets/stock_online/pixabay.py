"""Pixabay (https://pixabay.com/api/docs/): photos from `GET /api/`, clips from
`GET /api/videos/`, the key as the `key` query parameter.

Content is under the Pixabay Content License. Pixabay does not allow hot-linking: files
are copied to our storage at once (which is what the caller does with `download`).
Without full API access a photo comes at most 1280 px on its long side (`largeImageURL`;
`fullHDURL`, 1920 px, when the key has it), so Pixabay photos rarely cover a 1080p frame.
"""

from __future__ import annotations

from pathlib import Path

from assets.stock_online.base import StockCandidate, StockError, StockQuery, orientation_fits
from assets.stock_online.http import HttpSettings, StockHttp

PIXABAY_API_URL = "https://pixabay.com/api/"
LICENCE_NAME = "Pixabay Content License"
LICENCE_URL = "https://pixabay.com/service/license-summary/"
MEDIA_HOSTS = frozenset({"cdn.pixabay.com", "pixabay.com"})
_ORIENTATIONS = {"landscape": "horizontal", "portrait": "vertical", "square": "all"}
# Rendition name -> the longest side it is scaled to (None: the item's own size).
_PHOTO_RENDITIONS = (("largeImageURL", 1280), ("fullHDURL", 1920), ("imageURL", None))
_VIDEO_RENDITIONS = ("tiny", "small", "medium", "large")
_MAX_QUERY_CHARS = 100


def _scaled(width: int, height: int, longest: int | None) -> tuple[int, int]:
    if longest is None or max(width, height) <= longest:
        return width, height
    scale = longest / max(width, height)
    return round(width * scale), round(height * scale)


class PixabayProvider:
    name = "pixabay"
    label = "Pixabay"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = PIXABAY_API_URL,
        http: HttpSettings | None = None,
        media_hosts: frozenset[str] = MEDIA_HOSTS,
    ) -> None:
        if not api_key:
            raise StockError("Pixabay needs an API key (PIXABAY_API_KEY).")
        # The photo endpoint is the base itself; clips are under its `videos/`.
        self.base_url = (base_url or PIXABAY_API_URL).rstrip("/") + "/"
        self.media_hosts = media_hosts
        self._key = api_key
        self.http = StockHttp(label=self.label, settings=http or HttpSettings(), secrets=(api_key,))

    def close(self) -> None:
        self.http.close()

    def search(self, query: StockQuery) -> list[StockCandidate]:
        params: dict[str, str | int] = {
            "key": self._key,
            "q": query.terms[:_MAX_QUERY_CHARS],
            "per_page": max(3, min(query.per_page, 200)),
            "safesearch": "true" if query.safesearch else "false",
            "min_width": query.min_width,
            "min_height": query.min_height,
        }
        if query.kind == "video":
            # The clip search has no orientation filter: renditions are judged below.
            url, parse = f"{self.base_url}videos/", self._video
            params["video_type"] = "film"
        else:
            url, parse = self.base_url, self._photo
            params["image_type"] = "photo"
            params["orientation"] = _ORIENTATIONS[query.orientation]
        body = self.http.get_json(url, params=params)
        hits = body.get("hits")
        if not isinstance(hits, list):
            raise StockError("Pixabay answered without a 'hits' list.")
        found = []
        for hit in hits:
            if not isinstance(hit, dict):
                continue
            try:
                candidate = parse(hit, query)
            except (KeyError, TypeError, ValueError):
                continue
            if candidate is not None:
                found.append(candidate)
        return found

    def download(self, candidate: StockCandidate, dest: Path) -> Path:
        return self.http.download(candidate.download_url, dest, kind=candidate.kind, hosts=self.media_hosts)

    # -- parsing -----------------------------------------------------------------------------

    def _common(self, hit: dict) -> dict:
        user, user_id = str(hit.get("user") or "Unknown"), hit.get("user_id")
        return {
            "provider": self.name,
            "id": str(hit["id"]),
            "author_name": user,
            "author_url": f"https://pixabay.com/users/{user}-{user_id}/" if user_id else "",
            "source_url": str(hit.get("pageURL") or ""),
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
        }

    def _photo(self, hit: dict, query: StockQuery) -> StockCandidate | None:
        width, height = int(hit["imageWidth"]), int(hit["imageHeight"])
        options = [
            (url_key, _scaled(width, height, longest)) for url_key, longest in _PHOTO_RENDITIONS if hit.get(url_key)
        ]
        if not options:
            return None
        covering = [o for o in options if o[1][0] >= query.min_width and o[1][1] >= query.min_height]
        url_key, (w, h) = covering[0] if covering else options[-1]
        return StockCandidate(
            kind="photo",
            download_url=str(hit[url_key]),
            width=w,
            height=h,
            duration_ms=None,
            terms=query.terms,
            **self._common(hit),
        )

    def _video(self, hit: dict, query: StockQuery) -> StockCandidate | None:
        renditions = []
        for name in _VIDEO_RENDITIONS:  # smallest first
            r = (hit.get("videos") or {}).get(name) or {}
            # Pixabay lists a missing rendition with an empty URL and zero size.
            if r.get("url") and int(r.get("width") or 0) > 0 and int(r.get("height") or 0) > 0:
                renditions.append(r)
        if not renditions:
            return None
        covering = [
            r
            for r in renditions
            if int(r["width"]) >= query.min_width
            and int(r["height"]) >= query.min_height
            and orientation_fits(int(r["width"]), int(r["height"]), query.orientation)
        ]
        best = covering[0] if covering else renditions[-1]
        return StockCandidate(
            kind="video",
            download_url=str(best["url"]),
            width=int(best["width"]),
            height=int(best["height"]),
            duration_ms=int(round(float(hit["duration"]) * 1000)),
            terms=query.terms,
            **self._common(hit),
        )
