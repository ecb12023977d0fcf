"""Certificate verification for other systems (public, like /certificates/): by the token of the
certificate's QR code, or by certificate number and holder name. The same rate limit per client
address as the page (shared counter) and the same content: what the certificate shows and its
status, never an ID or phone number."""
import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from gongjiang.core.errors import NotFound, TooManyRequests

from . import public

router = Router(tags=["证书查验"])


class DecisionOut(Schema):
    kind: str
    kind_label: str
    article: str
    effective_on: dt.date


class CertificateCheckOut(Schema):
    verdict: str = Field(description="valid 有效 / expired 期限届满 / stopped 停止享受待遇 / revoked 已撤销 / recalled 证书已收回")
    verdict_label: str
    decision: DecisionOut | None = Field(description="撤销、收回或停止待遇的决定（依据条款与生效日期）")
    programme: str
    title: str
    name: str
    certificate_number: str
    certificate_issue: int
    issuer: str
    awarded_on: dt.date
    document_number: str
    term_name: str
    term_start: dt.date | None
    term_end: dt.date | None


class LookupIn(Schema):
    number: str = Field(max_length=40, description="证书编号")
    name: str = Field(max_length=60, description="持证人姓名")


def _out(honour) -> dict:
    ctx = public.verification_context(honour)
    verdict, decision = ctx["verdict"], ctx["decision"]
    return {
        "verdict": verdict.code, "verdict_label": verdict.label,
        "decision": {"kind": decision.kind, "kind_label": decision.get_kind_display(), "article": decision.article,
                     "effective_on": decision.effective_on} if decision else None,
        "programme": honour.policy.title, "title": honour.title, "name": honour.name,
        "certificate_number": honour.certificate_number, "certificate_issue": honour.certificate_issue,
        "issuer": honour.issuer, "awarded_on": honour.awarded_on, "document_number": honour.document_number,
        "term_name": honour.term_name or "期限", "term_start": honour.term_start, "term_end": honour.term_end,
    }


def _check_rate(request):
    if public.rate_limited(request):
        raise TooManyRequests()


@router.get("/verify/{token}", response=CertificateCheckOut, auth=None,
            summary="证书核验：按二维码核验码（公开，限频）")
def verify_by_token(request, token: str):
    _check_rate(request)
    honour = public.find_honour(token=token) if len(token) <= 32 else None
    if honour is None or not honour.certificate_number:
        raise Http404("certificate token not found")
    return _out(honour)


@router.post("/verify", response=CertificateCheckOut, auth=None,
             summary="证书核验：按证书编号和持证人姓名（公开，限频）")
def verify_by_number(request, body: LookupIn):
    """Number and name must both match (the number is compared without spaces, in capitals)."""
    _check_rate(request)
    number, name = body.number.strip().upper().replace(" ", ""), body.name.strip()
    honour = public.find_honour(certificate_number=number, name=name) if number and name else None
    if honour is None:
        raise NotFound("未找到与该证书编号和姓名一致的证书，请核对后重新输入", log="certificate lookup miss")
    return _out(honour)
