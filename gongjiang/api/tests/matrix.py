"""Permission-matrix samples for the API token pages (system administrators only)."""


def samples(ctx):
    from gongjiang.api.tokens import create_token

    token, key = create_token(name="矩阵机密对接系统", role="finance", organisation=ctx.district,
                              actor=ctx.users["sysadmin"])
    ctx.protect("矩阵机密对接系统", key)
    return {"tokens:revoke": {"pk": token.pk}}
