"""The client's address, for login lockout and the login audit.

Behind nginx (GONGJIANG_BEHIND_PROXY=1) every request comes from 127.0.0.1; the client is the
address nginx appended last to X-Forwarded-For ($proxy_add_x_forwarded_for). Entries before it
come from the client and are not trusted.
"""
from django.conf import settings


def client_ip(request, *args) -> str:
    if getattr(settings, "GONGJIANG_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]
