"""Per-user quotas: videos per day, rendered minutes per month, storage, concurrent jobs.

Limits: a user's `Quota` row where a field is set, else the site default in `SiteSettings`.
Use is counted from the rows themselves (`QuotaCharge` for videos and render minutes, file
sizes for storage, active `Job` rows for concurrency), so there is no counter to drift.
Storage lives in tables of the apps above (assets, videos): each registers a counter
(`storage_counter_register`, in its AppConfig.ready) and quotas adds them up.

Atomicity: `quota_check` locks the user's `Quota` row (`SELECT ... FOR UPDATE`) and must run
inside the same `transaction.atomic()` that creates the work. A second request from the same
user waits for the first to commit, then counts what it created. On SQLite, where FOR UPDATE
is a no-op, the settings open every transaction with `BEGIN IMMEDIATE`, which serialises
writers for the whole database: the same guarantee, more coarsely.

Refusals raise `QuotaExceeded` (a `Conflict`) with a sentence for the person; the API maps it
to HTTP 429 with code `quota_exceeded` (and `Retry-After` when the limit resets with time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core.errors import QuotaExceeded
from jobs.models import Job
from quotas.models import Quota, QuotaCharge, SiteSettings

MS_PER_MINUTE = 60_000


VIDEOS_PER_DAY = "videos_per_day"
RENDER_MINUTES_PER_MONTH = "render_minutes_per_month"
STORAGE_BYTES = "storage_bytes"
CONCURRENT_JOBS = "concurrent_jobs"
QUOTA_KINDS = (VIDEOS_PER_DAY, RENDER_MINUTES_PER_MONTH, STORAGE_BYTES, CONCURRENT_JOBS)


@dataclass(frozen=True)
class QuotaLimits:
    videos_per_day: int
    render_minutes_per_month: int
    storage_bytes: int
    concurrent_jobs: int


@dataclass(frozen=True)
class QuotaMeter:
    """One quota: use and limit in its unit (`video`, `ms`, `byte`, `job`)."""

    kind: str
    label: str
    unit: str
    used: int
    limit: int
    resets_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        if self.limit <= 0:
            return 100
        return min(100, round(100 * self.used / self.limit))

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit

    @property
    def used_display(self) -> str:
        return _display(self.unit, self.used)

    @property
    def limit_display(self) -> str:
        return _display(self.unit, self.limit)


@dataclass(frozen=True)
class QuotaUsage:
    """A user's use and limits, for pages and the API."""

    videos_today: QuotaMeter
    render_this_month: QuotaMeter
    storage: QuotaMeter
    jobs: QuotaMeter

    @property
    def meters(self) -> tuple[QuotaMeter, ...]:
        return (self.videos_today, self.render_this_month, self.storage, self.jobs)


@dataclass(frozen=True)
class StorageCounter:
    """Bytes of one kind of file per user, counted by the app that owns the table.

    `per_user(user_id)` -> bytes; `by_user()` -> {user_id: bytes} in one grouped query."""

    name: str
    label: str
    per_user: Callable[[int], int]
    by_user: Callable[[], dict[int, int]]


_COUNTERS: dict[str, StorageCounter] = {}


def storage_counter_register(counter: StorageCounter) -> None:
    _COUNTERS[counter.name] = counter


def storage_counters() -> list[StorageCounter]:
    return list(_COUNTERS.values())


def bytes_by_user(queryset, *, user_field: str, size_field: str = "size_bytes") -> dict[int, int]:
    """{user_id: total bytes} in one grouped query (helper for the registered counters)."""
    rows = queryset.values(user_field).annotate(total=Sum(size_field)).order_by()
    return {row[user_field]: int(row["total"]) for row in rows if row["total"]}


@dataclass(frozen=True)
class StorageUse:
    """Bytes a user's files take, by where they come from (one entry per counter)."""

    user_id: int
    parts: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(self.parts.values())


def _display(unit: str, value: int) -> str:
    if unit == "ms":
        return f"{value / MS_PER_MINUTE:.1f} min"
    if unit == "byte":
        return filesizeformat(value)
    return str(value)


def _minutes(ms: int) -> str:
    return f"{ms / MS_PER_MINUTE:.1f}".removesuffix(".0")


# --- windows --------------------------------------------------------------------------


def day_start(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime | None = None) -> datetime:
    return day_start(now).replace(day=1)


def next_month_start(now: datetime | None = None) -> datetime:
    start = month_start(now)
    return (start + timedelta(days=32)).replace(day=1)


# --- limits and use -------------------------------------------------------------------


def quota_limits(*, user, quota: Quota | None = None) -> QuotaLimits:
    """The user's effective limits: their own where set, else the site default."""
    site = SiteSettings.load()
    if quota is None:
        quota = Quota.objects.filter(user=user).first()

    def pick(field: str) -> int:
        own = getattr(quota, field) if quota is not None else None
        return own if own is not None else getattr(site, field)

    return QuotaLimits(
        videos_per_day=pick("videos_per_day"),
        render_minutes_per_month=pick("render_minutes_per_month"),
        storage_bytes=pick("storage_bytes"),
        concurrent_jobs=pick("concurrent_jobs"),
    )


def _videos_since(user, since: datetime) -> int:
    return QuotaCharge.objects.filter(user=user, kind=QuotaCharge.Kind.VIDEO, created_at__gte=since).count()


def _render_ms_since(user, since: datetime) -> int:
    # A render that failed or was canceled does not count; a retried one counts again.
    counted = Q(job__isnull=True) | ~Q(job__status__in=(Job.Status.FAILED, Job.Status.CANCELED))
    total = (
        QuotaCharge.objects.filter(counted, user=user, kind=QuotaCharge.Kind.RENDER, created_at__gte=since)
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return int(total or 0)


def _active_jobs(user) -> int:
    return Job.objects.filter(owner=user, status__in=Job.ACTIVE).count()


def storage_use(*, user) -> StorageUse:
    """Bytes of the user's files, per registered counter (assets, masters, exports)."""
    return StorageUse(user_id=user.pk, parts={c.name: int(c.per_user(user.pk) or 0) for c in storage_counters()})


def storage_use_by_user() -> dict[int, StorageUse]:
    """Everyone's storage use, one grouped query per counter (the admin's storage summary)."""
    rows: dict[int, dict[str, int]] = {}
    counters = storage_counters()
    for counter in counters:
        for user_id, total in counter.by_user().items():
            rows.setdefault(user_id, {})[counter.name] = total
    return {
        user_id: StorageUse(user_id=user_id, parts={c.name: parts.get(c.name, 0) for c in counters})
        for user_id, parts in rows.items()
    }


def quota_usage(*, user) -> QuotaUsage:
    """The user's use and limits now (for the library page, the API and admin)."""
    limits = quota_limits(user=user)
    now = timezone.now()
    return QuotaUsage(
        videos_today=QuotaMeter(
            kind=VIDEOS_PER_DAY,
            label="Videos today",
            unit="video",
            used=_videos_since(user, day_start(now)),
            limit=limits.videos_per_day,
            resets_at=day_start(now) + timedelta(days=1),
        ),
        render_this_month=QuotaMeter(
            kind=RENDER_MINUTES_PER_MONTH,
            label="Rendered this month",
            unit="ms",
            used=_render_ms_since(user, month_start(now)),
            limit=limits.render_minutes_per_month * MS_PER_MINUTE,
            resets_at=next_month_start(now),
        ),
        storage=QuotaMeter(
            kind=STORAGE_BYTES,
            label="Storage",
            unit="byte",
            used=storage_use(user=user).total_bytes,
            limit=limits.storage_bytes,
            resets_at=None,
        ),
        jobs=QuotaMeter(
            kind=CONCURRENT_JOBS,
            label="Jobs running",
            unit="job",
            used=_active_jobs(user),
            limit=limits.concurrent_jobs,
            resets_at=None,
        ),
    )


# --- enforcement ----------------------------------------------------------------------


def _lock(user) -> Quota:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("quota_check must run inside the transaction that creates the work")
    quota, _ = Quota.objects.select_for_update().get_or_create(user=user)
    return quota


def quota_check(
    *,
    user,
    videos: int = 0,
    render_ms: int = 0,
    jobs: int = 0,
    storage_bytes: int | None = None,
) -> None:
    """Refuse (QuotaExceeded) unless the user has room for this much more work.

    Call inside the `transaction.atomic()` that creates the work, before creating it; the
    user's quota row stays locked until that transaction ends. `storage_bytes`: None skips
    the storage check; otherwise the user must be under their limit and the new bytes
    must fit (0 for work that will write files of a size not known yet)."""
    quota = _lock(user)
    limits = quota_limits(user=user, quota=quota)
    now = timezone.now()
    if videos:
        used = _videos_since(user, day_start(now))
        if used + videos > limits.videos_per_day:
            raise QuotaExceeded(
                f"You have made {used} of {limits.videos_per_day} videos today; the limit resets at midnight UTC.",
                kind=VIDEOS_PER_DAY,
                used=used,
                limit=limits.videos_per_day,
                resets_at=day_start(now) + timedelta(days=1),
            )
    if render_ms:
        used = _render_ms_since(user, month_start(now))
        limit_ms = limits.render_minutes_per_month * MS_PER_MINUTE
        if used + render_ms > limit_ms:
            resets = next_month_start(now)
            raise QuotaExceeded(
                f"This render is about {_minutes(render_ms)} minutes and you have rendered "
                f"{_minutes(used)} of {limits.render_minutes_per_month} minutes this month; "
                f"the limit resets on {resets.day} {resets:%B} (UTC).",
                kind=RENDER_MINUTES_PER_MONTH,
                used=used,
                limit=limit_ms,
                resets_at=resets,
            )
    if jobs:
        used = _active_jobs(user)
        if used + jobs > limits.concurrent_jobs:
            raise QuotaExceeded(
                f"You have {used} of {limits.concurrent_jobs} jobs queued or running at once; "
                "wait for one to finish or cancel one.",
                kind=CONCURRENT_JOBS,
                used=used,
                limit=limits.concurrent_jobs,
            )
    if storage_bytes is not None:
        used = storage_use(user=user).total_bytes
        limit = limits.storage_bytes
        if used >= limit or used + storage_bytes > limit:
            if storage_bytes:
                message = (
                    f"This {filesizeformat(storage_bytes)} file does not fit: you are using "
                    f"{filesizeformat(used)} of your {filesizeformat(limit)} of storage. "
                    "Delete videos or files to make room."
                )
            else:
                message = (
                    f"Your storage is full: you are using {filesizeformat(used)} of your "
                    f"{filesizeformat(limit)}. Delete videos or files to make room."
                )
            raise QuotaExceeded(message, kind=STORAGE_BYTES, used=used, limit=limit)


def quota_check_storage(*, user, extra_bytes: int) -> None:
    """For uploads: refuse unless `extra_bytes` more fit in the user's storage. Call inside
    the `transaction.atomic()` that creates the MediaAsset row, so two uploads racing for
    the last megabytes cannot both pass."""
    quota_check(user=user, storage_bytes=max(int(extra_bytes), 0))


def quota_record_video(*, user, video) -> QuotaCharge:
    return QuotaCharge.objects.create(user=user, kind=QuotaCharge.Kind.VIDEO, amount=1, video=video)


def quota_record_render(*, user, video, job: Job, render_ms: int) -> QuotaCharge:
    return QuotaCharge.objects.create(user=user, kind=QuotaCharge.Kind.RENDER, amount=render_ms, video=video, job=job)
