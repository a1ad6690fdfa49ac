"""The brand kit in the browser: its page in the account area (settings, logo, previews of
the cards), the panel on a storyboard (the video's switch, a preview of its intro card and
of the logo in its corner) and the preview pictures, drawn on request with mediakit.brand."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe
from PIL import Image

from assets.upload_handlers import upload_refusal
from core.forms import ServiceErrorsMixin
from core.storage import storage_fetch
from mediakit import brand
from mediakit.spec import frame_size
from videos.models import BrandKit, CaptionPreset, Video
from videos.options import CaptionFont
from videos.services import brand_kit as service
from videos.views import get_video_for_user, wants_fragment

PREVIEW_QUALITY = "480p"


class BrandKitForm(ServiceErrorsMixin, forms.Form):
    """Types and widgets only; what each value may be is checked by the service, as a whole."""

    logo = forms.FileField(
        required=False,
        help_text="PNG with transparency (or JPEG, WebP), at most 2 MB. SVG is not accepted.",
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    logo_corner = forms.ChoiceField(choices=BrandKit.LogoCorner.choices, label="Logo corner")
    logo_size = forms.IntegerField(
        label="Logo size (% of the frame's shorter side)",
        widget=forms.NumberInput(attrs={"min": brand.LOGO_SIZE_MIN, "max": brand.LOGO_SIZE_MAX}),
    )
    logo_opacity = forms.IntegerField(
        label="Logo opacity (%)",
        widget=forms.NumberInput(attrs={"min": brand.LOGO_OPACITY_MIN, "max": brand.LOGO_OPACITY_MAX, "step": 5}),
    )
    font = forms.ChoiceField(choices=CaptionFont.choices, help_text="The cards' font, and the captions'.")
    highlight_color = forms.CharField(
        required=False,
        label="Caption highlight",
        help_text="#rrggbb: the word being said in word-by-word captions. Empty: the video's own.",
        widget=forms.TextInput(attrs={"placeholder": "#ffd600", "maxlength": 7, "pattern": "(#[0-9a-fA-F]{6})?"}),
    )
    caption_preset = forms.ChoiceField(
        required=False, label="Caption preset", help_text="Its whole caption look replaces the video's."
    )
    card_background = forms.CharField(label="Card background", widget=forms.TextInput(attrs={"type": "color"}))
    card_text_color = forms.CharField(label="Card text", widget=forms.TextInput(attrs={"type": "color"}))
    accent_color = forms.CharField(label="Accent", widget=forms.TextInput(attrs={"type": "color"}))
    intro_title = forms.CharField(
        required=False,
        strip=False,
        help_text="Empty: no intro. {title} is replaced by the video's title.",
        widget=forms.TextInput(attrs={"maxlength": brand.CARD_TITLE_MAX_CHARS, "placeholder": "{title}"}),
    )
    intro_line = forms.CharField(
        required=False, strip=False, widget=forms.TextInput(attrs={"maxlength": brand.CARD_LINE_MAX_CHARS})
    )
    intro_ms = forms.IntegerField(
        label="Intro length (ms)",
        widget=forms.NumberInput(attrs={"min": brand.CARD_MS_MIN, "max": brand.CARD_MS_MAX, "step": 100}),
    )
    outro_title = forms.CharField(
        required=False,
        strip=False,
        help_text="Empty: no outro.",
        widget=forms.TextInput(attrs={"maxlength": brand.CARD_TITLE_MAX_CHARS, "placeholder": "Thanks for watching"}),
    )
    outro_line = forms.CharField(
        required=False,
        strip=False,
        label="Outro call to action",
        widget=forms.TextInput(attrs={"maxlength": brand.CARD_LINE_MAX_CHARS, "placeholder": "Subscribe for more"}),
    )
    outro_ms = forms.IntegerField(
        label="Outro length (ms)",
        widget=forms.NumberInput(attrs={"min": brand.CARD_MS_MIN, "max": brand.CARD_MS_MAX, "step": 100}),
    )

    def __init__(self, *args, presets=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.presets = {str(preset.code): preset for preset in presets}
        field = self.fields["caption_preset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None: the video's own look")] + [
            (code, preset.name) for code, preset in self.presets.items()
        ]


def _initial(kit: BrandKit) -> dict:
    values = {name: getattr(kit, name) for name in service.FIELDS}
    values["caption_preset"] = str(kit.caption_preset.code) if kit.caption_preset else ""
    return values


def _save(request: HttpRequest, form: BrandKitForm) -> bool:
    """Settings and logo together: either all saved or nothing (errors on the form)."""
    refusal = upload_refusal(request)
    if refusal:
        form.add_error("logo", refusal)
        return False
    if not form.is_valid():
        return False
    data = {name: form.cleaned_data[name] for name in service.FIELDS}
    data["caption_preset"] = form.presets.get(data["caption_preset"] or "")
    try:
        with transaction.atomic():
            service.brand_kit_update(owner=request.user, replace_all=True, **data)
            if form.cleaned_data["logo"]:
                service.brand_kit_logo_set(owner=request.user, upload=form.cleaned_data["logo"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    if form.cleaned_data["remove_logo"] and not form.cleaned_data["logo"]:
        service.brand_kit_logo_remove(owner=request.user)
    return True


@login_required
def brand_kit_page(request: HttpRequest) -> HttpResponse:
    kit = service.brand_kit_of(request.user) or BrandKit()  # the defaults, unsaved
    presets = CaptionPreset.objects.filter(owner_id=request.user.pk).order_by("name")
    status = 200
    if request.method == "POST":
        form = BrandKitForm(request.POST, request.FILES, presets=presets)
        if _save(request, form):
            messages.success(request, "Your brand kit was saved. Your next renders use it.")
            return redirect("videos-brand-kit")
        status = 400
    else:
        form = BrandKitForm(initial=_initial(kit), presets=presets)
    context = {"form": form, "kit": kit, "nav": "brand"}
    return TemplateResponse(request, "videos/brand_kit.html", context, status=status)


def _png(image: Image.Image) -> HttpResponse:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


def _preview(kit: BrandKit, which: str, *, aspect: str, title: str, backdrop: Path | None) -> HttpResponse:
    """A card (intro, outro) or the logo in its corner over the backdrop, at 480p in aspect."""
    width, height = frame_size(aspect, PREVIEW_QUALITY)
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        logo = None
        if kit.logo is not None:
            name = kit.logo.file.name or ""
            try:
                logo = storage_fetch(name=name, dest=Path(tmp) / f"logo{Path(name).suffix}")
            except OSError:
                logo = None
        if which in ("intro", "outro"):
            card = service.brand_card(kit, which, video_title=title)
            if card is None:
                raise Http404("This brand kit has no such card.")
            path = brand.draw_card(card, width=width, height=height, out_path=Path(tmp) / "card.png", logo=logo)
            with Image.open(path) as image:
                return _png(image.copy())
        if logo is None:
            raise Http404("This brand kit has no logo.")
        frame = _backdrop(backdrop, width, height)
        size = brand.prepare_logo(
            logo,
            frame_w=width,
            frame_h=height,
            size_percent=kit.logo_size,
            opacity=kit.logo_opacity,
            out_path=Path(tmp) / "sized.png",
        )
        with Image.open(Path(tmp) / "sized.png") as sized:
            frame.paste(sized, brand.logo_position(kit.logo_corner, width, height, *size), sized)
        return _png(frame)


def _backdrop(picture: Path | None, width: int, height: int) -> Image.Image:
    """The scene's picture covering the frame, or a plain grey frame."""
    if picture is not None:
        try:
            with Image.open(picture) as opened:
                image = opened.convert("RGB")
            scale = max(width / image.width, height / image.height)
            image = image.resize((round(image.width * scale), round(image.height * scale)))
            left, top = (image.width - width) // 2, (image.height - height) // 2
            return image.crop((left, top, left + width, top + height))
        except (OSError, ValueError):
            pass
    return Image.new("RGB", (width, height), (96, 104, 118))


@login_required
@require_safe
def brand_kit_preview(request: HttpRequest, which: str) -> HttpResponse:
    """The account's own kit: a card, or the logo in its corner (16:9, or ?aspect=)."""
    kit = service.brand_kit_of(request.user)
    if kit is None or which not in ("intro", "outro", "logo"):
        raise Http404("No such preview.")
    aspect = request.GET.get("aspect", Video.Aspect.LANDSCAPE)
    if aspect not in Video.Aspect.values:
        aspect = Video.Aspect.LANDSCAPE
    return _preview(kit, which, aspect=aspect, title="Your video's title", backdrop=None)


@login_required
@require_safe
def video_brand_preview(request: HttpRequest, code, which: str) -> HttpResponse:
    """A video's intro card, or its first scene with the logo in its corner, as its render
    would draw them with its owner's kit."""
    video = get_video_for_user(request, code)
    kit = service.brand_kit_of(video.owner)
    if kit is None or which not in ("intro", "outro", "logo"):
        raise Http404("No such preview.")
    backdrop = None
    first = video.scenes.select_related("picture").order_by("position").first()
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        if which == "logo" and first is not None and first.picture is not None:
            name = first.picture.file.name or ""
            try:
                backdrop = storage_fetch(name=name, dest=Path(tmp) / f"scene{Path(name).suffix}")
            except OSError:
                backdrop = None
        return _preview(kit, which, aspect=video.aspect, title=video.title, backdrop=backdrop)


def _panel(request: HttpRequest, video: Video) -> HttpResponse:
    kit = service.brand_kit_of(video.owner)
    has_intro = kit is not None and service.brand_card(kit, "intro", video_title=video.title) is not None
    context = {"video": video, "kit": kit, "has_intro": has_intro}
    return TemplateResponse(request, "videos/_brand_kit_panel.html", context)


@login_required
@require_safe
def video_brand_panel(request: HttpRequest, code) -> HttpResponse:
    return _panel(request, get_video_for_user(request, code))


@login_required
@require_POST
def video_brand_switch(request: HttpRequest, code) -> HttpResponse:
    video = get_video_for_user(request, code)
    service.video_set_brand_kit(video=video, on=request.POST.get("brand_kit") == "on")
    if wants_fragment(request):
        return _panel(request, video)
    return redirect("videos-storyboard", code=video.code)
