"""Which x264 settings encode a video: one table, chosen by measurement (manage.py
encoder_study, docs/encoding.md), read by the builder (masters) and by exports.

For each kind of picture a scene shows and each quality, the table holds the settings that
kept SSIM and PSNR-Y at least at REFERENCE's (x264 veryfast crf 23, the setting every video
used before) on the same frames, with what each costs in CPU and in bitrate. A video takes
the cheapest one at no more than MAX_BITRATE_RATIO of the reference's bitrate. Every piece
of a video shares one setting (the concat demuxer joins them with -c copy), so a video that
mixes kinds takes the cheapest setting that kept the quality of each of them (its bitrate
averaged over them); one whose content is not known counts as every kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# What a scene shows: a drawn illustration (Openclipart/emoji artwork, a plain offline card),
# a data card (a figure and its chart), a photo (AI, online stock), a video clip.
ILLUSTRATION = "illustration"
CARD = "card"
PHOTO = "photo"
CLIP = "clip"
CONTENT_TYPES: tuple[str, ...] = (ILLUSTRATION, CARD, PHOTO, CLIP)

# The quality a frame size counts as (its short side): the names of spec.QUALITIES.
_QUALITY_SHORT_SIDE: tuple[tuple[int, str], ...] = ((480, "480p"), (720, "720p"))
_LARGEST_QUALITY = "1080p"

# A candidate may spend at most this much more bitrate than REFERENCE to keep its quality.
MAX_BITRATE_RATIO = 1.15


@dataclass(frozen=True)
class X264Setting:
    """An x264 operating point: preset, constant rate factor, extra -x264-params ("" none)."""

    preset: str
    crf: int
    params: str = ""

    def __post_init__(self) -> None:
        if not self.preset:
            raise ValueError("an x264 setting needs a preset")
        if not 0 <= self.crf <= 51:
            raise ValueError(f"crf must be in 0..51, got {self.crf}")

    def __str__(self) -> str:
        return f"{self.preset} crf {self.crf}" + (f" {self.params}" if self.params else "")


# What every video used before the study; what candidates are measured against.
REFERENCE = X264Setting("veryfast", 23)
# superfast (and ultrafast) turn off x264's macroblock tree and its lookahead; on slow pans
# over stills that costs 1.4-2.3x the bits at the same crf. This puts veryfast's back.
MBTREE = "mbtree=1:rc-lookahead=10"
# veryfast with superfast's motion search: diamond, sub-pixel refinement 1 (mode decision by
# SAD rather than SATD).
FAST_SEARCH = "me=dia:subme=1"


@dataclass(frozen=True)
class Measured:
    """A setting that kept REFERENCE's SSIM and PSNR-Y on one content type's frames, with
    its CPU time (median of paired runs) and its bitrate as shares of REFERENCE's there."""

    setting: X264Setting
    cpu: float
    size: float


# (content, quality) -> every setting that kept REFERENCE's quality on the study's frames,
# REFERENCE itself included, cheapest first. Written from manage.py encoder_study's output
# (2026-12-07, 2 paired rounds on a shared 2-core machine at load 6-13: CPU shares within
# about +-0.05; two rows whose PSNR or SSIM only tied the reference's at the printed
# precision are left out); the figures are in docs/encoding.md.
QUALITY_KEPT: dict[tuple[str, str], tuple[Measured, ...]] = {
    ("illustration", "480p"): (
        Measured(X264Setting("ultrafast", 23), 0.48, 2.719),
        Measured(X264Setting("superfast", 22, MBTREE), 0.70, 1.003),
        Measured(X264Setting("superfast", 25), 0.70, 1.195),
        Measured(X264Setting("superfast", 23), 0.71, 1.452),
        Measured(X264Setting("superfast", 21, MBTREE), 0.76, 1.108),
        Measured(X264Setting("superfast", 24), 0.76, 1.326),
        Measured(X264Setting("superfast", 22), 0.77, 1.620),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.78, 1.003),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("card", "480p"): (
        Measured(X264Setting("ultrafast", 23), 0.58, 2.538),
        Measured(X264Setting("superfast", 23), 0.80, 1.548),
        Measured(X264Setting("superfast", 24), 0.80, 1.448),
        Measured(X264Setting("superfast", 22), 0.81, 1.667),
        Measured(X264Setting("superfast", 25), 0.81, 1.343),
        Measured(X264Setting("superfast", 21, MBTREE), 0.82, 1.190),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.84, 1.119),
        Measured(X264Setting("superfast", 22, MBTREE), 0.84, 1.124),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("photo", "480p"): (
        Measured(X264Setting("ultrafast", 23), 0.46, 4.266),
        Measured(X264Setting("superfast", 26), 0.70, 1.403),
        Measured(X264Setting("superfast", 22, MBTREE), 0.70, 1.124),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.74, 1.120),
        Measured(X264Setting("superfast", 25), 0.78, 1.601),
        Measured(X264Setting("superfast", 24), 0.82, 1.876),
        Measured(X264Setting("superfast", 22), 0.83, 2.597),
        Measured(X264Setting("superfast", 23), 0.84, 2.210),
        Measured(X264Setting("superfast", 21, MBTREE), 0.89, 1.266),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("clip", "480p"): (
        Measured(X264Setting("ultrafast", 23), 0.38, 4.228),
        Measured(X264Setting("superfast", 26), 0.57, 1.250),
        Measured(X264Setting("superfast", 25), 0.65, 1.843),
        Measured(X264Setting("superfast", 24), 0.72, 2.677),
        Measured(X264Setting("superfast", 22, MBTREE), 0.72, 1.671),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.75, 1.662),
        Measured(X264Setting("superfast", 21, MBTREE), 0.80, 2.812),
        Measured(X264Setting("superfast", 23), 0.80, 3.695),
        Measured(X264Setting("superfast", 22), 0.88, 4.556),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("illustration", "720p"): (
        Measured(X264Setting("ultrafast", 23), 0.39, 2.450),
        Measured(X264Setting("superfast", 21, MBTREE), 0.65, 1.153),
        Measured(X264Setting("superfast", 23), 0.65, 1.395),
        Measured(X264Setting("superfast", 22), 0.65, 1.548),
        Measured(X264Setting("superfast", 24), 0.67, 1.319),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.67, 1.062),
        Measured(X264Setting("superfast", 22, MBTREE), 0.71, 1.078),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("card", "720p"): (
        Measured(X264Setting("ultrafast", 23), 0.49, 3.118),
        Measured(X264Setting("superfast", 26), 0.79, 1.404),
        Measured(X264Setting("superfast", 22, MBTREE), 0.80, 1.220),
        Measured(X264Setting("superfast", 24, MBTREE), 0.80, 1.029),
        Measured(X264Setting("veryfast", 23, FAST_SEARCH), 0.81, 1.105),
        Measured(X264Setting("superfast", 25), 0.84, 1.525),
        Measured(X264Setting("superfast", 22), 0.84, 1.952),
        Measured(X264Setting("superfast", 23, MBTREE), 0.84, 1.105),
        Measured(X264Setting("superfast", 24), 0.85, 1.669),
        Measured(X264Setting("superfast", 23), 0.85, 1.803),
        Measured(X264Setting("veryfast", 24, FAST_SEARCH), 0.85, 1.032),
        Measured(X264Setting("superfast", 21, MBTREE), 0.85, 1.322),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.97, 1.217),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("photo", "720p"): (
        Measured(X264Setting("ultrafast", 23), 0.34, 2.115),
        Measured(X264Setting("superfast", 22, MBTREE), 0.59, 1.128),
        Measured(X264Setting("superfast", 23, MBTREE), 0.59, 1.000),
        Measured(X264Setting("superfast", 21, MBTREE), 0.62, 1.290),
        Measured(X264Setting("superfast", 26), 0.64, 1.206),
        Measured(X264Setting("superfast", 25), 0.65, 1.415),
        Measured(X264Setting("superfast", 23), 0.65, 1.862),
        Measured(X264Setting("superfast", 24), 0.65, 1.600),
        Measured(X264Setting("veryfast", 23, FAST_SEARCH), 0.65, 0.995),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.66, 1.128),
        Measured(X264Setting("superfast", 22), 0.69, 2.192),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("clip", "720p"): (
        Measured(X264Setting("ultrafast", 23), 0.35, 4.522),
        Measured(X264Setting("superfast", 26), 0.58, 1.214),
        Measured(X264Setting("superfast", 25), 0.66, 1.904),
        Measured(X264Setting("superfast", 22, MBTREE), 0.74, 1.758),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.74, 1.755),
        Measured(X264Setting("superfast", 24), 0.78, 2.836),
        Measured(X264Setting("superfast", 21, MBTREE), 0.87, 3.084),
        Measured(X264Setting("superfast", 23), 0.88, 4.003),
        Measured(X264Setting("superfast", 22), 0.90, 4.968),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("illustration", "1080p"): (
        Measured(X264Setting("ultrafast", 23), 0.34, 3.036),
        Measured(X264Setting("superfast", 21, MBTREE), 0.62, 1.157),
        Measured(X264Setting("superfast", 25), 0.62, 1.268),
        Measured(X264Setting("veryfast", 24, FAST_SEARCH), 0.63, 0.911),
        Measured(X264Setting("superfast", 26), 0.65, 1.163),
        Measured(X264Setting("veryfast", 23, FAST_SEARCH), 0.66, 0.991),
        Measured(X264Setting("superfast", 22), 0.66, 1.700),
        Measured(X264Setting("superfast", 23), 0.67, 1.527),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.67, 1.079),
        Measured(X264Setting("superfast", 22, MBTREE), 0.67, 1.070),
        Measured(X264Setting("superfast", 24), 0.70, 1.384),
        Measured(X264Setting("superfast", 23, MBTREE), 0.71, 0.991),
        Measured(X264Setting("superfast", 24, MBTREE), 0.84, 0.917),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("card", "1080p"): (
        Measured(X264Setting("ultrafast", 23), 0.36, 2.917),
        Measured(X264Setting("superfast", 21, MBTREE), 0.65, 1.206),
        Measured(X264Setting("superfast", 24), 0.68, 1.577),
        Measured(X264Setting("superfast", 22, MBTREE), 0.69, 1.136),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.69, 1.135),
        Measured(X264Setting("superfast", 22), 0.70, 1.840),
        Measured(X264Setting("superfast", 23), 0.70, 1.702),
        Measured(X264Setting("superfast", 25), 0.73, 1.461),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("photo", "1080p"): (
        Measured(X264Setting("ultrafast", 23), 0.31, 2.292),
        Measured(X264Setting("superfast", 26), 0.54, 1.184),
        Measured(X264Setting("superfast", 23, MBTREE), 0.55, 0.947),
        Measured(X264Setting("superfast", 25), 0.56, 1.267),
        Measured(X264Setting("superfast", 22), 0.57, 2.428),
        Measured(X264Setting("superfast", 24), 0.59, 1.483),
        Measured(X264Setting("veryfast", 24, FAST_SEARCH), 0.62, 0.777),
        Measured(X264Setting("superfast", 22, MBTREE), 0.62, 1.161),
        Measured(X264Setting("superfast", 21, MBTREE), 0.62, 1.311),
        Measured(X264Setting("superfast", 23), 0.63, 1.887),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.65, 1.160),
        Measured(X264Setting("veryfast", 23, FAST_SEARCH), 0.69, 0.943),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
    ("clip", "1080p"): (
        Measured(X264Setting("ultrafast", 23), 0.30, 4.680),
        Measured(X264Setting("superfast", 26), 0.57, 1.235),
        Measured(X264Setting("superfast", 25), 0.65, 1.990),
        Measured(X264Setting("superfast", 22, MBTREE), 0.67, 1.839),
        Measured(X264Setting("superfast", 24), 0.73, 3.016),
        Measured(X264Setting("veryfast", 22, FAST_SEARCH), 0.74, 1.839),
        Measured(X264Setting("superfast", 21, MBTREE), 0.79, 3.253),
        Measured(X264Setting("superfast", 23), 0.82, 4.263),
        Measured(X264Setting("superfast", 22), 0.83, 5.310),
        Measured(X264Setting("veryfast", 23), 1.00, 1.000),
    ),
}


def quality_of(width: int, height: int) -> str:
    """The quality name a frame size counts as, by its short side (854x480 and 480x480: 480p)."""
    short = min(width, height)
    for limit, name in _QUALITY_SHORT_SIDE:
        if short <= limit:
            return name
    return _LARGEST_QUALITY


def setting_for(contents: Iterable[str], width: int, height: int) -> X264Setting:
    """The setting for a video of these scene contents at this frame size: the cheapest one
    (CPU, on average over its kinds) that kept the reference's quality on every kind it
    shows, at no more than MAX_BITRATE_RATIO of the reference's bitrate on average over
    them. A kind not known ("" or a name not in CONTENT_TYPES), or no scenes at all, counts
    as every kind."""
    quality = quality_of(width, height)
    kinds = set(contents)
    if not kinds or not kinds <= set(CONTENT_TYPES):
        kinds = set(CONTENT_TYPES)
    rows: dict[X264Setting, list[Measured]] = {}
    for kind in sorted(kinds):
        for measured in QUALITY_KEPT[(kind, quality)]:
            rows.setdefault(measured.setting, []).append(measured)
    # REFERENCE is in every row at 1.0, so there is always at least one.
    fitting = [
        setting
        for setting, found in rows.items()
        if len(found) == len(kinds) and sum(m.size for m in found) / len(kinds) <= MAX_BITRATE_RATIO
    ]
    return min(fitting, key=lambda setting: sum(m.cpu for m in rows[setting]) / len(kinds))
