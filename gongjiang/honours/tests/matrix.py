"""Permission-matrix samples for the honours pages: one 惠阳区 holder (approved through the honours
factories) employed at the matrix employer, so every officer holding honour.view has it in scope."""
import datetime as dt

PUBLIC = {
    "certificates:lookup": "证书查询：按证书编号和姓名核验证书真伪（限频），不显示身份证号码和手机号码",
    "certificates:verify": "证书二维码指向的核验页面，凭不可猜测的核验码访问；仅显示证书上已印明的信息和状态",
}
API_PUBLIC = {
    "GET /api/honours/verify/{token}": "证书核验（二维码核验码）：与公开核验页面相同的内容和限频，不含身份证号码和手机号码",
    "POST /api/honours/verify": "证书核验（证书编号和姓名）：与公开查询页面相同的内容和限频",
}
LOGIN_ONLY = {
    "honours:mine": "the holder's own honours and messages (person.account = the user)",
    "honours:renewal": "the holder, the employer's officers and the deciding officers; 404 for anyone else",
    "honours:duty": "the holder, the employer's officers and the deciding officers; 404 for anyone else",
}


def samples(ctx):
    from gongjiang.honours.tests.factories import approve_candidates
    from gongjiang.rounds.tests.factories import open_round

    bureau = ctx.users["bureau"]
    rnd = open_round(policy_code="huiyang-chief-technician", organiser=ctx.district, actor=bureau,
                     code="matrix-honours", publish=False)
    [honour] = approve_candidates(rnd, ["矩阵持证人"], actor=bureau, district=ctx.district,
                                  decided_on=dt.date(2026, 11, 20), employer=ctx.employer, number="矩阵人社字〔2026〕1号")
    hc = open_round(policy_code="huancui-chief-technician", organiser=ctx.district, actor=bureau,
                    code="matrix-honours-renewal", publish=False)
    [renewing] = approve_candidates(hc, ["矩阵复核人"], actor=bureau, district=ctx.district,
                                    decided_on=dt.date(2025, 11, 20), employer=ctx.employer, number="矩阵人社字〔2025〕2号")
    ctx.protect("矩阵持证人", honour.person.id_number_masked)
    return {
        "honours:detail": {"pk": honour.pk},
        "honours:certificate": {"pk": honour.pk},
        "honours:reissue": {"pk": honour.pk},
        "honours:decide": {"pk": honour.pk, "kind": "exit"},
        "honours:round_batch": {"round_pk": rnd.pk},
        "certificates:verify": {"token": honour.token},
        "GET /api/honours/verify/{token}": {"token": honour.token},
        "honours:renewal": {"pk": renewing.renewals.get().pk},
        "honours:duty": {"pk": honour.duties.order_by("pk").first().pk},
    }
