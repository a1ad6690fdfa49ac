"""List (and with --delete remove) stored files no row references: leftovers of killed
workers or failed saves. See jobs/storage_sweep.py for what counts as referenced."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from jobs.storage_sweep import storage_sweep


class Command(BaseCommand):
    help = "List stored files that no row references; --delete removes them (and leftover staged records)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Delete the files listed")

    def handle(self, *args, **opts) -> None:
        report = storage_sweep(delete=opts["delete"])
        for name in report.unreferenced:
            self.stdout.write(name)
        if opts["delete"]:
            self.stdout.write(
                f"Deleted {len(report.deleted)} unreferenced files and {report.staged_removed} leftover staged outputs."
            )
        else:
            self.stdout.write(f"{len(report.unreferenced)} unreferenced files (run with --delete to remove them).")
