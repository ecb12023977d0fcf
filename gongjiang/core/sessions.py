"""The session engine: Django's database sessions, with the one read every signed-in request makes
(the session by its key) in plain SQL instead of through the ORM: the same row, the same expiry
test, a fifth of the CPU time (bench/web.py). The same statement reads the audit log's head, which
a signed-in page served from the cache needs (gongjiang.core.caching.private_page): one round trip
to the database instead of two. Writes, expiry and clean-up are Django's."""
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    # The audit log's head as it was when the session was read (None: not read with it).
    data_version = None

    def _get_session_from_db(self):
        from gongjiang.audit.models import AuditHead

        if not self.session_key:  # never a valid key: no query (Django's lookup finds nothing)
            self._session_key = None
            return None
        connection = connections[router.db_for_read(self.model)]
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, (SELECT last_id FROM {qn(AuditHead._meta.db_table)} WHERE id = 1) "
                f"FROM {qn(self.model._meta.db_table)} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        self.data_version = row[1] or 0
        return self.model(session_key=self.session_key, session_data=row[0])
