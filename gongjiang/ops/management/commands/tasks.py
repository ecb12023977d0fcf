"""`gongjiang tasks reclaim [--lease S]`: hand the background tasks of dead workers back to the
queue once (every running `gongjiang db_worker` does this by itself on each heartbeat)."""
from django.core.management.base import BaseCommand

from gongjiang.ops.workers import DEFAULT_LEASE_SECONDS, reclaim_dead_tasks


class Command(BaseCommand):
    help = "Background tasks: reclaim the tasks of dead workers"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reclaim"])
        parser.add_argument("--lease", type=float, default=DEFAULT_LEASE_SECONDS)

    def handle(self, *args, action, lease, **options):
        tasks = reclaim_dead_tasks(lease=lease, by="gongjiang tasks reclaim")
        self.stdout.write(f"重新排队或标记失败的后台任务：{len(tasks)} 个")
