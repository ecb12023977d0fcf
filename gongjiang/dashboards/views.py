"""Dashboards: charts (vendored ECharts, data handed over with json_script), each with its table
and an Excel export (?export=<figure key>). Every figure is computed within the user's scope and
kept for that user up to DASHBOARD_CACHE_SECONDS (gongjiang.core.caching.per_user)."""
from django import forms
from django.http import Http404
from django.shortcuts import render

from django.urls import reverse

from gongjiang.accounts.permissions import check, requires
from gongjiang.core.caching import per_user, private_page
from gongjiang.core.widgets import LeanSelect
from gongjiang.core.excel import xlsx_response
from gongjiang.rounds.services import visible_rounds

from . import services


class RoundFilter(forms.Form):
    round = forms.TypedChoiceField(label="批次", required=False, coerce=int, empty_value=None, widget=LeanSelect)

    def __init__(self, *args, rounds, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        first = [] if required else [("", "全部批次")]
        self.fields["round"].choices = first + [(r.pk, r.title) for r in rounds]

    def chosen(self):
        return self.cleaned_data["round"] if self.is_valid() else None


def _rounds(user):
    return per_user(user, "rounds", (), lambda: list(
        visible_rounds(user).select_related(None).only("pk", "title").order_by("-year", "-pk")[:200]))


PAGES = [("申报人分布", "dashboards:index", "dashboard.view"), ("遴选漏斗", "dashboards:funnel", "dashboard.view"),
         ("称号持有人", "dashboards:holders", "dashboard.view"), ("职责、异议与复核", "dashboards:oversight", "dashboard.view"),
         ("发展目标", "dashboards:targets", "dashboard.view"),
         ("资金发放", "dashboards:payments", "payments.view")]


def _page(request, title, figures, form=None, intro=""):
    key = request.GET.get("export")
    if key:
        figure = next((f for f in figures if f.key == key), None)
        if figure is None:
            raise Http404("no such figure")
        return xlsx_response(figure.title, figure.headers, figure.rows, title=f"{figure.title}（{figure.scope}）")
    query = request.GET.copy()
    query.pop("export", None)
    links = [(label, reverse(name)) for label, name, cap in PAGES if check(request.user, cap)]
    return render(request, "dashboards/page.html", {"title": title, "figures": figures, "form": form, "links": links,
                                                    "intro": intro, "query": query.urlencode()})


@requires("dashboard.view")
@private_page
def index(request):
    form = RoundFilter(request.GET or None, rounds=_rounds(request.user))
    chosen = form.chosen()
    figures = per_user(request.user, "candidates", (chosen,),
                       lambda: services.candidate_figures(request.user, round_id=chosen))
    return _page(request, "申报人分布", figures, form)


@requires("dashboard.view")
@private_page
def funnel(request):
    rounds = _rounds(request.user)
    form = RoundFilter(request.GET or None, rounds=rounds, required=True)
    chosen = form.chosen() or (rounds[0].pk if rounds else None)
    rnd = visible_rounds(request.user).filter(pk=chosen).first() if chosen else None
    figures = per_user(request.user, "funnel", (rnd.pk,), lambda: [services.funnel_figure(request.user, rnd)]) \
        if rnd else []
    return _page(request, "遴选漏斗", figures, form, "" if rnd else "暂无可统计的批次。")


@requires("dashboard.view")
@private_page
def targets(request):
    def compute():
        return [f for policy, parsed in services.policies_with_targets()
                for f in services.target_figures(request.user, policy, parsed)]

    figures = per_user(request.user, "targets", (), compute)
    return _page(request, "发展目标完成情况", figures, None, "" if figures else "已加载的政策均未设定发展目标。")


class HolderFilter(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("active", "有效"), ("", "全部（含已退出、已撤销）")])

    def chosen(self):
        return self.cleaned_data["status"] if self.is_valid() else "active"


@requires("dashboard.view")
@private_page
def holders(request):
    form = HolderFilter(request.GET or None)
    status = form.chosen()
    figures = per_user(request.user, "holders", (status,), lambda: services.holder_figures(request.user, status=status))
    return _page(request, "称号持有人分布", figures, form)


@requires("dashboard.view")
@private_page
def oversight(request):
    return _page(request, "期内职责、公示异议与复核认定", services.oversight_figures(request.user))


@requires("payments.view")
@private_page
def payments(request):
    return _page(request, "资金发放与预算", [services.payment_figure(request.user)])
