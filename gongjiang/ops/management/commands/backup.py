"""gongjiang backup /backup/gongjiang-2026-12-07.tar.gz — database and uploaded files in one archive."""
from pathlib import Path

from django.core.management.base import BaseCommand

from ...backup import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar.gz (with key fingerprints)"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **opts):
        manifest = backup(archive)
        self.stdout.write(f"backup written to {archive}: {sum(manifest['counts'].values())} rows in "
                          f"{len(manifest['counts'])} tables, {len(manifest['files'])} files, "
                          f"audit head #{manifest['audit_head'].get('last_id', 0)}; "
                          f"key fingerprints {manifest['keys']}")
