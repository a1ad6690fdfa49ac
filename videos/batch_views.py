"""The batch pages: upload a CSV or JSONL file (one video per row, the options of the
new-video form) and follow the batch's videos on one page.

Through the same service as `POST /api/v1/batches` and `make_video --batch`: every row
is checked first and one report names every problem (row, field, message); the whole
batch must fit the quotas; otherwise nothing is created.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import QuotaExceeded
from core.ratelimit import FormThrottle, creation_refusal, retry_after
from mediakit.speech import voice_choices
from quotas.services import quota_usage
from videos import services
from videos.job_display import stage_label
from videos.models import Batch, Video
from videos.options import (
    CAPTION_SIZE_MAX,
    CAPTION_SIZE_MIN,
    MUSIC_VOLUME_MAX_DB,
    MUSIC_VOLUME_MIN_DB,
    VIDEO_OPTION_DEFAULTS,
    visuals_available,
)
from videos.selectors import batch_progress, batches_with_progress
from videos.services.batches import JSONL_SUFFIXES, ROW_FIELDS, RowError

BATCH_SUFFIXES = (".csv", *sorted(JSONL_SUFFIXES))
# What each column takes, in words, for the page's table of columns.
COLUMN_HELP = {
    "title": "The video's title (default: the batch name and the row number).",
    "script": "Required. The narration; blank lines separate scenes.",
    "voice": f"A voice id, as written below (default {VIDEO_OPTION_DEFAULTS.voice}).",
    "speech_rate": "Words per minute (a whole number).",
    "music_asset": "The code of one of your sound files.",
    "music_volume_db": f"The music's level in dB, {MUSIC_VOLUME_MIN_DB} to {MUSIC_VOLUME_MAX_DB} "
    f"(default {VIDEO_OPTION_DEFAULTS.music_volume_db}).",
    "aspects": 'Several aspects from one storyboard, e.g. "16:9,9:16,1:1" (quoted in a CSV; a list in '
    "JSONL): one video each, the first the video's own. Replaces aspect.",
    "captions": "true or false.",
    "caption_size": f"Percent of the caption style's size, {CAPTION_SIZE_MIN} to {CAPTION_SIZE_MAX} "
    f"(default {VIDEO_OPTION_DEFAULTS.caption_size}).",
    "caption_color": "The caption's letters, #rrggbb (empty: the style's own).",
    "caption_highlight_color": "The word being said in the words style, #rrggbb (empty: yellow).",
    "caption_preset": "The name of one of your caption presets: its style and look replace the caption columns.",
    "project": "The code of one of your projects.",
    "callback_url": "A webhook URL told when the video changes.",
}
# Columns whose values are the video's choices: listed from the model, never retyped.
CHOICE_COLUMNS = {
    "aspect": Video.Aspect,
    "quality": Video.Quality,
    "fps": Video.Fps,
    "music": Video.Music,
    "caption_style": Video.CaptionStyle,
    "caption_font": Video.CaptionFont,
    "caption_background": Video.CaptionBackground,
    "caption_position": Video.CaptionPosition,
    "transition": Video.Transition,
}


def _column_values(name: str) -> list[tuple[str, str]]:
    """The values a column takes, as they must be written in the file, with their labels:
    from the one place each is defined (the video's options, the voices, the visuals this
    site offers)."""
    if name == "voice":
        return voice_choices()
    if name == "visuals":
        return visuals_available()
    if choices := CHOICE_COLUMNS.get(name):
        return [(str(value), str(label)) for value, label in choices.choices if value != Video.Music.UPLOAD]
    return []


def _column_help(name: str) -> str:
    if name in CHOICE_COLUMNS or name == "visuals":
        return "One of:"
    return COLUMN_HELP.get(name, "")


EXAMPLE_ROWS = [
    {
        "title": "The lighthouse keeper",
        "script": "Every night the keeper climbs the stairs.\n\nThe lamp turns until morning.",
        "aspect": "16:9",
        "captions": True,
    },
    {
        "title": "Morning coffee",
        "script": "The kettle sings before the sun is up.\n\nThe first cup is the quiet one.",
        "aspect": "9:16",
        "captions": False,
    },
]


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or JSONL file",
        help_text="One video per row: a CSV with a header row, or JSONL with one JSON object per line.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(BATCH_SUFFIXES)}),
        error_messages={"required": "Choose the file to upload.", "empty": "The file is empty."},
    )
    name = forms.CharField(
        label="Batch name",
        required=False,
        max_length=200,
        help_text="Optional; the file's name by default. Untitled rows are named after it.",
    )

    def clean_file(self):  # noqa: ANN201 - Django's signature
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in BATCH_SUFFIXES:
            raise ValidationError(
                f"This is not a CSV or JSONL file; upload a file ending in {', '.join(BATCH_SUFFIXES)}."
            )
        limit = settings.CONTENTIZER_BATCH_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; a batch file can be at most {filesizeformat(limit)}."
            )
        return upload


def _creation_throttle(request: HttpRequest) -> FormThrottle:
    # The API's counter of creations (one batch is one creation; each row still counts
    # against the quotas), so pages and programs share one rate.
    return FormThrottle.for_user("video_create", request.user)


def _upload_page(request: HttpRequest, form: BatchUploadForm, *, report: list[RowError] | None = None, status=200):
    batches = [
        batch_progress(batch)
        for batch in batches_with_progress().filter(owner=request.user).order_by("-created_at", "-pk")[:10]
    ]
    context = {
        "form": form,
        "nav": "batch",
        "report": report or [],
        "bad_rows": len({e.row for e in report or [] if e.row}),
        "file_problems": [e for e in report or [] if not e.row],
        "row_problems": [e for e in report or [] if e.row],
        "columns": [(name, _column_help(name), _column_values(name)) for name in ROW_FIELDS],
        "max_rows": settings.CONTENTIZER_BATCH_MAX_ROWS,
        "max_bytes": settings.CONTENTIZER_BATCH_MAX_BYTES,
        "quota": quota_usage(user=request.user),
        "batches": batches,
    }
    return render(request, "videos/batch_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, BatchUploadForm())
    form = BatchUploadForm(request.POST, request.FILES)
    throttle = _creation_throttle(request)
    wait = throttle.wait_seconds()
    if wait is not None:
        form.is_valid()
        form.add_error(None, creation_refusal(wait))
        return retry_after(_upload_page(request, form, status=429), wait)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(settings.CONTENTIZER_BATCH_MAX_BYTES + 1)
    try:
        batch = services.batch_create_from_file(
            owner=request.user, data=data, filename=upload.name or "", name=form.cleaned_data["name"]
        )
    except services.BatchInvalid as exc:
        return _upload_page(request, form, report=exc.errors, status=400)
    except QuotaExceeded as exc:
        form.add_error(None, str(exc))
        return _upload_page(request, form, status=429)
    throttle.hit()
    count = batch.videos.count()
    messages.success(request, f"{count} video{'s' if count != 1 else ''} started: each storyboard is on its way.")
    return redirect("videos-batch", code=batch.code)


def _get_batch_for_user(request: HttpRequest, code) -> Batch:
    # Owner only: a stranger's (or staff's) request for a batch gets the 404 of a missing one.
    return get_object_or_404(batches_with_progress().filter(owner=request.user), code=code)


def _progress_context(batch: Batch) -> dict:
    progress = batch_progress(batch)
    items = []
    for item in progress.videos:
        job = item.job
        items.append(
            {
                "item": item,
                "stage": stage_label(job.stage) if job and job.is_active else "",
                "error": job.error_message if job and job.status == job.Status.FAILED else "",
            }
        )
    counts = [(Video.Status(status).label, count) for status, count in progress.counts.items() if count]
    return {"batch": batch, "progress": progress, "items": items, "counts": counts}


@login_required
@require_safe
def batch_detail(request: HttpRequest, code) -> HttpResponse:
    batch = _get_batch_for_user(request, code)
    return render(request, "videos/batch_detail.html", {**_progress_context(batch), "nav": "batch"})


@login_required
@require_safe
def batch_fragment(request: HttpRequest, code) -> HttpResponse:
    """The batch's table alone: what the page polls until every video is settled."""
    batch = _get_batch_for_user(request, code)
    return render(request, "videos/_batch_progress.html", _progress_context(batch))


@require_safe
def batch_example(request: HttpRequest, fmt: str) -> HttpResponse:
    """A downloadable example file (CSV or JSONL) with two videos."""
    if fmt not in ("csv", "jsonl"):
        raise Http404("There is an example CSV and an example JSONL file.")
    if fmt == "csv":
        out = io.StringIO()
        columns = ["title", "script", "aspect", "captions"]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in EXAMPLE_ROWS:
            writer.writerow({**row, "captions": "true" if row["captions"] else "false"})
        body, content_type = out.getvalue(), "text/csv; charset=utf-8"
    else:
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in EXAMPLE_ROWS)
        content_type = "application/x-ndjson; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="batch-example.{fmt}"'
    return response
