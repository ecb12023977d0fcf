"""Background tasks (django-tasks): inline in development and tests, db_worker in production."""
from django_tasks import task


@task()
def check_import_task(batch_id: int):
    from .models import ImportBatch
    from .services import run_import_check

    run_import_check(ImportBatch.objects.get(pk=batch_id))


@task()
def screening_task(run_id: int):
    """Split a screening run into its shards (one per jurisdiction), each enqueued as a task."""
    from .screening import plan_shards

    plan_shards(run_id, enqueue=True)


@task(takes_context=True)
def screening_shard_task(context, shard_id: int):
    from .screening import run_shard

    worker_ids = context.task_result.worker_ids
    run_shard(shard_id, worker=worker_ids[-1] if worker_ids else "")
