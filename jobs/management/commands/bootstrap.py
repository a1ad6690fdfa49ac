"""Idempotent first-run setup: cache table, the queue's periodic schedules (stale/lost job
reaper and leftover sweep, webhook safety net, and what the apps registered as
jobs.registry.PeriodicTask, e.g. export retention) and, optionally, a demo account. Run
after `migrate`; safe to run on every start."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jobs.registry import periodic_tasks


class Command(BaseCommand):
    help = "Create the cache table, the periodic schedules and (with --demo) a demo account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Create the demo account if it is missing",
        )
        parser.add_argument("--demo-username", default="demo")
        parser.add_argument("--demo-password", default="contentizer-demo")

    def handle(self, *args, **opts) -> None:
        from django_q.models import Schedule

        call_command("createcachetable", verbosity=0)
        Schedule.objects.update_or_create(
            name="reap stale jobs",
            defaults={
                "func": "jobs.tasks.reap_stale_jobs",
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
            },
        )
        Schedule.objects.update_or_create(
            name="send due webhooks",
            defaults={
                "func": "jobs.tasks.send_due_webhooks",
                "schedule_type": Schedule.MINUTES,
                "minutes": 5,
                "repeats": -1,
            },
        )
        for task in periodic_tasks():
            Schedule.objects.update_or_create(
                name=task.name,
                defaults={
                    "func": task.func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": task.minutes,
                    "repeats": -1,
                },
            )
        if opts["demo"]:
            User = get_user_model()
            user, created = User.objects.get_or_create(username=opts["demo_username"])
            if created:
                user.set_password(opts["demo_password"])
                user.save(update_fields=["password"])
                self.stdout.write(f"Demo account: {opts['demo_username']} / {opts['demo_password']}")
        self.stdout.write("Bootstrap done.")
