"""Background workers that die lose nothing: the tasks they had claimed go back to the queue once
their heartbeat is older than the lease (gongjiang.ops.workers), and after MAX_ATTEMPTS dead
workers a task is failed instead of killing workers for ever."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from gongjiang.audit.labels import action_label
from gongjiang.audit.models import AuditEntry
from gongjiang.ops import workers
from gongjiang.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def claimed(worker_ids, *, seconds_ago=120):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [1], "kwargs": {}}, backend_name="default",
        task_path="gongjiang.registry.tasks.screening_shard_task", worker_ids=worker_ids, run_after=get_date_max(),
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def seen(worker_id, seconds_ago):
    workers.beat(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_task_of_a_dead_worker_goes_back_to_the_queue_once():
    seen("dead", 300)
    seen("alive", 1)
    lost, kept = claimed(["dead"]), claimed(["alive"])
    fresh = claimed(["dead"], seconds_ago=5)  # claimed within the lease: not judged yet
    assert [t.pk for t in workers.reclaim_dead_tasks(lease=60, by="alive")] == [lost.pk]
    assert workers.reclaim_dead_tasks(lease=60, by="alive") == []  # reclaimed once
    lost.refresh_from_db(), kept.refresh_from_db(), fresh.refresh_from_db()
    assert lost.status == TaskResultStatus.READY and lost.worker_ids == ["dead"] and lost.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()
    assert kept.status == fresh.status == TaskResultStatus.RUNNING
    entry = AuditEntry.objects.get(action="ops.task.reclaim")
    assert entry.after["lost_worker"] == "dead" and entry.after["reclaimed_by"] == "alive"
    assert action_label("ops.task.reclaim") == "后台任务重新排队（工作进程中断）"


def test_worker_without_any_heartbeat_counts_as_dead_after_the_lease():
    task = claimed(["never-beat"])
    call_command("tasks", "reclaim", "--lease", "60")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_task_that_lost_its_worker_max_attempts_times_is_failed():
    seen("w3", 300)
    task = claimed(["w1", "w2", "w3"])
    workers.reclaim_dead_tasks(lease=60)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == "gongjiang.ops.workers.WorkerLost"
    assert action_label(AuditEntry.objects.get(action="ops.task.abandon").action) == "后台任务失败（工作进程多次中断）"


def test_heartbeat_thread_tick_beats_and_reclaims():
    seen("dead", 300)
    task = claimed(["dead"])
    hb = workers.Heartbeat("w-new", lease=30)
    hb.tick()
    assert WorkerHeartbeat.objects.get(worker_id="w-new").seen_at > timezone.now() - dt.timedelta(seconds=5)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_db_worker_command_is_the_one_with_a_heartbeat():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "gongjiang.ops"
