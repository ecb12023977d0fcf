"""Permission-matrix entries for rounds (tests/test_permission_matrix.py)."""
PUBLIC = {
    "rounds:public_calls": "申报通知须向社会公开（惠阳 第十条（一）：公开发布遴选申报文件）",
    "rounds:public_call": "a published round's call: conditions, materials, deadlines (第十条（一）)",
    "rounds:self_check": "eligibility self-check for anyone; the facts entered are not stored",
    "rounds:blank_form": "blank forms of a published round (申报表、承诺书) for download",
}
API_PUBLIC = {
    "GET /api/rounds/calls": "申报通知向社会公开（惠阳 第十条（一）），与公开页面内容相同",
    "GET /api/rounds/calls/{code}": "已发布批次的申报通知、时间安排和申报条件，与公开页面内容相同",
}


def samples(ctx):
    from gongjiang.rounds.tests.factories import open_round

    rnd = open_round(policy_code="test-self-route", organiser=ctx.district, actor=ctx.users["bureau"],
                     code="matrix-round", title="矩阵测试遴选批次")
    return {"rounds:detail": {"pk": rnd.pk}, "rounds:overview": {"pk": rnd.pk},
            "GET /api/rounds/{pk}/units": {"pk": rnd.pk}, "GET /api/rounds/calls/{code}": {"code": rnd.code}}
