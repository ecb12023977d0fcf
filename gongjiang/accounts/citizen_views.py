"""Pages for citizens' accounts: sign-up, password reset by e-mail link (Django's views with Chinese
pages), and the bureau's counter reset. Sign-up and reset requests are rate-limited per client address."""
from django import forms
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from gongjiang.core.errors import DomainError

from . import citizens
from .network import client_ip
from .permissions import requires

SIGNUP_RATE = "10/h"
RESET_RATE = "5/h"


def _ip(group, request):
    return client_ip(request)


def _limited(request, group, rate):
    return is_ratelimited(request, group=group, key=_ip, rate=rate, method="POST", increment=True)


class SignUpForm(forms.Form):
    name = forms.CharField(label="真实姓名", max_length=60)
    id_number = forms.CharField(label="居民身份证号码", max_length=18, help_text="18位，将作为您的登录账号")
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    email = forms.EmailField(label="电子邮箱", required=False, help_text="手机号码和电子邮箱至少填一项；忘记密码时重置链接发到邮箱")
    password1 = forms.CharField(label="设置密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少10位，不能全是数字，不要与姓名、身份证号码相近")
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致")
        return data


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "signup", SIGNUP_RATE):
            form.add_error(None, "操作过于频繁，请一小时后再试")
        elif form.is_valid():
            d = form.cleaned_data
            try:
                citizens.sign_up(name=d["name"], id_number=d["id_number"], phone=d["phone"], email=d["email"],
                                 password=d["password1"])
                return render(request, "accounts/signup_done.html")
            except DomainError as e:
                form.add_error(e.code if e.code in form.fields else None, e.message)
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Always answers the same, whether or not the address has an account (no enumeration)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if _limited(request, "password_reset", RESET_RATE):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, "操作过于频繁，请一小时后再试")
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class AssistedResetForm(forms.Form):
    id_number = forms.CharField(label="申报人身份证号码", max_length=18)
    reason = forms.CharField(label="核验情况", max_length=200, help_text="如：本人持居民身份证到窗口办理，已核对证件")


@requires("account.assist_reset")
@require_http_methods(["GET", "POST"])
def assisted_reset(request):
    form = AssistedResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = citizens.assisted_reset(id_number=form.cleaned_data["id_number"], actor=request.user,
                                                        reason=form.cleaned_data["reason"])
            return render(request, "accounts/password_issued.html", {"account": account, "password": password,
                                                                     "title": "已为申报人重置密码",
                                                                     "assisted": True})
        except DomainError as e:
            form.add_error(e.code if e.code in form.fields else None, e.message)
    return render(request, "accounts/assisted_reset.html", {"form": form}, status=400 if form.errors else 200)
