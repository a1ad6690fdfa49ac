"""Stock photos and clips from online libraries (Pexels, Pixabay): search, choose one per
scene, download to a local file. The Django side stores the file as a MediaAsset with
the candidate's credit.

`configured` reads Django settings; everything else here takes its configuration as
arguments.
"""

from __future__ import annotations

from assets.stock_online.base import (
    StockAuthError,
    StockCandidate,
    StockDownloadRefused,
    StockError,
    StockProvider,
    StockQuery,
    StockRateLimited,
)
from assets.stock_online.pexels import PexelsProvider
from assets.stock_online.pixabay import PixabayProvider
from assets.stock_online.queries import stock_queries_for
from assets.stock_online.selection import StockPick, pick_for_scenes
from assets.stock_online.verify import VerifiedMedia, download_verified, verify_download

__all__ = [
    "PexelsProvider",
    "PixabayProvider",
    "StockAuthError",
    "StockCandidate",
    "StockDownloadRefused",
    "StockError",
    "StockPick",
    "StockProvider",
    "StockQuery",
    "StockRateLimited",
    "VerifiedMedia",
    "download_verified",
    "pick_for_scenes",
    "stock_queries_for",
    "verify_download",
]
