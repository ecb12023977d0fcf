from django.core.management.base import BaseCommand

from gongjiang.accounts.services import seed_jurisdictions


class Command(BaseCommand):
    help = "Load the jurisdictions of the seed documents (idempotent)."

    def handle(self, *args, **options):
        created = seed_jurisdictions()
        self.stdout.write(f"jurisdictions: {created} created")
