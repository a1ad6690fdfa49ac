"""HTML forms: input parsing and widgets only. The services decide what is valid for the
domain; a form turns their ValidationError back into messages on its fields."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from assets.forms import CLIP_ACCEPT, SOUND_ACCEPT
from assets.models import MediaAsset
from assets.script_writing import SECONDS_MAX, SECONDS_MIN, TONES, TOPIC_MAX_CHARS
from core.forms import ServiceErrorsMixin
from mediakit.speech import RATE_MAX, RATE_MIN, speech_rate_error, voice_choices
from videos.models import CaptionPreset, Export, Project, Scene, Video
from videos.options import (
    CAPTION_SIZE_MAX,
    CAPTION_SIZE_MIN,
    MUSIC_VOLUME_MAX_DB,
    MUSIC_VOLUME_MIN_DB,
    VIDEO_OPTION_DEFAULTS,
    caption_colour_error,
    caption_size_error,
    music_volume_error,
    visuals_available,
)

SCRIPT_FILE_MAX_BYTES = 512 * 1024
SCRIPT_FILE_SUFFIXES = (".txt", ".md", ".markdown")


def _speech_rate_valid(value: int | None) -> None:
    if value is not None and (problem := speech_rate_error(value)):
        raise ValidationError(problem)


def _music_volume_valid(value: int | None) -> None:
    if value is not None and (problem := music_volume_error(value)):
        raise ValidationError(problem)


def _caption_size_valid(value: int | None) -> None:
    if value is not None and (problem := caption_size_error(value)):
        raise ValidationError(problem)


def _caption_colour_valid(value: str) -> None:
    if problem := caption_colour_error(value):
        raise ValidationError(problem)


class VideoForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "The lighthouse keeper"}))
    script = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "Paste or write your script. Each sentence or two becomes a scene."}
        ),
    )
    script_file = forms.FileField(
        required=False,
        label="…or upload a script file",
        help_text="A .txt or .md file (UTF-8); it replaces the text above.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,text/plain,text/markdown"}),
    )
    aspect = forms.ChoiceField(
        choices=Video.Aspect.choices, initial=VIDEO_OPTION_DEFAULTS.aspect, widget=forms.RadioSelect
    )
    other_aspects = forms.MultipleChoiceField(
        choices=Video.Aspect.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also make",
        help_text="Each one is its own video from the same storyboard, narration and pictures, laid "
        "out again for its frame; each render counts against your render minutes.",
    )
    quality = forms.ChoiceField(choices=Video.Quality.choices, initial=VIDEO_OPTION_DEFAULTS.quality)
    fps = forms.TypedChoiceField(
        choices=Video.Fps.choices, coerce=int, initial=VIDEO_OPTION_DEFAULTS.fps, label="Frame rate"
    )
    voice = forms.ChoiceField(choices=voice_choices, initial=VIDEO_OPTION_DEFAULTS.voice)
    speech_rate = forms.IntegerField(
        label="Speech rate",
        help_text="Words per minute.",
        initial=VIDEO_OPTION_DEFAULTS.speech_rate,
        validators=[_speech_rate_valid],
        widget=forms.NumberInput(attrs={"min": RATE_MIN, "max": RATE_MAX, "step": 5}),
    )
    music = forms.ChoiceField(choices=Video.Music.choices, initial=VIDEO_OPTION_DEFAULTS.music)
    music_asset = forms.ModelChoiceField(
        queryset=MediaAsset.objects.none(),
        required=False,
        label="Uploaded music",
        help_text="Used when Music is “My upload”.",
    )
    music_volume_db = forms.IntegerField(
        label="Music volume (dB)",
        help_text="0 is the library's reference loudness; the music goes 12 dB further down while someone speaks.",
        initial=VIDEO_OPTION_DEFAULTS.music_volume_db,
        required=False,
        validators=[_music_volume_valid],
        widget=forms.NumberInput(attrs={"min": MUSIC_VOLUME_MIN_DB, "max": MUSIC_VOLUME_MAX_DB, "step": 1}),
    )
    captions = forms.BooleanField(
        required=False, initial=VIDEO_OPTION_DEFAULTS.captions, label="Burn captions into the picture"
    )
    caption_style = forms.ChoiceField(choices=Video.CaptionStyle.choices, initial=VIDEO_OPTION_DEFAULTS.caption_style)
    caption_font = forms.ChoiceField(
        choices=Video.CaptionFont.choices, initial=VIDEO_OPTION_DEFAULTS.caption_font, required=False, label="Font"
    )
    caption_size = forms.IntegerField(
        label="Caption size (%)",
        help_text="Of the style's own size.",
        initial=VIDEO_OPTION_DEFAULTS.caption_size,
        required=False,
        validators=[_caption_size_valid],
        widget=forms.NumberInput(attrs={"min": CAPTION_SIZE_MIN, "max": CAPTION_SIZE_MAX, "step": 5}),
    )
    caption_color = forms.CharField(
        label="Caption colour",
        help_text="#rrggbb; empty for the style's own.",
        initial=VIDEO_OPTION_DEFAULTS.caption_color,
        required=False,
        max_length=7,
        validators=[_caption_colour_valid],
        widget=forms.TextInput(attrs={"placeholder": "#ffffff", "size": 8}),
    )
    caption_highlight_color = forms.CharField(
        label="Highlight colour",
        help_text="The word being said (word-by-word style); empty for yellow.",
        initial=VIDEO_OPTION_DEFAULTS.caption_highlight_color,
        required=False,
        max_length=7,
        validators=[_caption_colour_valid],
        widget=forms.TextInput(attrs={"placeholder": "#ffd600", "size": 8}),
    )
    caption_background = forms.ChoiceField(
        choices=Video.CaptionBackground.choices,
        initial=VIDEO_OPTION_DEFAULTS.caption_background,
        required=False,
        label="Outline or box",
    )
    caption_position = forms.ChoiceField(
        choices=Video.CaptionPosition.choices,
        initial=VIDEO_OPTION_DEFAULTS.caption_position,
        required=False,
        label="Caption position",
        help_text="Always inside the platform's safe area.",
    )
    caption_preset = forms.ChoiceField(
        choices=[("", "None: the settings above")],
        required=False,
        label="Caption preset",
        help_text="One of your saved looks; it replaces the caption settings above.",
    )
    save_caption_preset = forms.CharField(
        required=False,
        max_length=60,
        label="Save these caption settings as",
        help_text="A preset name for later videos, the API and batch rows; a name you use is replaced.",
        widget=forms.TextInput(attrs={"placeholder": "My look"}),
    )
    transition = forms.ChoiceField(choices=Video.Transition.choices, initial=VIDEO_OPTION_DEFAULTS.transition)
    visuals = forms.ChoiceField(
        choices=Video.Visuals.choices,
        initial=VIDEO_OPTION_DEFAULTS.visuals,
        required=False,
        widget=forms.RadioSelect,
        label="Pictures",
        help_text="Stock: each scene takes the stock picture or clip whose tags best match its words.",
    )
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(), required=False, empty_label="No project", to_field_name="code"
    )
    new_project = forms.CharField(
        required=False, max_length=120, label="…or a new project", widget=forms.TextInput(attrs={"placeholder": "Name"})
    )

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        # Not maxlength: the browser would cut a long paste silently. The page counts
        # against this limit as the creator types and the service refuses past it.
        self.fields["script"].widget.attrs.update(
            {"data-max-chars": settings.CONTENTIZER_SCRIPT_MAX_CHARS, "aria-describedby": "script-counter"}
        )
        self.fields["project"].queryset = Project.objects.filter(owner=owner)
        presets = CaptionPreset.objects.filter(owner=owner).order_by("name").values_list("name", flat=True)
        self.fields["caption_preset"].choices = [("", "None: the settings above"), *((n, n) for n in presets)]
        # The creator's sound uploads, then the stock library's music.
        music = MediaAsset.objects.filter(
            Q(owner=owner, source=MediaAsset.Source.UPLOADED) | Q(source=MediaAsset.Source.STOCK),
            kind__in=(MediaAsset.Kind.AUDIO, MediaAsset.Kind.MUSIC),
        ).order_by("-source", "-created_at")
        self.fields["music_asset"].queryset = music
        self.fields["music_asset"].label_from_instance = _music_label

        self.fields["visuals"].choices = visuals_available()
        if not music.exists():
            # Only offer "My upload" to creators who have uploaded audio.
            self.fields["music"].choices = [c for c in Video.Music.choices if c[0] != Video.Music.UPLOAD]

    def clean_script(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; count them as the page did, once.
        return (self.cleaned_data.get("script") or "").replace("\r\n", "\n")

    def clean_script_file(self):
        upload = self.cleaned_data.get("script_file")
        if not upload:
            return None
        if not upload.name.lower().endswith(SCRIPT_FILE_SUFFIXES):
            raise ValidationError("Upload the script as a .txt or .md file.")
        if upload.size > SCRIPT_FILE_MAX_BYTES:
            raise ValidationError(f"The script file is larger than {SCRIPT_FILE_MAX_BYTES // 1024} KB.")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The script file is not UTF-8 text.") from exc
        if "\x00" in text:
            raise ValidationError("The script file is not a text file.")
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("script_file"):
            cleaned["script"] = cleaned["script_file"]
        return cleaned

    def service_kwargs(self, *, project: Project | None) -> dict:
        data = self.cleaned_data
        return {
            "owner": self.owner,
            "title": data["title"],
            "script": data.get("script") or "",
            # The chosen aspect first (the storyboard's pictures are drawn for it), then the others.
            "aspects": [data["aspect"]]
            + [a for a in Video.Aspect.values if a in (data.get("other_aspects") or []) and a != data["aspect"]],
            "quality": data["quality"],
            "fps": data["fps"],
            "voice": data["voice"],
            "speech_rate": data["speech_rate"],
            "music": data["music"],
            "music_asset": data.get("music_asset"),
            "music_volume_db": (
                VIDEO_OPTION_DEFAULTS.music_volume_db
                if data.get("music_volume_db") is None
                else data["music_volume_db"]
            ),
            "captions": data["captions"],
            "caption_style": data["caption_style"],
            "caption_font": data.get("caption_font") or VIDEO_OPTION_DEFAULTS.caption_font,
            "caption_size": (
                VIDEO_OPTION_DEFAULTS.caption_size if data.get("caption_size") is None else data["caption_size"]
            ),
            "caption_color": (data.get("caption_color") or "").strip(),
            "caption_highlight_color": (data.get("caption_highlight_color") or "").strip(),
            "caption_background": data.get("caption_background") or VIDEO_OPTION_DEFAULTS.caption_background,
            "caption_position": data.get("caption_position") or VIDEO_OPTION_DEFAULTS.caption_position,
            "caption_preset": data.get("caption_preset") or "",
            "transition": data["transition"],
            "visuals": data.get("visuals") or VIDEO_OPTION_DEFAULTS.visuals,
            "project": project,
        }


def _music_label(asset: MediaAsset) -> str:
    name = asset.label or f"{asset.get_kind_display()} {asset.code.hex[:8]}"
    length = f" ({asset.duration_ms // 1000} s)" if asset.duration_ms else ""
    stock = " · stock" if asset.source == MediaAsset.Source.STOCK else ""
    return f"{name}{length}{stock}"


class SceneForm(ServiceErrorsMixin, forms.Form):
    narration = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    visual_prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Visual prompt")


class SceneAddForm(ServiceErrorsMixin, forms.Form):
    narration = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What the narrator says in this scene."}),
        required=False,
    )
    visual_prompt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Optional: what the picture shows."}),
        required=False,
        label="Visual prompt",
    )


class ScenePictureForm(ServiceErrorsMixin, forms.Form):
    picture = forms.FileField(
        help_text="JPEG, PNG or WebP.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ExportForm(ServiceErrorsMixin, forms.Form):
    format = forms.ChoiceField(choices=Export.Format.choices)
    quality = forms.ChoiceField(choices=Video.Quality.choices)

    def __init__(self, *args, video: Video, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offer only sizes up to the master's; a larger one still reaches the service,
        # which refuses it with a message that says why.
        order = list(Video.Quality.values)
        allowed = order[: order.index(video.quality) + 1] if video.quality in order else order
        quality = self.fields["quality"]
        quality.widget.choices = [c for c in Video.Quality.choices if c[0] in allowed]
        quality.initial = video.quality


# --- a scene's own media (clips, recordings, stock items) ------------------------------


class SceneClipForm(ServiceErrorsMixin, forms.Form):
    """A clip for a scene: an upload, or one of the creator's (or the stock library's) clips."""

    clip = forms.FileField(
        required=False, allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": CLIP_ACCEPT})
    )
    asset = forms.UUIDField(required=False)
    clip_audio = forms.ChoiceField(choices=Scene.ClipAudio.choices, initial=Scene.ClipAudio.DROP)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("clip") and not cleaned.get("asset") and "clip" not in self.files:
            raise forms.ValidationError("Choose a clip or upload one.")
        return cleaned


class SceneNarrationForm(ServiceErrorsMixin, forms.Form):
    narration_audio = forms.FileField(
        required=False, allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": SOUND_ACCEPT})
    )
    asset = forms.UUIDField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("narration_audio") and not cleaned.get("asset") and "narration_audio" not in self.files:
            raise forms.ValidationError("Choose a recording or upload one.")
        return cleaned


class SceneMediaForm(forms.Form):
    """One of the creator's pictures or clips, or a stock item, for a scene."""

    asset = forms.UUIDField()


# Lengths offered by "Write it for me" (the service takes SECONDS_MIN..SECONDS_MAX).
LENGTHS = [(15, "15 seconds"), (30, "30 seconds"), (60, "1 minute"), (90, "1½ minutes"), (120, "2 minutes"),
           (180, "3 minutes"), (300, "5 minutes")]  # fmt: skip


class ScriptTopicForm(forms.Form):
    """The writer's fields; prefixed ("writer-topic") so they sit inside the new-video form."""

    prefix = "writer"
    topic = forms.CharField(
        label="Topic",
        max_length=TOPIC_MAX_CHARS,
        required=False,  # the service says what is missing, in its words
        widget=forms.TextInput(attrs={"placeholder": "e.g. how lighthouses guided ships before GPS"}),
    )
    seconds = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(s, label) for s, label in LENGTHS if SECONDS_MIN <= s <= SECONDS_MAX],
        initial=60,
    )
    tone = forms.ChoiceField(label="Tone", choices=[(key, key.capitalize()) for key in TONES], initial="informative")
