"""Background workers that die mid-task lose nothing.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: if the
worker is killed (SIGKILL, out of memory, the machine lost), the task stays RUNNING for ever. Here
every `gongjiang db_worker` keeps a heartbeat row fresh from a thread of its own (`beat`), and
every worker, on each beat, hands the tasks of workers whose heartbeat is older than the lease back
to the queue (`reclaim_dead_tasks`), where the next free worker runs them again. A task that has
lost its worker `MAX_ATTEMPTS` times is marked failed instead (it is probably what kills them).

Tasks must therefore be safe to run again: they commit their work in transactions that die with
the worker's connection, and store results under unique constraints (the registry screening's
shards resume after their last committed chunk). `gongjiang tasks reclaim` does the same once,
from cron or by hand.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

log = logging.getLogger("gongjiang.ops.workers")

DEFAULT_LEASE_SECONDS = 60
MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the error of a task whose workers died MAX_ATTEMPTS times."""


def beat(worker_id: str, *, started_at: dt.datetime | None = None) -> None:
    from .models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "host": socket.gethostname()[:200], "pid": os.getpid()},
        create_defaults={"seen_at": now, "started_at": started_at or now, "host": socket.gethostname()[:200],
                         "pid": os.getpid()})


def dead_tasks(*, lease: float = DEFAULT_LEASE_SECONDS, now: dt.datetime | None = None):
    """RUNNING tasks whose (last) worker has not been seen for `lease` seconds, and that were
    claimed longer than `lease` seconds ago."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=lease)
    running = list(DBTaskResult.objects.running().filter(started_at__lt=cutoff)
                   .only("id", "worker_ids", "started_at", "task_path"))
    workers = {w[-1] for w in (t.worker_ids for t in running) if w}
    alive = set(WorkerHeartbeat.objects.filter(worker_id__in=workers, seen_at__gte=cutoff)
                .values_list("worker_id", flat=True))
    return [t for t in running if not t.worker_ids or t.worker_ids[-1] not in alive]


def reclaim_dead_tasks(*, lease: float = DEFAULT_LEASE_SECONDS, by: str = "", now: dt.datetime | None = None) -> list:
    """Hand the tasks of dead workers back to the queue (or fail them after MAX_ATTEMPTS claims).
    Each task is re-checked under a row lock, so two workers reclaiming at once reclaim it once."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from gongjiang.audit.services import record

    reclaimed = []
    for candidate in dead_tasks(lease=lease, now=now):
        with transaction.atomic():
            task = (DBTaskResult.objects.select_for_update(skip_locked=True)
                    .filter(pk=candidate.pk, status=TaskResultStatus.RUNNING).first())
            if task is None or task.worker_ids != candidate.worker_ids:
                continue
            lost = task.worker_ids[-1] if task.worker_ids else ""
            name = task.task_path.rsplit(".", 1)[-1]
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.status, task.finished_at = TaskResultStatus.FAILED, timezone.now()
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = f"WorkerLost: the workers {', '.join(task.worker_ids)} died while running this task"
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                action, reason = "ops.task.abandon", f"后台任务的工作进程已连续{len(task.worker_ids)}次中断，任务标记为失败"
            else:
                task.status, task.started_at = TaskResultStatus.READY, None
                task.save(update_fields=["status", "started_at"])
                action, reason = "ops.task.reclaim", "后台任务的工作进程已中断，任务重新排队，由其他工作进程重试"
            record(action, object_id=str(task.pk), object_repr="后台任务",
                   after={"task": name, "lost_worker": lost, "reclaimed_by": by, "attempts": len(task.worker_ids)},
                   reason=reason)
            log.warning("task %s (%s) of dead worker %s: %s", task.pk, name, lost,
                        "failed" if action == "ops.task.abandon" else "queued again")
            reclaimed.append(task)
    return reclaimed


class Heartbeat(threading.Thread):
    """The worker's heartbeat thread: beat, then reclaim the tasks of dead workers, every
    `lease / 4` seconds, on its own database connection, while the worker runs its tasks."""

    def __init__(self, worker_id: str, *, lease: float = DEFAULT_LEASE_SECONDS):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.lease = worker_id, lease
        self.stopping = threading.Event()
        self.started_at = timezone.now()

    def tick(self):
        beat(self.worker_id, started_at=self.started_at)
        reclaim_dead_tasks(lease=self.lease, by=self.worker_id)

    def run(self):
        while not self.stopping.is_set():
            try:
                close_old_connections()
                self.tick()
            except Exception:  # the database may be away for a while: keep trying
                log.exception("heartbeat of worker %s failed", self.worker_id)
            self.stopping.wait(max(self.lease / 4, 0.2))
        connection.close()

    def stop(self):
        self.stopping.set()
