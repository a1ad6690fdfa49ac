"""Stored files no row references: what `manage.py storage_sweep` lists and deletes.

Referenced = the value of every FileField of every installed model, plus the staged
outputs of jobs still running under the claim they were staged with (and any staged
record younger than the grace period). Files under a kept prefix (caches such as voice
samples) and files younger than CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS (an upload or a
save in flight) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from core.storage import storage_delete_quietly, storage_kept_prefixes, storage_walk
from jobs.models import StagedFile
from jobs.services import jobs_sweep_staged


@dataclass
class SweepReport:
    unreferenced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    staged_removed: int = 0


def storage_referenced_names() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField) and f.concrete and not f.many_to_many:
                names.update(
                    n for n in model._default_manager.exclude(**{f.name: ""}).values_list(f.name, flat=True) if n
                )
    return names


def storage_sweep(*, delete: bool = False, now=None) -> SweepReport:
    now = now or timezone.now()
    grace = timedelta(seconds=settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS)
    report = SweepReport()
    if delete:
        # Staged outputs of lost workers first (they have records, so they go with them).
        report.staged_removed = jobs_sweep_staged(now=now)
    referenced = storage_referenced_names()
    referenced.update(StagedFile.objects.values_list("name", flat=True))
    kept = storage_kept_prefixes()
    for name in storage_walk():
        if name in referenced or name.startswith(kept):
            continue
        try:
            modified = default_storage.get_modified_time(name)
        except (OSError, NotImplementedError):
            modified = None
        if modified is not None and now - modified < grace:
            continue
        report.unreferenced.append(name)
    if delete:
        for name in report.unreferenced:
            storage_delete_quietly(name)
            report.deleted.append(name)
    return report
