"""Demo data for policies: the five seed programmes from policies/ (idempotent)."""
from .services import load_policies


def seed(stdout=None):
    outcomes = load_policies()
    if stdout is not None:
        for code, outcome in sorted(outcomes.items()):
            stdout.write(f"  policy {code}: {outcome}")
    return outcomes
