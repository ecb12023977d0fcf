"""Test support shared by every app's tests."""
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id as in production, at a cost fit for tests (milliseconds instead of ~0.4 s per hash).
    Used by the autouse fixture in /conftest.py; never in settings.py."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
