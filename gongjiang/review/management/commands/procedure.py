"""`gongjiang procedure show <policy>`: a policy's whole state machine (every state and move, in the
policy's order). Thin: the work is in gongjiang.review.stages.show."""
from django.core.management.base import BaseCommand, CommandError

from gongjiang.policy.loader import POLICIES_DIR, PolicyFileError, read_policy


class Command(BaseCommand):
    help = "Procedure of a policy: show (every state and move of an application, in the policy's order)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="print the state machine of a policy (code or YAML file)")
        show.add_argument("policy")

    def handle(self, *args, action, policy, **opts):
        from gongjiang.review.stages.show import as_text

        path = POLICIES_DIR / f"{policy}.yaml"
        try:
            loaded = read_policy(path if path.exists() else policy)
        except (PolicyFileError, FileNotFoundError, OSError) as e:
            raise CommandError(f"cannot read policy {policy}: {e}") from None
        self.stdout.write(as_text(loaded.policy), ending="")
