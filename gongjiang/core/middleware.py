import logging

from django.shortcuts import render

from .errors import DomainError

log = logging.getLogger("gongjiang")


class DomainErrorMiddleware:
    """A DomainError that escapes a view becomes a Chinese error page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            log.warning("%s %s: %s", request.method, request.path, exception.log)
            return render(request, "web/error.html", {"message": exception.message}, status=exception.status)
        return None
