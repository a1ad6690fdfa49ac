from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"

    def ready(self) -> None:
        from jobs.status_cache import connect_status_signals

        connect_status_signals()

        # A worker process that starts (first start, or respawned after one died) removes
        # the temp dirs killed workers left behind; the minute reaper does it too.
        from django_q.signals import post_spawn

        post_spawn.connect(_sweep_on_worker_start, dispatch_uid="jobs-sweep-on-worker-start")


def _sweep_on_worker_start(sender=None, **kwargs) -> None:
    import logging

    from jobs.services import jobs_sweep_tempdirs

    try:
        removed = jobs_sweep_tempdirs()
        if removed:
            logging.getLogger("jobs").info("worker start: removed %s leftover job temp dirs", removed)
    except Exception:  # noqa: BLE001 - a failed sweep must never stop a worker starting
        logging.getLogger("jobs").warning("worker start: temp dir sweep failed", exc_info=True)
