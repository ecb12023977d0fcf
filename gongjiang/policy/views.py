"""Policy pages: the list of loaded policies and one policy's content in Chinese. Thin views."""
import datetime as dt

from django.http import Http404
from django.shortcuts import render

from gongjiang.accounts.permissions import requires

from . import render as text
from .models import Policy
from .services import get_policy


@requires("policy.view")
def policy_list(request):
    today = dt.date.today()
    rows = [{"policy": p, "in_force": p.in_force(today)} for p in Policy.objects.select_related("jurisdiction")]
    return render(request, "policy/list.html", {"rows": rows, "today": today})


@requires("policy.view")
def policy_detail(request, code):
    row = Policy.objects.filter(code=code).select_related("jurisdiction").first()
    if row is None:
        raise Http404("没有该政策")
    policy = get_policy(code)
    today = dt.date.today()
    honours = []
    for h in policy.honours:
        honours.append({
            "honour": h,
            "quota": text.quota_text(h.quota, today) if h.quota else "",
            "conditions": [{"depth": d, "article": a, "text": t, "machine": text.describe(c, policy),
                            "manual": c.kind == "manual", "soft": c.on_fail == "needs_review"}
                           for d, a, t, c in text.condition_lines(h.eligibility, policy)],
            "priority": h.priority,
            "benefits": [{"b": b, "text": text.benefit_text(b, today)} for b in h.benefits],
            "renewal": [{"depth": d, "article": a, "text": t} for d, a, t, _ in text.condition_lines(h.renewal.criteria, policy)]
            if h.renewal else [],
            "outcomes": [{"o": o, "kind": "退出", "effects": text.effects_text(o.effects)} for o in h.exits]
            + [{"o": o, "kind": "撤销", "effects": text.effects_text(o.effects)} for o in h.revocations],
        })
    stages = [{"s": s, "label": text.STAGE_LABELS[s.kind], "text": text.stage_text(s)} for s in policy.procedure]
    routes = [{"r": r, "label": text.ROUTE_LABELS[r.kind]} for r in policy.recommendation.routes]
    return render(request, "policy/detail.html", {
        "row": row, "policy": policy, "honours": honours, "stages": stages, "routes": routes,
        "validity": text.validity_text(policy), "in_force": policy.in_force(today), "today": today,
    })


@requires("policy.view")
def policy_procedure(request, code):
    """The policy's whole state machine: each stage in order with its states and moves
    (gongjiang.review.stages.show, as `gongjiang procedure show` prints it)."""
    from gongjiang.applications.states import LABELS
    from gongjiang.review.stages.show import machine, policy_unit_steps

    row = Policy.objects.filter(code=code).first()
    if row is None:
        raise Http404("没有该政策")
    policy = get_policy(code)
    steps = [{"step": step, "label": text.STAGE_LABELS.get(step.kind, "申报与推荐"),
              "states": [LABELS[s] for s in step.states],
              "moves": [{"source": LABELS[m.source][0], "target": LABELS[m.target][0], "text": m.text}
                        for m in step.moves]}
             for step in machine(policy.procedure, policy_unit_steps(policy))]
    return render(request, "policy/procedure.html", {"row": row, "policy": policy, "steps": steps})
