"""Write the database and every stored file to one archive (core/backup.py says what is in
it); `manage.py restore` puts it back into an empty database and empty storage."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_create


def format_counts(rows: dict[str, int], files: int) -> str:
    """`videos.video 3, videos.scene 9, jobs.job 6, ..., files 21`: the models that have rows."""
    shown = [f"{label} {count}" for label, count in rows.items() if count]
    return ", ".join([*shown, f"files {files}"])


class Command(BaseCommand):
    help = "Back up the database and every stored file into a new archive (a .tar file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive to write (must not exist yet)")

    def handle(self, *args, **opts) -> None:
        started = time.monotonic()
        try:
            report = backup_create(path=opts["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up ({report.engine}): {format_counts(report.rows, report.files)}")
        self.stdout.write(
            f"Wrote {report.path} ({report.archive_bytes / 1e6:.1f} MB, stored files {report.file_bytes / 1e6:.1f} MB)"
            f" in {time.monotonic() - started:.1f} s."
        )
