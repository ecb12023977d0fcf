"""gongjiang restore /backup/gongjiang-2026-12-07.tar.gz — into an empty database, with the same keys."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and uploads directory, then verify rows, files and the audit chain"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **opts):
        if not archive.is_file():
            raise CommandError(f"no backup at {archive}")
        try:
            summary = restore(archive)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"restored and verified: {summary['rows']} rows in {summary['models']} tables, "
                          f"{summary['files']} files, audit chain intact ({summary['audit_entries']} entries)")
