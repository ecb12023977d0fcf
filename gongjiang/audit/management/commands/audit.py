from django.core.management.base import BaseCommand, CommandError

from gongjiang.audit.services import verify


class Command(BaseCommand):
    help = "Audit log tools: `gongjiang audit verify` checks the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every entry's hash and link")

    def handle(self, *args, action, **options):
        result = verify()
        if result.ok:
            self.stdout.write(f"audit chain intact: {result.checked} entries verified")
            return
        raise CommandError(f"audit chain broken at entry #{result.broken_at}: {result.problem} "
                           f"({result.checked} entries verified before it)")
