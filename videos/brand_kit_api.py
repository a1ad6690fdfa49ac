"""REST API for a creator's brand kit (one per account): read, replace (PUT), change some
settings (PATCH), forget (DELETE); the logo as a multipart upload of its own; and each
video's switch. Checks and limits are videos.services.brand_kit's (mediakit.brand's)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from assets.api import RETRY_AFTER, refused_for_size, upload_part
from core.api_base import ApiView, UploadThrottle, get_scoped_or_404
from core.api_errors import error_responses
from core.api_fields import StrictInputSerializer
from mediakit import brand
from videos.models import BrandKit, Video
from videos.options import CaptionFont
from videos.services import brand_kit as service


class BrandKitSerializer(serializers.Serializer):
    exists = serializers.SerializerMethodField(help_text="False: no kit yet; these are the defaults")
    logo = serializers.SerializerMethodField(help_text="The logo asset ({code, width, height}), or null")
    logo_corner = serializers.CharField()
    logo_size = serializers.IntegerField(help_text="Percent of the frame's shorter side")
    logo_opacity = serializers.IntegerField(help_text="Percent")
    font = serializers.CharField()
    highlight_color = serializers.CharField()
    caption_preset = serializers.SerializerMethodField(help_text="The code of the caption preset it uses, or null")
    card_background = serializers.CharField()
    card_text_color = serializers.CharField()
    accent_color = serializers.CharField()
    intro_title = serializers.CharField()
    intro_line = serializers.CharField()
    intro_ms = serializers.IntegerField()
    outro_title = serializers.CharField()
    outro_line = serializers.CharField()
    outro_ms = serializers.IntegerField()

    def get_exists(self, kit: BrandKit) -> bool:
        return kit.pk is not None

    def get_logo(self, kit: BrandKit) -> dict | None:
        if kit.logo is None:
            return None
        return {"code": str(kit.logo.code), "width": kit.logo.width, "height": kit.logo.height}

    def get_caption_preset(self, kit: BrandKit) -> str | None:
        return str(kit.caption_preset.code) if kit.caption_preset is not None else None


def _range(low: int, high: int, what: str) -> serializers.IntegerField:
    message = f"The {what} is a whole number, {low} to {high}."
    return serializers.IntegerField(
        required=False,
        min_value=low,
        max_value=high,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
        help_text=f"{low} to {high}",
    )


def _colour(*, blank: bool = False) -> serializers.RegexField:
    pattern = r"^(#[0-9a-fA-F]{6})?$" if blank else r"^#[0-9a-fA-F]{6}$"
    message = "Colours are written #rrggbb (for example #101828)" + (", or left empty." if blank else ".")
    return serializers.RegexField(pattern, required=False, allow_blank=blank, error_messages={"invalid": message})


def _text(limit: int, what: str) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=limit,
        error_messages={"max_length": f"The {what} is too long; at most {limit} characters."},
    )


class BrandKitInputSerializer(StrictInputSerializer):
    """The shape and the limits of each value (mediakit.brand's); the service checks them
    again, with what a schema cannot say (the card's contrast, your own caption preset)."""

    logo_corner = serializers.ChoiceField(
        choices=BrandKit.LogoCorner.values,
        required=False,
        error_messages={"invalid_choice": f"Unknown corner “{{input}}”; one of {', '.join(brand.LOGO_CORNERS)}."},
    )
    logo_size = _range(brand.LOGO_SIZE_MIN, brand.LOGO_SIZE_MAX, "logo size (percent of the shorter side)")
    logo_opacity = _range(brand.LOGO_OPACITY_MIN, brand.LOGO_OPACITY_MAX, "logo opacity (percent)")
    font = serializers.ChoiceField(
        choices=CaptionFont.values,
        required=False,
        error_messages={"invalid_choice": f"Unknown font “{{input}}”; one of {', '.join(CaptionFont.values)}."},
    )
    highlight_color = _colour(blank=True)
    caption_preset = serializers.UUIDField(required=False, allow_null=True, help_text="One of your caption presets")
    card_background = _colour()
    card_text_color = _colour()
    accent_color = _colour()
    intro_title = _text(brand.CARD_TITLE_MAX_CHARS, "intro title")
    intro_line = _text(brand.CARD_LINE_MAX_CHARS, "intro line")
    intro_ms = _range(brand.CARD_MS_MIN, brand.CARD_MS_MAX, "intro's length (ms)")
    outro_title = _text(brand.CARD_TITLE_MAX_CHARS, "outro title")
    outro_line = _text(brand.CARD_LINE_MAX_CHARS, "outro line")
    outro_ms = _range(brand.CARD_MS_MIN, brand.CARD_MS_MAX, "outro's length (ms)")


class BrandKitLogoSerializer(serializers.Serializer):
    logo = serializers.FileField(help_text="PNG (transparent) or JPEG/WebP, at most 2 MB and 4096 px a side")


class VideoBrandKitSerializer(StrictInputSerializer):
    brand_kit = serializers.BooleanField(help_text="Render this video with your brand kit (if you have one)")


def _kit_or_defaults(user) -> BrandKit:
    return service.brand_kit_of(user) or BrandKit(owner=user)


class BrandKitApi(ApiView):
    @extend_schema(
        tags=["brand kit"],
        summary="Your brand kit",
        description="`exists` is false (and the values are the defaults) until you set it.",
        responses={200: BrandKitSerializer, **error_responses(401)},
    )
    def get(self, request):
        return self.out(BrandKitSerializer, _kit_or_defaults(request.user))

    def _save(self, request, *, replace_all: bool) -> Response:
        data = dict(self.valid(BrandKitInputSerializer))
        if "caption_preset" in data:
            data["caption_preset"] = service.caption_preset_by_code(owner=request.user, code=data["caption_preset"])
        kit = service.brand_kit_update(owner=request.user, replace_all=replace_all, **data)
        return self.out(BrandKitSerializer, kit)

    @extend_schema(
        tags=["brand kit"],
        summary="Set your whole brand kit",
        description="Settings left out go back to their defaults (the logo stays). Checked as a whole: "
        "on any error (a colour not #rrggbb, an unknown font or corner, a title over 60 characters, a "
        "card shorter than 1 s or longer than 6 s, text unreadable on its card) nothing changes.",
        request=BrandKitInputSerializer,
        responses={200: BrandKitSerializer, **error_responses(400, 401, 415)},
    )
    def put(self, request):
        return self._save(request, replace_all=True)

    @extend_schema(
        tags=["brand kit"],
        summary="Change some brand kit settings",
        description="Only the settings given change; checked as a whole, nothing changes on an error.",
        request=BrandKitInputSerializer,
        responses={200: BrandKitSerializer, **error_responses(400, 401, 415)},
    )
    def patch(self, request):
        return self._save(request, replace_all=False)

    @extend_schema(
        tags=["brand kit"],
        summary="Forget your brand kit",
        description="Videos render without it from then on; its logo is deleted unless used elsewhere.",
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request):
        service.brand_kit_delete(owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BrandKitLogoApi(ApiView):
    parser_classes = [MultiPartParser]

    def get_throttles(self):
        return [UploadThrottle()] if self.request.method == "PUT" else []

    @extend_schema(
        tags=["brand kit"],
        summary="Upload your logo",
        description="Multipart with a `logo` part: a PNG (transparency kept) or a JPEG/WebP, checked by its "
        "content; at most 2 MB (413 above) and 4096 pixels a side. SVG is refused. A refused logo "
        "changes nothing; the previous logo is deleted unless used elsewhere.",
        request={"multipart/form-data": BrandKitLogoSerializer},
        parameters=[RETRY_AFTER],
        responses={200: BrandKitSerializer, **error_responses(400, 401, 413, 415, 429)},
    )
    def put(self, request):
        upload = upload_part(request, "logo")
        kit = refused_for_size(lambda: service.brand_kit_logo_set(owner=request.user, upload=upload))
        return self.out(BrandKitSerializer, kit)

    @extend_schema(
        tags=["brand kit"],
        summary="Remove your logo",
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request):
        service.brand_kit_logo_remove(owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoBrandKitApi(ApiView):
    @extend_schema(
        tags=["brand kit"],
        summary="Whether a video renders with your brand kit",
        responses={200: VideoBrandKitSerializer, **error_responses(401, 404)},
    )
    def get(self, request, code):
        video = get_scoped_or_404(request, Video.objects.all(), code, "video")
        return Response({"brand_kit": video.brand_kit})

    @extend_schema(
        tags=["brand kit"],
        summary="Turn the brand kit on or off for a video",
        description="Applies to its next render.",
        request=VideoBrandKitSerializer,
        responses={200: VideoBrandKitSerializer, **error_responses(400, 401, 404, 415)},
    )
    def put(self, request, code):
        video = get_scoped_or_404(request, Video.objects.all(), code, "video")
        data = self.valid(VideoBrandKitSerializer)
        service.video_set_brand_kit(video=video, on=data["brand_kit"])
        return Response({"brand_kit": video.brand_kit})
