from django.core.management.base import BaseCommand

from gongjiang.accounts.services import seed_jurisdictions


class Command(BaseCommand):
    help = ("Load the jurisdiction tree (idempotent): the places the policies name, or with --all-china "
            "every province, prefecture, county and development zone (GB/T 2260).")

    def add_arguments(self, parser):
        parser.add_argument("--all-china", action="store_true", help="load all of China's places")

    def handle(self, *args, **options):
        created = seed_jurisdictions(full=options["all_china"])
        self.stdout.write(f"jurisdictions: {created} created")
