"""Organisation and account pages. Thin: forms validate, services change state and write the audit log."""
from functools import partial

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from gongjiang.core.excel import xlsx_response
from gongjiang.core.listing import paginate
from gongjiang.core.vocab import Role

from . import scope, services
from .forms import (OrganisationFilterForm, OrganisationForm, OwnPasswordChangeForm, ReasonForm, UserFilterForm,
                    UserForm)
from .models import Organisation, User
from .permissions import check, requires

PAGE_SIZE = 100


def _scoped_org(request, pk):
    """The organisation if the user may see it; 404 otherwise (never reveal that it exists)."""
    org = get_object_or_404(Organisation, pk=pk)
    if not scope.in_scope(request.user, org):
        raise Http404("organisation out of scope")
    return org


def _filtered_orgs(request):
    form = OrganisationFilterForm(request.GET or None)
    qs = form.apply(scope.visible_organisations(request.user).order_by("path"))
    return form, qs


@requires("org.view")
@require_safe
def org_list(request):
    form, qs = _filtered_orgs(request)
    page, query = paginate(request, qs, PAGE_SIZE)
    base_depth = request.user.organisation.depth if request.user.organisation_id and \
        request.user.role != Role.SYSADMIN else 0
    searching = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    rows = [{"org": o, "indent": 0 if searching else max(o.depth - base_depth, 0)} for o in page]
    return render(request, "accounts/org_list.html", {
        "form": form, "page": page, "rows": rows, "searching": searching, "total": qs.count(),
        "can_manage": check(request.user, "org.manage"), "query": query,
    })


@requires("org.view")
@require_safe
def org_export(request):
    _, qs = _filtered_orgs(request)
    rows = ([o.name, o.get_kind_display(), o.parent.name if o.parent_id else "", o.uscc or "", o.region_code,
             "是" if o.is_large_enterprise else "否", "有效" if o.is_active else "停用"]
            for o in qs.select_related("parent").iterator())
    return xlsx_response("组织机构", ["名称", "类型", "上级", "统一社会信用代码", "行政区划代码", "大型企业", "状态"],
                         rows)


@requires("org.view")
@require_safe
def org_detail(request, pk):
    org = _scoped_org(request, pk)
    visible = scope.visible_organisations(request.user)
    return render(request, "accounts/org_detail.html", {
        "org": org,
        "ancestors": [a for a in org.ancestors() if scope.in_scope(request.user, a)],
        "children": org.children.all().order_by("kind", "name"),
        "subtree_size": visible.filter(path__startswith=org.path).count() - 1,
        "users": org.users.order_by("username") if check(request.user, "user.manage") else None,
        "can_manage": check(request.user, "org.manage"),
        "can_manage_users": check(request.user, "user.manage"),
    })


@requires("org.manage")
def org_create(request):
    initial = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = Organisation.objects.filter(pk=parent_id).first()
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        org = services.create_organisation(actor=request.user, reason=form.cleaned_data["reason"], **data)
        messages.success(request, f"已创建组织“{org.name}”")
        return redirect("accounts:org_detail", pk=org.pk)
    return render(request, "accounts/org_form.html", {"form": form, "title": "新建组织"})


@requires("org.manage")
def org_edit(request, pk):
    org = _scoped_org(request, pk)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(Organisation.objects.get(pk=pk), actor=request.user,
                                     reason=form.cleaned_data["reason"], **form.changes())
        messages.success(request, "已保存")
        return redirect("accounts:org_detail", pk=pk)
    return render(request, "accounts/org_form.html", {"form": form, "title": f"编辑组织：{org.name}", "org": org})


def _filtered_users(request):
    form = UserFilterForm(request.GET or None)
    qs = User.objects.select_related("organisation").order_by("username")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if form.cleaned_data["role"]:
            qs = qs.filter(role=form.cleaned_data["role"])
        status = form.cleaned_data["status"]
        if status == "locked":
            qs = qs.filter(username__in=services.locked_usernames())
        elif status:
            qs = qs.filter(is_active=status == "active")
    org_id = request.GET.get("organisation", "")
    if org_id.isdigit():
        qs = qs.filter(organisation_id=int(org_id))
    return form, qs


@requires("user.manage")
@require_safe
def user_list(request):
    form, qs = _filtered_users(request)
    page, query = paginate(request, qs, PAGE_SIZE)
    locked = services.locked_usernames([u.username for u in page])
    return render(request, "accounts/user_list.html", {
        "form": form, "page": page, "locked": locked, "total": qs.count(), "query": query,
    })


@requires("user.manage")
@require_safe
def user_export(request):
    _, qs = _filtered_users(request)
    rows = ([u.username, u.display_name, u.role_label, u.organisation.name if u.organisation_id else "",
             u.email, "启用" if u.is_active else "停用", u.last_login, u.date_joined] for u in qs.iterator())
    return xlsx_response("用户", ["用户名", "姓名", "角色", "所属组织", "电子邮箱", "状态", "最近登录", "创建时间"], rows)


@requires("user.manage")
def user_create(request):
    initial = {}
    org_id = request.GET.get("organisation", "")
    if org_id.isdigit():
        initial["organisation"] = int(org_id)
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        password = services.generate_password()
        user = services.create_user(username=d["username"], role=d["role"], organisation=d["organisation"],
                                    display_name=d["display_name"], email=d["email"], password=password,
                                    actor=request.user, reason=d["reason"], password_change_required=True)
        return render(request, "accounts/password_issued.html", {"account": user, "password": password,
                                                                 "title": "账号已创建"})
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建账号"})


@requires("user.manage")
def user_edit(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.update_user(account, actor=request.user, reason=d["reason"], role=d["role"],
                             organisation=d["organisation"], display_name=d["display_name"], email=d["email"])
        messages.success(request, "已保存")
        return redirect("accounts:user_edit", pk=pk)
    return render(request, "accounts/user_form.html", {
        "form": form, "title": f"账号：{account.username}", "account": account,
        "locked": services.is_locked(account),
    })


def _confirm_page(request, account, form, title, confirm):
    return render(request, "accounts/confirm.html", {"form": form, "title": title, "account": account,
                                                     "confirm": confirm})


def _account_action(title, confirm, done, action):
    """A page for one account action: GET shows a confirmation with a reason field; POST calls
    `action(account, actor=..., reason=...)` and goes back to the account."""

    @requires("user.manage")
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        account = get_object_or_404(User, pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            action(account, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, done)
            return redirect("accounts:user_edit", pk=pk)
        return _confirm_page(request, account, form, title, confirm)

    return view


user_deactivate = _account_action("停用账号", "停用后该账号不能登录，已登录的会话随即失效。", "账号已停用",
                                  partial(services.set_user_active, active=False))
user_activate = _account_action("启用账号", "启用后该账号可以重新登录。", "账号已启用",
                                partial(services.set_user_active, active=True))
user_unlock = _account_action("解除登录锁定", "清除该账号的登录失败记录，立即解除锁定。", "已解除锁定",
                              services.unlock_user)


@requires("user.manage")
@require_http_methods(["GET", "POST"])
def user_reset_password(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = services.reset_password(account, actor=request.user, reason=form.cleaned_data["reason"])
        return render(request, "accounts/password_issued.html", {"account": account, "password": password,
                                                                 "title": "密码已重置"})
    return _confirm_page(request, account, form, "重置密码",
                         "系统将生成一个临时密码（仅显示一次）；该账号的已登录会话随即失效，下次登录须修改密码。")


@login_required
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.change_own_password(request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改")
        return redirect("web:home")
    return render(request, "accounts/password_change.html", {
        "form": form, "forced": request.user.password_change_required})

