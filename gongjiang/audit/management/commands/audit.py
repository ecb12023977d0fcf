from django.core.management.base import BaseCommand, CommandError

from gongjiang.audit import checkpoints
from gongjiang.audit.services import verify_and_store


class Command(BaseCommand):
    help = ("Audit log tools: `gongjiang audit verify` checks the HMAC chain against the latest external "
            "checkpoint; `gongjiang audit checkpoint` appends a signed checkpoint of the chain head.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every entry's HMAC and link, the head and the latest checkpoint")
        sub.add_parser("checkpoint", help="verify, then append the signed head (count, hash, time) to "
                                          "the checkpoint file (GONGJIANG_AUDIT_CHECKPOINTS)")

    def handle(self, *args, action, **options):
        if action == "checkpoint":
            try:
                point = checkpoints.write()
            except (checkpoints.CheckpointError, OSError) as exc:
                raise CommandError(f"no checkpoint written: {exc}") from None
            self.stdout.write(f"checkpoint written: {point.count} entries up to #{point.last_id}, "
                              f"hash {point.hash}, {point.time.isoformat()}")
            return
        result = verify_and_store(triggered_by="gongjiang audit verify")
        if result.ok:
            against = (f", matches the checkpoint of {result.checkpoint.time.isoformat()}"
                       if result.checkpoint else ", no checkpoint yet")
            self.stdout.write(f"audit chain intact: {result.checked} entries verified{against}")
            return
        where = f" at entry #{result.broken_at}" if result.broken_at else ""
        raise CommandError(f"audit chain broken{where}: {result.problem} "
                           f"({result.checked} entries verified before it)")
