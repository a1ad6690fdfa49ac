"""Restore an archive written by `manage.py backup` into an empty database and empty storage
(the site's settings say which); anything else is refused before a single write."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_check, backup_restore
from core.management.commands.backup import format_counts


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty storage (--check: only verify it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="An archive written by `manage.py backup`")
        parser.add_argument("--check", action="store_true", help="Verify every member of the archive; restore nothing")

    def handle(self, *args, **opts) -> None:
        started = time.monotonic()
        try:
            if opts["check"]:
                manifest = backup_check(path=opts["archive"])
                self.stdout.write(
                    f"{opts['archive']} is whole ({manifest['database']['engine']}, {manifest['created']}): "
                    + format_counts(manifest["rows"], len(manifest["files"]))
                )
                return
            report = backup_restore(path=opts["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored ({report.engine}): {format_counts(report.rows, report.files)}")
        for label, (expected, found) in report.mismatched.items():
            self.stderr.write(f"{label}: {expected} rows in the backup, {found} restored")
        if report.mismatched:
            raise CommandError("The restored database does not hold every row of the backup.")
        self.stdout.write(
            f"Done in {time.monotonic() - started:.1f} s. Run `manage.py migrate` and `manage.py bootstrap` next "
            "(both no-ops for a backup of this version)."
        )
