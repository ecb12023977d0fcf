"""Expert pool pages (专家库管理) and the panel composition page (组建专家组). Thin: capability and
scope are checked here, the rules are in experts.py. Out-of-scope experts are 404."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import visible_organisations
from gongjiang.core.errors import DomainError
from gongjiang.core.excel import xlsx_response
from gongjiang.core.listing import paginate

from . import experts as ex
from . import services
from .expert_forms import (
    AddMemberForm, ComposeForm, DeactivateForm, ExpertFilterForm, ExpertForm, ImportForm, PersonRelationForm, RemoveRelationForm,
    UnitRelationForm,
)
from .models import PanelMethod


@requires("review.manage")
def expert_list(request):
    form = ExpertFilterForm(request.GET or None)
    qs = ex.experts_in_scope(request.user)
    if form.is_valid():
        qs = ex.search_experts(qs, **form.filters())
    if request.GET.get("export") == "xlsx":
        return xlsx_response("专家库", ex.COLUMNS, ex.export_rows(qs.select_related("person")), title="专家库")
    page, query = paginate(request, qs.prefetch_related("relations", "unit_relations"), 50)
    export_query = (query + "&" if query else "") + "export=xlsx"
    return render(request, "review/experts/list.html", {"form": form, "page": page, "query": query,
                                                        "export_query": export_query,
                                                        "compose_rounds": ex.rounds_to_compose(request.user)})


@requires("review.manage")
def expert_add(request):
    q = request.GET.get("q", "").strip()
    person = None
    if request.GET.get("person") or request.POST.get("person"):
        pid = request.POST.get("person") or request.GET.get("person")
        person = ex.person_in_scope(request.user, int(pid)) if str(pid).isdigit() else None
    initial = {"pool": request.user.organisation_id}
    if person is not None:
        employer = ex.current_employer(person)
        initial.update(name=person.name, employer_name=employer.name if employer else "")
    form = ExpertForm(request.POST or None, officer=request.user, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if person is not None:
                employer, employer_name = ex.resolve_employer(request.user, d["employer_name"])
                expert = ex.add_from_registry(actor=request.user, person=person, pool=d["pool"],
                                              occupations=form.occupation_list(), title=d["title"], email=d["email"],
                                              employer=employer, employer_name=employer_name, account=d["user"])
            else:
                expert = ex.add_outside(actor=request.user, name=d["name"], pool=d["pool"],
                                        occupations=form.occupation_list(), employer_name=d["employer_name"],
                                        title=d["title"], email=d["email"], account=d["user"])
            messages.success(request, f"已将{expert.name}加入专家库")
            return redirect("review:expert_detail", expert.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    return render(request, "review/experts/add.html", {
        "form": form, "q": q, "person": person, "people": ex.find_people(request.user, q) if q else []})


def _detail_context(request, expert, **forms):
    return {"expert": expert, "relations": expert.relations.select_related("person"),
            "unit_relations": expert.unit_relations.select_related("organisation"),
            "panels": expert.assignments.values("panel_id", "panel__name", "panel__round__title").distinct(),
            "form": forms.get("form") or ExpertForm(officer=request.user, person=expert.person, initial={
                "name": expert.name, "pool": expert.pool_id, "occupations": "、".join(expert.occupations),
                "employer_name": ex.employer_label(expert), "title": expert.title, "email": expert.email,
                "user": expert.user_id}),
            "active_form": DeactivateForm(), "person_form": forms.get("person_form") or PersonRelationForm(),
            "unit_form": forms.get("unit_form") or UnitRelationForm(), "remove_form": RemoveRelationForm()}


@requires("review.manage")
def expert_detail(request, expert_id):
    expert = ex.expert_in_scope(request.user, expert_id)
    form = None
    if request.method == "POST":
        form = ExpertForm(request.POST, officer=request.user, person=expert.person,
                          initial={"name": expert.name})
        if form.is_valid():
            d = form.cleaned_data
            employer, employer_name = ex.resolve_employer(request.user, d["employer_name"])
            try:
                _, changed = ex.update_expert(expert, actor=request.user, name=d["name"], pool=d["pool"],
                                              occupations=form.occupation_list(), employer=employer,
                                              employer_name=employer_name, title=d["title"], email=d["email"],
                                              user=d["user"])
                messages.success(request, "已保存" if changed else "没有修改")
                return redirect("review:expert_detail", expert.pk)
            except DomainError as e:
                form.add_error(None, e.message)
    return render(request, "review/experts/detail.html", _detail_context(request, expert, form=form))


@requires("review.manage")
@require_POST
def expert_active(request, expert_id):
    expert = ex.expert_in_scope(request.user, expert_id)
    form = DeactivateForm(request.POST)
    form.is_valid()
    try:
        ex.set_active(expert, actor=request.user, active=request.POST.get("active") == "1",
                      reason=form.cleaned_data.get("reason", ""))
        messages.success(request, "已恢复在库" if request.POST.get("active") == "1" else "已停用")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("review:expert_detail", expert.pk)


@requires("review.manage")
def expert_relation_add(request, expert_id):
    expert = ex.expert_in_scope(request.user, expert_id)
    if request.method != "POST":
        return redirect("review:expert_detail", expert.pk)
    person_form = unit_form = None
    try:
        if request.POST.get("form") == "unit":
            unit_form = UnitRelationForm(request.POST)
            if unit_form.is_valid():
                d = unit_form.cleaned_data
                orgs = list(visible_organisations(request.user).filter(name=d["organisation"].strip())[:2])
                if len(orgs) != 1:
                    raise DomainError("组织库中没有该名称的单位（须在本辖区范围内，名称完全一致）",
                                      log="unit relation organisation not found")
                ex.declare_unit_relation(expert, actor=request.user, organisation=orgs[0], kind=d["kind"],
                                         note=d["note"])
                messages.success(request, f"已申报与{orgs[0].name}的关系")
                return redirect("review:expert_detail", expert.pk)
        else:
            person_form = PersonRelationForm(request.POST)
            if person_form.is_valid():
                d = person_form.cleaned_data
                people = ex.find_people(request.user, d["who"], limit=2)
                if not people:
                    raise DomainError("人员库中没有该人员（或不在本辖区范围内）", log="relation person not found")
                if len(people) > 1:
                    raise DomainError("匹配到多名同名人员，请输入身份证号码", log="relation person ambiguous")
                ex.declare_person_relation(expert, actor=request.user, person=people[0], kind=d["kind"],
                                           note=d["note"])
                messages.success(request, f"已申报与{people[0].name}的关系")
                return redirect("review:expert_detail", expert.pk)
    except DomainError as e:
        (unit_form or person_form).add_error(None, e.message)
    return render(request, "review/experts/detail.html",
                  _detail_context(request, expert, person_form=person_form, unit_form=unit_form), status=400)


@requires("review.manage")
@require_POST
def expert_relation_remove(request, expert_id, relation_id):
    expert = ex.expert_in_scope(request.user, expert_id)
    form = RemoveRelationForm(request.POST)
    form.is_valid()
    try:
        ex.remove_relation(expert, actor=request.user, relation_id=relation_id, unit=request.POST.get("unit") == "1",
                           reason=form.cleaned_data.get("reason", ""))
        messages.success(request, "已撤销申报关系")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("review:expert_detail", expert.pk)


@requires("review.manage")
def expert_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        if request.POST.get("commit") == "1":
            try:
                check = ex.apply_import(data, upload.name, actor=request.user)
                c = check.counts
                messages.success(request, f"导入完成：新增{c['create']}人，修改{c['update']}人，未变{c['unchanged']}人")
                return redirect("review:experts")
            except DomainError as e:
                form.add_error(None, e.message)
        check = ex.check_import(data, upload.name, actor=request.user)
    return render(request, "review/experts/import.html", {"form": form, "check": check, "columns": ex.COLUMNS})


@requires("review.manage")
def compose(request, round_id):
    rnd = services.round_for(request.user, round_id)
    stage = services.procedure(rnd).require("expert_review")
    method = ex.panel_method(stage)
    minimum, article = ex.minimum_size(rnd)
    pool = services.expert_pool(rnd).filter(is_active=True)
    form = ComposeForm(request.POST or None, pool=pool) if method != PanelMethod.DRAW else None
    candidates = list(ex.candidates_for_panel(rnd))
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            panel = ex.compose_panel(rnd, actor=request.user, name=form.cleaned_data["name"],
                                     experts=list(form.cleaned_data["experts"]),
                                     occupations=form.occupation_list(), applications=candidates)
            messages.success(request, f"已组建专家组：{panel.name}")
            return redirect("review:panel", panel.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    return render(request, "review/experts/compose.html", {
        "round": rnd, "stage": stage, "method": method, "minimum": minimum, "article": article, "form": form,
        "candidates": candidates})


@requires("review.manage")
@require_POST
def add_panel_member(request, panel_id):
    """增补专家 on a composed panel (experts.add_panel_member); errors shown on the panel page."""
    from django.shortcuts import get_object_or_404

    from .models import Panel
    from .views import panel_page

    p = get_object_or_404(Panel.objects.select_related("round"), pk=panel_id)
    services.round_for(request.user, p.round_id)
    form = AddMemberForm(request.POST, panel=p)
    if form.is_valid():
        try:
            ex.add_panel_member(p, actor=request.user, expert=form.cleaned_data["expert"],
                                reason=form.cleaned_data["reason"])
            messages.success(request, f"已增补专家：{form.cleaned_data['expert'].name}")
            return redirect("review:panel", p.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    return panel_page(request, p, add_form=form, status=400)
