"""Background tasks (django-tasks): inline in development and tests, db_worker in production."""
from django_tasks import task


@task()
def check_import_task(batch_id: int):
    from .models import ImportBatch
    from .services import run_import_check

    run_import_check(ImportBatch.objects.get(pk=batch_id))


@task()
def screening_task(run_id: int):
    from .screening import run_screening

    run_screening(run_id)
