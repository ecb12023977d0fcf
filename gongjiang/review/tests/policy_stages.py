"""Stage lists for review tests, read from the policy files (never written by hand): what a round
opened on that policy stores (rounds.policy_link.stage_snapshot)."""
from functools import lru_cache

from gongjiang.policy import loader
from gongjiang.review.stages import stage_snapshot


@lru_cache(maxsize=None)
def _policy(code):
    return loader.read_policy(loader.POLICIES_DIR / f"{code}.yaml").policy


def stages(code, *, only=None, **changes) -> list[dict]:
    """The policy's stages as a round stores them. `only`: keep these kinds (in the policy's order);
    changes: {kind: {field: value}} to set a field the way a revised policy file would (the result
    is validated again when the round reads it)."""
    out = []
    for entry in stage_snapshot(_policy(code).procedure):
        if only is not None and entry["kind"] not in only:
            continue
        out.append({**entry, **changes.get(entry["kind"], {})})
    return out


def rubric(code) -> list[dict]:
    """The policy's rubric criteria as the scoring module reads them."""
    entry = next(s for s in stages(code) if s["kind"] == "expert_review")
    return entry["rubric"]["criteria"]
