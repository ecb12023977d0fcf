"""`gongjiang honours_remind`: e-mail and inbox reminders for term duties whose reminder window (the
policy's `remind_days` before the due date) has begun; each task is reminded once. Run daily (cron)."""
from django.core.management.base import BaseCommand

from gongjiang.honours.term import send_reminders


class Command(BaseCommand):
    help = "Send reminders for term duties falling due (once per duty)."

    def handle(self, *args, **options):
        self.stdout.write(f"reminded {send_reminders()} duties")
