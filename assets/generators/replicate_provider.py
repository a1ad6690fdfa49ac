"""Pictures (and optionally narration) from Replicate, behind the provider protocols.

One prediction at a time per call; the storyboard runs several calls in parallel
threads. For each picture:

- the prediction is created through the real `replicate` client; a 429 or 5xx answer
  is retried with exponential backoff (Retry-After wins), because the client retries
  only GETs;
- its outcome arrives by webhook (when CONTENTIZER_PUBLIC_URL and the signing secret
  are set: the endpoint writes it on the ReplicatePrediction row) or by polling the API,
  whichever is first, under our own deadline: the client's `wait()` neither stops on
  `aborted` nor has a deadline. A prediction past the deadline is canceled;
- the output is downloaded at once (Replicate deletes it after about an hour) and must
  be a picture Pillow can decode;
- a picture is tried up to REPLICATE_ATTEMPTS times; then GenerationError, and the
  storyboard falls back to an offline card with a warning on the scene.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assets.models import ReplicatePrediction, ReplicateWebhookEvent
from core.event_metrics import metric_count
from core.public_fetch import RefusedAddress, open_public_stream
from mediakit.errors import FFmpegError, FFmpegTimeout, ProbeError
from mediakit.probe import probe
from mediakit.sniff import sniff_media

from .base import GeneratedAudio, GeneratedPicture, GenerationError

logger = logging.getLogger(__name__)

Status = ReplicatePrediction.Status
# What Replicate says when a prediction has ended; "aborted" is not in the client's
# own list (it cannot even parse a prediction in that state).
FINISHED = {Status.SUCCEEDED, Status.FAILED, Status.CANCELED, Status.ABORTED}
OUTPUT_MAX_BYTES = 40 * 1024 * 1024
DOWNLOAD_TIMEOUT_S = 60.0
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 60.0
PICTURE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PICTURE_MAX_PIXELS = 40_000_000
FLUX_ASPECT_RATIOS = {"16:9", "9:16", "1:1", "4:5", "5:4", "3:2", "2:3", "21:9", "9:21"}


class _AttemptFailed(Exception):
    """One try at a picture went wrong; the message says how (shown in the scene's warning)."""


def replicate_available() -> bool:
    """Whether Replicate is on for this site (a token is set): the one test every page,
    API, command and provider choice asks."""
    return bool(settings.REPLICATE_API_TOKEN)


def replicate_webhook_url() -> str | None:
    """Where Replicate should send completion webhooks, or None to rely on polling."""
    base = (settings.CONTENTIZER_PUBLIC_URL or "").rstrip("/")
    if not base or not settings.REPLICATE_WEBHOOK_SECRET:
        return None
    return base + reverse("assets-replicate-webhook")


def replicate_price(model: str) -> Decimal:
    return Decimal(settings.REPLICATE_PRICES.get(model, Decimal(0)))


class _Session:
    """The replicate client plus what it does not expose: the Retry-After of the last
    answer, per thread (the client is shared by the storyboard's threads)."""

    def __init__(self) -> None:
        # The replicate client (and NumPy with it) loads with the first session: a site
        # without a token, or a process that asks for no picture, never imports it.
        import replicate

        self._local = threading.local()
        self.client = replicate.Client(
            api_token=settings.REPLICATE_API_TOKEN,
            base_url=settings.REPLICATE_BASE_URL or None,
            event_hooks={"response": [self._remember]},
        )
        # Made now, not lazily by whichever thread asks first (the client's lazy property is not locked).
        self.client._client  # noqa: B018, SLF001

    def _remember(self, response: httpx.Response) -> None:
        self._local.retry_after = response.headers.get("retry-after")

    def retry_after_s(self) -> float | None:
        raw = getattr(self._local, "retry_after", None)
        try:
            return min(max(float(raw), 0.0), RETRY_AFTER_CAP_S) if raw is not None else None
        except ValueError:
            return None

    def close(self) -> None:
        try:
            self.client._client.close()  # noqa: SLF001 - the client has no public close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


class _Predictor:
    """Runs one model's predictions to a downloaded, validated output file."""

    def __init__(self, *, model: str, job_id: int | None, stop: threading.Event) -> None:
        self.model = model
        self.job_id = job_id
        self.stop = stop
        self.session = _Session()

    # -- one output, several attempts ----------------------------------------------------

    def run(
        self,
        *,
        input: dict[str, Any],
        out_dir: Path,
        stem: str,
        validate: Callable[[Path], Any],
        what: str,
    ) -> tuple[Path, Any, str]:
        """(path, what validate returned, prediction id) of the first attempt that works."""
        problems: list[str] = []
        for attempt in range(1, settings.REPLICATE_ATTEMPTS + 1):
            if self.stop.is_set():
                raise GenerationError("Stopped before Replicate finished.")
            try:
                return self._attempt(input=input, out_dir=out_dir, stem=stem, validate=validate, attempt=attempt)
            except _AttemptFailed as exc:
                logger.info("replicate %s attempt %s failed: %s", self.model, attempt, exc)
                _count_error("failed_attempt")
                problems.append(str(exc))
        tries = settings.REPLICATE_ATTEMPTS
        raise GenerationError(
            f"Replicate could not make the {what} ({tries} {'try' if tries == 1 else 'tries'}; last: {problems[-1]})."
        )

    def _attempt(
        self, *, input: dict[str, Any], out_dir: Path, stem: str, validate: Callable[[Path], Any], attempt: int
    ) -> tuple[Path, Any, str]:
        prediction_id, status = self._create(input)
        row, _ = ReplicatePrediction.objects.get_or_create(
            prediction_id=prediction_id,
            defaults={"model": self.model, "job_id": self.job_id, "attempt": attempt, "status": status},
        )
        if row.job_id is None and self.job_id is not None:
            # The webhook got here first and made the row.
            ReplicatePrediction.objects.filter(pk=row.pk).update(job_id=self.job_id, attempt=attempt)
        row = self._wait(row)
        if row.status != Status.SUCCEEDED:
            raise _AttemptFailed(_ended(row))
        path = out_dir / f"{stem}-{prediction_id}"
        try:
            self._download(row.output_url, path)
            checked = validate(path)
        except _AttemptFailed as exc:
            path.unlink(missing_ok=True)
            ReplicatePrediction.objects.filter(pk=row.pk).update(status=Status.REFUSED, error=str(exc)[:2000])
            raise
        return path, checked, row.prediction_id

    # -- a text output (language models) -------------------------------------------------

    def run_text(self, *, input: dict[str, Any]) -> tuple[str, str]:
        """(text, prediction id) of the first attempt whose output is some text. A
        language model's output is a list of text pieces (its token stream), read in
        full from the prediction once it has succeeded (the webhook row keeps only a URL)."""
        from replicate.exceptions import ReplicateError

        problems: list[str] = []
        for attempt in range(1, settings.REPLICATE_ATTEMPTS + 1):
            if self.stop.is_set():
                raise GenerationError("Stopped before Replicate finished.")
            try:
                prediction_id, status = self._create(input)
                row, _ = ReplicatePrediction.objects.get_or_create(
                    prediction_id=prediction_id,
                    defaults={"model": self.model, "job_id": self.job_id, "attempt": attempt, "status": status},
                )
                row = self._wait(row)
                if row.status != Status.SUCCEEDED:
                    raise _AttemptFailed(_ended(row))
                try:
                    output = self.session.client.predictions.get(prediction_id).output
                except (ReplicateError, httpx.TransportError) as exc:
                    raise _AttemptFailed(f"its output could not be read ({type(exc).__name__})") from exc
                if isinstance(output, str):
                    text = output
                elif isinstance(output, (list, tuple)) and all(isinstance(piece, str) for piece in output):
                    text = "".join(output)
                else:
                    text = ""
                if not text.strip():
                    ReplicatePrediction.objects.filter(pk=row.pk).update(status=Status.REFUSED, error="no text")
                    raise _AttemptFailed("its output has no text in it")
                return text, prediction_id
            except _AttemptFailed as exc:
                logger.info("replicate %s attempt %s failed: %s", self.model, attempt, exc)
                _count_error("failed_attempt")
                problems.append(str(exc))
        tries = settings.REPLICATE_ATTEMPTS
        raise GenerationError(
            f"Replicate could not write the text ({tries} {'try' if tries == 1 else 'tries'}; last: {problems[-1]})."
        )

    # -- creating, with backoff ---------------------------------------------------------

    def _create(self, input: dict[str, Any]) -> tuple[str, str]:
        from replicate.exceptions import ReplicateError

        params: dict[str, Any] = {}
        webhook = replicate_webhook_url()
        if webhook:
            params = {"webhook": webhook, "webhook_events_filter": ["completed"]}
        retries = settings.REPLICATE_CREATE_RETRIES
        for retry in range(retries + 1):
            if self.stop.is_set():
                raise GenerationError("Stopped before Replicate finished.")
            try:
                prediction = self.session.client.models.predictions.create(model=self.model, input=input, **params)
            except ReplicateError as exc:
                status = exc.status or 0
                _count_error("rate_limited" if status == 429 else "server_error" if status >= 500 else "refused")
                if status != 429 and status < 500:
                    raise _AttemptFailed(
                        f"Replicate refused the request ({status}: {exc.detail or exc.title})"
                    ) from exc
                reason = f"Replicate answered {status}"
            except httpx.TransportError as exc:
                _count_error("connection")
                reason = f"Replicate could not be reached ({type(exc).__name__})"
            else:
                return prediction.id, prediction.status
            if retry == retries:
                raise _AttemptFailed(f"{reason}, {retries + 1} times")
            self._sleep(self._backoff_s(retry))
        raise AssertionError("unreachable")

    def _backoff_s(self, retry: int) -> float:
        told = self.session.retry_after_s()
        if told is not None:
            return told
        base = settings.REPLICATE_BACKOFF_MS / 1000 * 2**retry
        return min(base * random.uniform(0.9, 1.1), BACKOFF_CAP_S)  # noqa: S311 - jitter, not security

    def _sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise GenerationError("Stopped before Replicate finished.")

    # -- waiting: webhook or poll, under our deadline --------------------------------------

    def _wait(self, row: ReplicatePrediction) -> ReplicatePrediction:
        timeout = settings.REPLICATE_PREDICTION_TIMEOUT_SECONDS
        deadline = time.monotonic() + timeout
        poll_every = settings.REPLICATE_POLL_INTERVAL_MS / 1000
        next_poll = time.monotonic() + poll_every
        # The webhook writes the row: look at it often, it is a cheap local query.
        look_every = min(poll_every, 0.25)
        while True:
            row.refresh_from_db(fields=["status", "output_url", "error"])
            if row.status in FINISHED:
                return row
            if row.status not in ReplicatePrediction.PENDING:
                raise _AttemptFailed(f"the prediction ended as {row.status}")
            now = time.monotonic()
            if self.stop.is_set():
                self._cancel(row, Status.CANCELED, "stopped")
                raise GenerationError("Stopped before Replicate finished.")
            if now >= deadline:
                self._cancel(row, Status.TIMED_OUT, f"no answer within {timeout} s")
                raise _AttemptFailed(f"it did not finish within {timeout} s and was canceled")
            if now >= next_poll:
                self._poll(row)
                next_poll = time.monotonic() + poll_every
                continue
            self.stop.wait(min(look_every, max(next_poll - now, 0.0), max(deadline - now, 0.0)))

    def _poll(self, row: ReplicatePrediction) -> None:
        from replicate.exceptions import ReplicateError

        try:
            prediction = self.session.client.predictions.get(row.prediction_id)
        except ReplicateError as exc:
            logger.info("polling %s: %s", row.prediction_id, exc)
            return
        except httpx.TransportError as exc:
            logger.info("polling %s: %s", row.prediction_id, exc)
            return
        except ValueError as exc:
            # The client cannot represent every status the service has ("aborted"):
            # its model refuses the prediction. Read the status from the refusal.
            status = _status_from_refusal(exc)
            if status in FINISHED:
                prediction_record_outcome(prediction_id=row.prediction_id, status=status, output=None, error=status)
            return
        if prediction.status in FINISHED:
            prediction_record_outcome(
                prediction_id=row.prediction_id,
                status=prediction.status,
                output=prediction.output,
                error=prediction.error or "",
            )

    def _cancel(self, row: ReplicatePrediction, status: str, reason: str) -> None:
        ReplicatePrediction.objects.filter(pk=row.pk, status__in=ReplicatePrediction.PENDING).update(
            status=status, error=reason, completed_at=timezone.now()
        )
        try:
            self.session.client.predictions.cancel(row.prediction_id)
        except Exception as exc:  # noqa: BLE001 - a prediction we give up on may already be gone
            logger.info("canceling %s: %s", row.prediction_id, exc)

    # -- the output ---------------------------------------------------------------------

    def _download(self, url: str, path: Path) -> None:
        if not url.startswith(("https://", "http://")):
            raise _AttemptFailed("its output is not a web address")
        size = 0
        try:
            # Every redirect hop is checked (core.public_fetch); only the Replicate origin the
            # operator configured (a local stand-in) is trusted as it is.
            trusted = [settings.REPLICATE_BASE_URL] if settings.REPLICATE_BASE_URL else []
            with open_public_stream(url, timeout=DOWNLOAD_TIMEOUT_S, trusted_origins=trusted) as response:
                if response.status_code != 200:
                    raise _AttemptFailed(f"its output could not be downloaded ({response.status_code})")
                with open(path, "wb") as out:
                    for chunk in response.iter_bytes(256 * 1024):
                        size += len(chunk)
                        if size > OUTPUT_MAX_BYTES:
                            raise _AttemptFailed("its output is larger than expected")
                        out.write(chunk)
        except RefusedAddress as exc:
            raise _AttemptFailed(f"its output could not be downloaded: {exc}") from exc
        except httpx.HTTPError as exc:
            raise _AttemptFailed(f"its output could not be downloaded ({type(exc).__name__})") from exc

    def close(self) -> None:
        self.session.close()


def _count_error(kind: str) -> None:
    """One error from Replicate, for /metrics (contentizer_provider_errors_total)."""
    metric_count("contentizer_provider_errors", {"provider": "replicate", "kind": kind})


def _ended(row: ReplicatePrediction) -> str:
    detail = f": {row.error}" if row.error and row.error != row.status else ""
    return f"the prediction {row.status}{detail}"[:500]


def _status_from_refusal(exc: Exception) -> str | None:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return None
    for error in errors():
        if tuple(error.get("loc") or ()) == ("status",):
            given = (error.get("ctx") or {}).get("given")
            return str(given) if given is not None else None
    return None


def _first_url(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, (list, tuple)) and output and isinstance(output[0], str):
        return output[0]
    return ""


def prediction_record_outcome(*, prediction_id: str, status: str, output: Any, error: str, model: str = "") -> bool:
    """Write how a prediction ended on its row (made if the webhook is first). Only a
    pending row changes: a prediction already handled (stored, timed out) stays as is.
    True when something changed."""
    if status not in {s.value for s in Status} or status not in FINISHED:
        return False
    fields = {
        "status": status,
        "output_url": _first_url(output)[:1000] if status == Status.SUCCEEDED else "",
        "error": (error or "")[:2000],
        "completed_at": timezone.now(),
    }
    with transaction.atomic():
        row, created = ReplicatePrediction.objects.get_or_create(
            prediction_id=prediction_id, defaults={"model": model[:200], **fields}
        )
        if created:
            return True
        return bool(
            ReplicatePrediction.objects.filter(pk=row.pk, status__in=ReplicatePrediction.PENDING).update(**fields)
        )


# --- pictures -----------------------------------------------------------------------------


def _validate_picture(path: Path) -> tuple[int, int, str]:
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in PICTURE_FORMATS or width * height > PICTURE_MAX_PIXELS:
                    raise _AttemptFailed(f"its output is not a usable picture ({fmt} {width}x{height})")
                image.verify()
            with Image.open(path) as image:
                image.load()
    except _AttemptFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise _AttemptFailed("its output is not a picture") from exc
    return width, height, PICTURE_FORMATS[fmt]


class ReplicatePictureProvider:
    """Scene pictures from a Replicate text-to-image model (flux-schnell by default) at
    the video's aspect ratio. Thread-safe: the storyboard calls `generate` from several
    threads at once (`parallelism`)."""

    def __init__(self, *, aspect_ratio: str, job_id: int | None = None, stop: threading.Event | None = None) -> None:
        self.model = settings.REPLICATE_PICTURE_MODEL
        self.name = f"replicate:{self.model}"[:100]
        self.aspect_ratio = aspect_ratio if aspect_ratio in FLUX_ASPECT_RATIOS else "1:1"
        self.parallelism = settings.REPLICATE_PARALLELISM
        self.stop = stop or threading.Event()
        self._predictor = _Predictor(model=self.model, job_id=job_id, stop=self.stop)

    def price_per_picture(self) -> Decimal:
        return replicate_price(self.model)

    def generate(self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path) -> GeneratedPicture:
        prompt = " ".join(prompt.split())
        if not prompt:
            raise GenerationError("There is no prompt to draw.")
        input = {
            "prompt": prompt[:2000],
            "aspect_ratio": self.aspect_ratio,
            "num_outputs": 1,
            "seed": seed,
            "output_format": "webp",
            "output_quality": 90,
            "go_fast": True,
            "megapixels": "1",
        }
        path, (w, h, mime), prediction_id = self._predictor.run(
            input=input, out_dir=Path(out_dir), stem="replicate-picture", validate=_validate_picture, what="picture"
        )
        final = path.with_suffix({"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}[mime])
        path.rename(final)
        cost = self.price_per_picture()
        ReplicatePrediction.objects.filter(prediction_id=prediction_id).update(status=Status.STORED, cost_usd=cost)
        return GeneratedPicture(path=final, width=w, height=h, mime=mime, cost_usd=cost)

    def close(self) -> None:
        self._predictor.close()


# --- narration ----------------------------------------------------------------------------


def _validate_audio(path: Path) -> tuple[int, str]:

    with open(path, "rb") as fh:
        family = sniff_media(fh.read(64))
    mime = {"wav": "audio/wav", "mp3": "audio/mpeg", "isobmff": "audio/mp4"}.get(family or "")
    if mime is None:
        raise _AttemptFailed("its output is not a sound file")
    try:
        info = probe(path, timeout_s=30.0)
    except (ProbeError, FFmpegError, FFmpegTimeout) as exc:
        raise _AttemptFailed("its output is not a readable sound file") from exc
    duration = info.duration_ms or (info.audio.duration_ms if info.audio else None)
    if info.audio is None or not duration or duration < 100:
        raise _AttemptFailed("its output has no speech in it")
    return duration, mime


class ReplicateNarrationProvider:
    """Narration from a Replicate text-to-speech model (REPLICATE_TTS_MODEL), priced per
    second of speech."""

    def __init__(self, *, job_id: int | None = None, stop: threading.Event | None = None) -> None:
        self.model = settings.REPLICATE_TTS_MODEL
        self.name = f"replicate:{self.model}"[:100]
        self.stop = stop or threading.Event()
        self._predictor = _Predictor(model=self.model, job_id=job_id, stop=self.stop)

    def price_per_second(self) -> Decimal:
        return replicate_price(self.model)

    def synthesize(self, *, text: str, voice: str, rate_wpm: int, out_dir: Path) -> GeneratedAudio:
        text = " ".join(text.split())
        if not text:
            raise GenerationError("There is no text to narrate.")
        input: dict[str, Any] = {"text": text[:5000], "speed": round(max(0.5, min(2.0, rate_wpm / 165)), 2)}
        if settings.REPLICATE_TTS_VOICE:
            input["voice"] = settings.REPLICATE_TTS_VOICE
        path, (duration_ms, mime), prediction_id = self._predictor.run(
            input=input, out_dir=Path(out_dir), stem="replicate-narration", validate=_validate_audio, what="narration"
        )
        final = path.with_suffix({"audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/mp4": ".m4a"}[mime])
        path.rename(final)
        cost = (self.price_per_second() * Decimal(duration_ms) / Decimal(1000)).quantize(Decimal("0.0001"))
        ReplicatePrediction.objects.filter(prediction_id=prediction_id).update(status=Status.STORED, cost_usd=cost)
        return GeneratedAudio(path=final, duration_ms=duration_ms, mime=mime, cost_usd=cost)

    def close(self) -> None:
        self._predictor.close()


# --- webhooks -------------------------------------------------------------------------------


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def replicate_webhook_receive(*, headers: Mapping[str, str], body: bytes) -> str:
    """Check and apply one webhook from Replicate. Returns "processed" or "duplicate";
    raises WebhookRefused (400 malformed, 403 bad signature or stale timestamp, 503 not
    configured) and then changes nothing.

    Idempotent by `webhook-id`: Replicate sends a retried webhook with the same id, and
    it is applied once."""
    import json

    import replicate
    from replicate.webhook import (
        InvalidSignatureError,
        InvalidTimestampError,
        MissingWebhookBodyError,
        MissingWebhookHeaderError,
        WebhookSigningSecret,
        WebhookValidationError,
    )

    secret = settings.REPLICATE_WEBHOOK_SECRET
    if not secret:
        raise WebhookRefused(503, "Replicate webhooks are not configured on this site.")
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookRefused(400, "The body is not UTF-8.") from exc
    try:
        replicate.webhooks.validate(
            headers=lowered,
            body=text,
            secret=WebhookSigningSecret(key=secret),
            tolerance=settings.REPLICATE_WEBHOOK_TOLERANCE_SECONDS,
        )
    except (MissingWebhookHeaderError, MissingWebhookBodyError) as exc:
        raise WebhookRefused(400, str(exc)) from exc
    except (InvalidSignatureError, InvalidTimestampError) as exc:
        raise WebhookRefused(403, str(exc)) from exc
    except (WebhookValidationError, ValueError) as exc:  # malformed signature or timestamp
        raise WebhookRefused(400, f"Malformed webhook headers ({exc}).") from exc
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WebhookRefused(400, "The body is not JSON.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        raise WebhookRefused(400, "The body is not a prediction.")
    webhook_id = lowered["webhook-id"][:100]
    status = str(payload.get("status") or "")
    with transaction.atomic():
        _, created = ReplicateWebhookEvent.objects.get_or_create(
            webhook_id=webhook_id, defaults={"prediction_id": payload["id"][:100], "status": status[:20]}
        )
        if not created:
            return "duplicate"
        prediction_record_outcome(
            prediction_id=payload["id"][:100],
            status=status,
            output=payload.get("output"),
            error=str(payload.get("error") or ""),
            model=str(payload.get("model") or ""),
        )
    return "processed"


# --- text ------------------------------------------------------------------------------------


def replicate_text(*, model: str, input: dict[str, Any], job_id: int | None = None) -> tuple[str, Decimal]:
    """Run a Replicate language model to its whole text; (text, cost in USD)."""
    predictor = _Predictor(model=model, job_id=job_id, stop=threading.Event())
    try:
        text, prediction_id = predictor.run_text(input=input)
    finally:
        predictor.close()
    cost = replicate_price(model)
    ReplicatePrediction.objects.filter(prediction_id=prediction_id).update(status=Status.STORED, cost_usd=cost)
    return text, cost
