from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gongjiang.core.caching import private_page

from . import home as home_framing
from . import inbox


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
@private_page
def home(request):
    from gongjiang.applications.inbox import my_applications

    return render(request, "web/home.html", {"items": inbox.items_for(request.user),
                                             "messages_list": inbox.messages_for(request.user),
                                             "done": inbox.done_for(request.user),
                                             "my_applications": my_applications(request.user),
                                             **home_framing.framing(request.user)})


def landing(request):
    """Public entry page: open calls and notices are linked from here by their apps."""
    if request.user.is_authenticated:
        return home(request)
    return render(request, "web/landing.html")


def error_403(request, exception=None):
    reason = str(exception) if exception and str(exception) else "您没有权限访问此页面"
    return render(request, "web/error.html", {"title": "无权访问", "message": reason}, status=403)


def error_404(request, exception=None):
    return render(request, "web/error.html", {"title": "页面不存在", "message": "您访问的页面不存在或无权查看"}, status=404)


def error_500(request):
    return render(request, "web/error.html", {"title": "系统错误", "message": "系统出现错误，已记录，请稍后重试"}, status=500)


def error_400(request, exception=None):
    return render(request, "web/error.html", {"title": "请求有误", "message": "请求格式有误"}, status=400)


def csrf_failure(request, reason=""):
    return render(request, "web/error.html", {"title": "表单已失效", "message": "页面已过期或表单校验失败，请刷新后重试"}, status=403)


def health(request):
    """For the load balancer and monitoring: 200 when the application can reach its database."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # the monitor needs a status, not a traceback
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
