"""The password backend: Django's ModelBackend, with the read every signed-in request makes (the
user of the session) in plain SQL instead of through the ORM's query building (bench/web.py)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        connection = connections[router.db_for_read(model)]
        sql = f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {model._meta.pk.column} = %s"
        user = next(iter(model._default_manager.raw(sql, [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
