"""Enqueueing background tasks as part of the transaction that makes them necessary."""
from django.db import transaction


def enqueue_in_transaction(task, *args, **kwargs):
    """With the database queue (production) the task row is written in the current transaction, so
    the work and its tasks commit together or not at all; with the inline backend (development,
    tests) the task runs once the transaction commits."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
