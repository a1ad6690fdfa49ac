"""A creator's brand kit: set through the pages and the API (checked here, all or nothing),
and applied to a render (the logo over the scenes, intro and outro cards, the caption look).

The limits are mediakit.brand's; a video renders with its owner's kit while its own
`brand_kit` switch is on.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from assets.services import asset_delete_if_unused, asset_ingest_logo
from core.storage import storage_fetch
from jobs.services import JobFailure
from mediakit import brand
from mediakit.caption_images import CaptionLook
from mediakit.spec import LogoOverlay, SceneSpec, StoryboardSpec
from videos.models import BrandKit, CaptionPreset, Video
from videos.options import CaptionFont

# The fields a creator sets (pages, API); the logo is uploaded on its own.
FIELDS: tuple[str, ...] = (
    "logo_corner",
    "logo_size",
    "logo_opacity",
    "font",
    "highlight_color",
    "caption_preset",
    "card_background",
    "card_text_color",
    "accent_color",
    "intro_title",
    "intro_line",
    "intro_ms",
    "outro_title",
    "outro_line",
    "outro_ms",
)
COLOUR_FIELDS = ("card_background", "card_text_color", "accent_color")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_DEFAULTS = BrandKit()


def brand_kit_of(owner) -> BrandKit | None:
    return BrandKit.objects.select_related("logo", "caption_preset").filter(owner=owner).first()


def brand_kit_defaults() -> dict[str, Any]:
    """What a kit holds before its owner changes anything (PUT starts from these)."""
    return {name: getattr(_DEFAULTS, name) for name in FIELDS if name != "caption_preset"} | {"caption_preset": None}


def _whole(value: object, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def _text_error(value: object, limit: int, what: str) -> str:
    if not isinstance(value, str):
        return f"The {what} must be text."
    if any(ord(ch) < 32 for ch in value):
        return f"The {what} must be one line of text."
    if len(value.strip()) > limit:
        return f"The {what} is {len(value.strip())} characters; at most {limit}."
    return ""


def brand_kit_errors(*, owner, values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a kit's values (all of FIELDS), field by field, in words."""
    errors: dict[str, str] = {}
    if values["logo_corner"] not in BrandKit.LogoCorner.values:
        errors["logo_corner"] = f"Unknown corner {values['logo_corner']!r}; one of {', '.join(brand.LOGO_CORNERS)}."
    if not _whole(values["logo_size"], brand.LOGO_SIZE_MIN, brand.LOGO_SIZE_MAX):
        errors["logo_size"] = (
            f"The logo size is a whole percentage of the frame's shorter side, "
            f"{brand.LOGO_SIZE_MIN} to {brand.LOGO_SIZE_MAX}."
        )
    if not _whole(values["logo_opacity"], brand.LOGO_OPACITY_MIN, brand.LOGO_OPACITY_MAX):
        errors["logo_opacity"] = (
            f"The logo opacity is a whole percentage, {brand.LOGO_OPACITY_MIN} to {brand.LOGO_OPACITY_MAX}."
        )
    if values["font"] not in CaptionFont.values:
        errors["font"] = f"Unknown font {values['font']!r}; one of {', '.join(CaptionFont.values)}."
    highlight = values["highlight_color"]
    if not isinstance(highlight, str) or (highlight and not _COLOUR.fullmatch(highlight)):
        errors["highlight_color"] = (
            "Colours are written #rrggbb (for example #ffd600); leave it empty for the video's own."
        )
    for name in COLOUR_FIELDS:
        value = values[name]
        if not isinstance(value, str) or not _COLOUR.fullmatch(value):
            errors[name] = "Colours are written #rrggbb (for example #101828)."
    if "card_background" not in errors and "card_text_color" not in errors:
        ratio = brand.colours_contrast(values["card_background"], values["card_text_color"])
        if ratio < brand.CARD_MIN_CONTRAST:
            errors["card_text_color"] = (
                f"The card's text would be hard to read on its background (contrast {ratio:.1f}:1; "
                f"at least {brand.CARD_MIN_CONTRAST:g}:1)."
            )
    preset = values["caption_preset"]
    if preset is not None and not (isinstance(preset, CaptionPreset) and preset.owner_id == owner.pk):
        errors["caption_preset"] = "That caption preset is not one of yours."
    for card in ("intro", "outro"):
        if problem := _text_error(values[f"{card}_title"], brand.CARD_TITLE_MAX_CHARS, f"{card} title"):
            errors[f"{card}_title"] = problem
        if problem := _text_error(values[f"{card}_line"], brand.CARD_LINE_MAX_CHARS, f"{card} line"):
            errors[f"{card}_line"] = problem
        if not _whole(values[f"{card}_ms"], brand.CARD_MS_MIN, brand.CARD_MS_MAX):
            errors[f"{card}_ms"] = (
                f"The {card} lasts {brand.CARD_MS_MIN} to {brand.CARD_MS_MAX} ms (whole milliseconds)."
            )
    return errors


def caption_preset_by_code(*, owner, code: object) -> CaptionPreset | None:
    """The owner's preset with that code; ValidationError when there is none (or it is another's)."""
    if code in (None, ""):
        return None
    preset = CaptionPreset.objects.filter(owner=owner, code=str(code)).first() if _is_uuid(code) else None
    if preset is None:
        raise ValidationError({"caption_preset": "You have no caption preset with that code."})
    return preset


def _is_uuid(value: object) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def brand_kit_update(*, owner, replace_all: bool = False, **changes: Any) -> BrandKit:
    """Set the owner's kit (made if they have none): the given fields (PATCH), or every
    field, the others back to their defaults (replace_all, PUT). Checked as a whole first:
    on any error nothing changes (ValidationError, field by field)."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: "Not a brand kit setting." for name in unknown})
    with transaction.atomic():
        kit = BrandKit.objects.select_for_update().filter(owner=owner).first()
        current = brand_kit_defaults() if kit is None or replace_all else {n: getattr(kit, n) for n in FIELDS}
        values = {**current, **changes}
        for name in ("intro_title", "intro_line", "outro_title", "outro_line"):
            if isinstance(values[name], str):
                values[name] = " ".join(values[name].split())
        errors = brand_kit_errors(owner=owner, values=values)
        if errors:
            raise ValidationError(errors)
        if kit is None:
            kit = BrandKit(owner=owner)
        for name, value in values.items():
            setattr(kit, name, value)
        kit.save()
    return kit


def brand_kit_logo_set(*, owner, upload) -> BrandKit:
    """Validate and store an uploaded logo (assets.services.asset_ingest_logo) as the kit's;
    the previous logo is deleted when nothing else uses it. Refused: nothing changes."""
    asset = asset_ingest_logo(owner=owner, upload=upload, field="logo")
    with transaction.atomic():
        kit, _ = BrandKit.objects.select_for_update().get_or_create(owner=owner)
        old = kit.logo
        kit.logo = asset
        kit.save(update_fields=["logo", "updated_at"])
    if old is not None:
        asset_delete_if_unused(asset=old)
    return kit


def brand_kit_logo_remove(*, owner) -> BrandKit | None:
    kit = brand_kit_of(owner)
    if kit is None or kit.logo is None:
        return kit
    old = kit.logo
    kit.logo = None
    kit.save(update_fields=["logo", "updated_at"])
    asset_delete_if_unused(asset=old)
    return kit


def brand_kit_delete(*, owner) -> None:
    """Forget the owner's kit (and its logo, when nothing else uses it)."""
    kit = brand_kit_of(owner)
    if kit is None:
        return
    logo = kit.logo
    kit.delete()
    if logo is not None:
        asset_delete_if_unused(asset=logo)


def video_set_brand_kit(*, video: Video, on: bool) -> Video:
    """The video's switch: render with its owner's kit, or without."""
    if not isinstance(on, bool):
        raise ValidationError({"brand_kit": "Say true or false."})
    video.brand_kit = on
    video.save(update_fields=["brand_kit", "updated_at"])
    return video


# --- applying a kit to a render ----------------------------------------------------------


def brand_kit_for_render(video: Video) -> BrandKit | None:
    """The kit a render of this video uses: its owner's, while the video's switch is on."""
    if not video.brand_kit:
        return None
    return brand_kit_of(video.owner)


def brand_caption_look(video: Video, kit: BrandKit | None) -> CaptionLook:
    """The captions' look: the video's own; with a kit, its caption preset's look if it has
    one, else the video's with the kit's font and (if set) highlight colour."""
    if kit is not None and kit.caption_preset is not None:
        preset = kit.caption_preset
        return CaptionLook(
            font=preset.caption_font,
            size_percent=preset.caption_size,
            color=preset.caption_color,
            highlight_color=preset.caption_highlight_color,
            background=preset.caption_background,
        )
    return CaptionLook(
        font=kit.font if kit is not None else video.caption_font,
        size_percent=video.caption_size,
        color=video.caption_color,
        highlight_color=(kit.highlight_color if kit is not None and kit.highlight_color else "")
        or video.caption_highlight_color,
        background=video.caption_background,
    )


def brand_card(kit: BrandKit, which: str, *, video_title: str) -> brand.Card | None:
    """The kit's intro or outro card for a video, or None when the kit has none."""
    title = kit.card_title(which, video_title=video_title)
    if not title:
        return None
    return brand.Card(
        title=title,
        line=getattr(kit, f"{which}_line"),
        duration_ms=getattr(kit, f"{which}_ms"),
        background=kit.card_background,
        text_color=kit.card_text_color,
        accent=kit.accent_color,
        font=kit.font,
    )


def brand_kit_apply(*, video: Video, spec: StoryboardSpec, tmp: Path) -> StoryboardSpec:
    """The storyboard with the video's brand kit on it, if it renders with one: the logo
    over every scene, the intro card before the first and the outro after the last.

    A card scene lasts its card's time plus the crossfade, so the content starts exactly
    intro_ms in (its narration and captions shift by that, timed by the timeline) and the
    video lasts intro + content + outro; the music plays on under the cards."""
    kit = brand_kit_for_render(video)
    if kit is None:
        return spec
    logo_path: Path | None = None
    if kit.logo is not None:
        name = kit.logo.file.name or ""
        try:
            logo_path = storage_fetch(name=name, dest=tmp / f"brand-logo{Path(name).suffix}")
        except OSError as exc:
            raise JobFailure("prepare", "The brand kit's logo is missing from storage; upload it again.") from exc
    logo = None
    if logo_path is not None:
        sized = tmp / "brand-logo-sized.png"
        w, h = brand.prepare_logo(
            logo_path,
            frame_w=spec.width,
            frame_h=spec.height,
            size_percent=kit.logo_size,
            opacity=kit.logo_opacity,
            out_path=sized,
        )
        x, y = brand.logo_position(kit.logo_corner, spec.width, spec.height, w, h)
        logo = LogoOverlay(path=str(sized), x=x, y=y)
    overlap = spec.transition_ms if spec.transition != "cut" else 0
    scenes = list(spec.scenes)
    for which in ("intro", "outro"):
        card = brand_card(kit, which, video_title=video.title)
        if card is None:
            continue
        path = brand.draw_card(
            card, width=spec.width, height=spec.height, out_path=tmp / f"brand-{which}.png", logo=logo_path
        )
        scene = SceneSpec(
            picture=str(path),
            duration_ms=card.duration_ms + overlap,
            narration=None,
            narration_ms=0,
            caption_text="",
            card=True,
        )
        if which == "intro":
            scenes.insert(0, scene)
        else:
            scenes.append(scene)
    return replace(spec, scenes=tuple(scenes), logo=logo)


def brand_kit_load_file(*, owner, path: Path) -> BrandKit:
    """Set the owner's kit from a JSON file (make_video --brand-kit): its settings by their
    names (caption_preset by the preset's name), and "logo", a picture's path beside the
    file or absolute. Checked as a whole as the API does; on an error nothing changes."""
    import json

    from django.core.files import File

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValidationError({"brand_kit": f"Cannot read the brand kit file: {exc}"}) from exc
    if not isinstance(data, dict):
        raise ValidationError({"brand_kit": "The brand kit file must hold a JSON object."})
    logo = data.pop("logo", None)
    preset = data.pop("caption_preset", None)
    if preset:
        found = CaptionPreset.objects.filter(owner=owner, name=str(preset).strip()).first()
        if found is None:
            raise ValidationError({"caption_preset": f"You have no caption preset named {preset!r}."})
        data["caption_preset"] = found
    logo_path = (Path(path).parent / logo) if logo else None
    if logo_path is not None and not logo_path.is_file():
        raise ValidationError({"logo": f"Cannot read the logo {logo}: no such file."})
    with transaction.atomic():
        kit = brand_kit_update(owner=owner, replace_all=True, **data)
        if logo_path is not None:
            with logo_path.open("rb") as handle:
                kit = brand_kit_logo_set(owner=owner, upload=File(handle, name=logo_path.name))
    return kit


def brand_kit_asset_uses(ids: set[int]) -> dict[int, list[str]]:
    """Which of these assets are a brand kit's logo, in words (assets.asset_usages): a logo
    cannot be deleted from the library while its kit shows it."""
    return {
        pk: ["the logo of your brand kit"]
        for pk in BrandKit.objects.filter(logo_id__in=ids).values_list("logo_id", flat=True)
    }
