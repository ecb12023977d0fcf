"""`gongjiang db_worker`: django-tasks-db's worker with a heartbeat, so that the tasks of a worker
that dies are run again by the others (gongjiang.ops.workers)."""
from django_tasks_db.management.commands.db_worker import Command as TasksDbWorker

from gongjiang.ops.workers import DEFAULT_LEASE_SECONDS, Heartbeat


class Command(TasksDbWorker):
    help = "Run a database background worker with a heartbeat; reclaim the tasks of dead workers"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--lease", type=float, default=DEFAULT_LEASE_SECONDS,
                            help="seconds without a heartbeat after which a worker counts as dead and its "
                                 "task is run again (default: %(default)s)")

    def handle(self, *args, lease, worker_id, **options):
        heartbeat = Heartbeat(worker_id, lease=lease)
        heartbeat.tick()  # alive before the first claim
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
