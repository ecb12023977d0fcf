"""Public certificate verification (no login): by the unguessable token of the QR code, and by
certificate number plus holder name. One query for the honour (with its policy), one for the
decision that changed its status; nothing private (no ID or phone number). Rate-limited per
client address (cache counters), so the number+name form cannot be used to enumerate holders."""
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render

from gongjiang.accounts.network import client_ip
from gongjiang.core.caching import public_page

from . import services
from .models import Honour

RATE_WINDOW_SECONDS = 600


class LookupForm(forms.Form):
    number = forms.CharField(label="证书编号", max_length=40)
    name = forms.CharField(label="持证人姓名", max_length=60)


def rate_limited(request) -> bool:
    key = f"honours-verify:{client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        return cache.incr(key) > settings.CERTIFICATE_VERIFY_RATE_LIMIT
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return False


def verification_context(honour):
    verdict = services.verification(honour)
    decision = None
    if verdict.code in ("revoked", "recalled", "stopped"):
        decision = honour.decisions.only("kind", "article", "effective_on", "honour_id").order_by("-recorded_at").first()
    return {"honour": honour, "verdict": verdict, "decision": decision}


def find_honour(**where):
    return (Honour.objects.select_related("policy").only(
        "name", "title", "term_name", "term_start", "term_end", "issuer", "awarded_on", "document_number",
        "certificate_number", "certificate_issue", "certificate_status", "status", "title_status",
        "benefits_stop_on", "policy__title").filter(**where).first())


def _too_many(request, template, context):
    context["limited"] = True
    return render(request, template, context, status=429)


def verify(request, token):
    if rate_limited(request):
        return _too_many(request, "honours/verify.html", {})
    return _verified(request, token)


@public_page  # until the next audited change (a revocation is one), and never past today
def _verified(request, token):
    honour = find_honour(token=token) if len(token) <= 32 else None
    if honour is None or not honour.certificate_number:
        raise Http404("certificate token not found")
    return render(request, "honours/verify.html", verification_context(honour))


def lookup(request):
    form = LookupForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        if rate_limited(request):
            return _too_many(request, "honours/lookup.html", context)
        number = form.cleaned_data["number"].strip().upper().replace(" ", "")
        honour = find_honour(certificate_number=number, name=form.cleaned_data["name"].strip())
        if honour is None:
            form.add_error(None, "未找到与该证书编号和姓名一致的证书，请核对后重新输入")
        else:
            context.update(verification_context(honour))
    return render(request, "honours/lookup.html", context, status=400 if form.errors else 200)
