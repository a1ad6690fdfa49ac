"""API representations of media assets (output and input serializers; no logic)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.models import MediaAsset
from core.api_links import api_url


class AssetLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    file = serializers.URLField()


class AssetSerializer(serializers.ModelSerializer):
    links = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = [
            "code",
            "kind",
            "source",
            "mime",
            "size_bytes",
            "width",
            "height",
            "duration_ms",
            "has_audio",
            "generator",
            "label",
            "tags",
            "credit",
            "created_at",
            "links",
        ]
        read_only_fields = fields
        extra_kwargs = {"credit": {"help_text": "Attribution: provider, author, source_url, licence... ({}: none)"}}

    @extend_schema_field(AssetLinksSerializer)
    def get_links(self, asset: MediaAsset) -> dict:
        return {
            "self": api_url(self.context, "api-assets-detail", code=asset.code),
            "file": api_url(self.context, "api-assets-file", code=asset.code),
        }


class AssetListFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediaAsset.Kind.choices, required=False)
    source = serializers.ChoiceField(
        choices=MediaAsset.Source.choices,
        required=False,
        help_text="`stock` lists the stock library (everyone's, read-only); default: your own assets",
    )


class AssetUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A picture (JPEG, PNG, WebP), a clip (MP4, MOV, WebM) or a sound (MP3, WAV, M4A), "
        "checked by its content; at most CONTENTIZER_UPLOAD_MAX_BYTES (50 MB by default)"
    )


# --- projects ----------------------------------------------------------------------------
