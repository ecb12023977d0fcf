from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Someone logged in with a password an administrator set must choose their own before doing
    anything else: every page except password change, logout and static files redirects there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.password_change_required:
            allowed = {reverse("accounts:password_change"), reverse("web:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "须先修改密码", "code": "password_change_required"}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)
