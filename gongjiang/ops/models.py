from django.db import models


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life: `gongjiang db_worker` refreshes `seen_at` every few
    seconds from a thread of its own. A task claimed by a worker whose heartbeat is older than the
    lease is the task of a dead worker, and is handed back to the queue (gongjiang.ops.workers)."""

    worker_id = models.CharField("工作进程", max_length=64, unique=True)
    host = models.CharField("主机", max_length=200, blank=True)
    pid = models.PositiveIntegerField("进程号", default=0)
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台工作进程"
        verbose_name_plural = "后台工作进程"

    def __str__(self):
        return f"后台工作进程 {self.worker_id}"
