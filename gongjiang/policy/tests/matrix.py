"""Policy entries of the permission matrix: the detail page of a loaded seed policy."""


def samples(ctx):
    from gongjiang.policy.services import load_policies

    load_policies()
    return {"policy:detail": {"code": "huiyang-chief-technician"},
            "policy:procedure": {"code": "huiyang-chief-technician"}}
