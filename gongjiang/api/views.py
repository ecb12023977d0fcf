"""The system administrator's page for API tokens: list, create (the key is shown once), revoke."""
from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import visible_organisations
from gongjiang.core.errors import DomainError
from gongjiang.core.listing import paginate

from . import tokens
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label="用途（对接系统名称）", max_length=100)
    role = forms.ChoiceField(label="角色", choices=[(r.value, r.label) for r in tokens.TOKEN_ROLES])
    organisation = forms.ModelChoiceField(label="所属组织", queryset=None)
    expires_on = forms.DateField(label="有效期至（可留空）", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_organisations(user).filter(is_active=True).order_by("path")


class RevokeForm(forms.Form):
    reason = forms.CharField(label="吊销理由", max_length=500)


@requires("api.token.manage")
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    created_key = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token, created_key = tokens.create_token(name=d["name"], role=d["role"], organisation=d["organisation"],
                                                     expires_on=d["expires_on"], actor=request.user)
            messages.success(request, f"已创建接口令牌“{token.name}”。令牌只显示这一次，请立即复制并妥善保存。")
            form = TokenForm(user=request.user)
        except DomainError as e:
            form.add_error(None, e.message)
    qs = ApiToken.objects.select_related("user__organisation", "created_by", "revoked_by").order_by("-created_at")
    page, query = paginate(request, qs, 50)
    return render(request, "api/tokens.html", {"form": form, "page": page, "query": query, "created_key": created_key,
                                               "revoke_form": RevokeForm()}, status=400 if form.errors else 200)


@requires("api.token.manage")
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "吊销令牌须填写理由")
        return redirect("tokens:list")
    try:
        tokens.revoke_token(token, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"已吊销接口令牌“{token.name}”，使用它的请求将被拒绝。")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("tokens:list")
