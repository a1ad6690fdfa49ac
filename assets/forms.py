"""HTML forms for creators' media and the stock library: input parsing and widgets only.
What a file really is, and whether it may be used, is decided by assets.services."""

from __future__ import annotations

from django import forms

from assets.upload_handlers import megabytes, upload_limit_bytes
from core.forms import ServiceErrorsMixin

PICTURE_ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
CLIP_ACCEPT = "video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm"
SOUND_ACCEPT = "audio/mpeg,audio/wav,audio/x-wav,audio/mp4,.mp3,.wav,.m4a"
ANY_ACCEPT = f"{PICTURE_ACCEPT},{CLIP_ACCEPT},{SOUND_ACCEPT}"


def _limit_text() -> str:

    return megabytes(upload_limit_bytes())


class AssetUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ANY_ACCEPT}),
        # The upload handler refuses an over-size file before Django keeps it; an
        # empty one reaches the service, which says so in its own words.
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"A picture (JPEG, PNG, WebP), a clip (MP4, MOV, WebM) or a sound (MP3, WAV, M4A), up to {_limit_text()}."
        )


class StockAssetForm(ServiceErrorsMixin, forms.Form):
    """The staff form that adds an item to the stock library."""

    file = forms.FileField(
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ANY_ACCEPT}),
        help_text="A picture (JPEG, PNG, WebP), a clip (MP4, MOV, WebM) or music (MP3, WAV, M4A). "
        "Checked by its content, like a creator's upload.",
    )
    label = forms.CharField(max_length=120, required=False, help_text="A name to show; the file's name if empty.")
    tags = forms.CharField(
        max_length=500,
        help_text="Words a scene might use, separated by spaces or commas (e.g. “sea waves harbour boat”). "
        "Each scene takes the item sharing the most words with its narration and prompt.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
