"""`gongjiang seed_demo`: organisations, policies, calendar and a synthetic registry for demos.
Idempotent: running it again changes nothing."""
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand

from gongjiang.core.vocab import Role

# Order matters: each seeder may use what the ones before it created.
SEEDERS = ["accounts", "workdays", "policy", "registry", "rounds", "applications", "review", "notices", "honours",
           "payments"]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        for app in SEEDERS:
            if find_spec(f"gongjiang.{app}.demo"):
                try:
                    import_module(f"gongjiang.{app}.demo").seed(stdout=self.stdout)
                except Exception:
                    self.stderr.write(f"demo data: {app} FAILED (gongjiang/{app}/demo.py); traceback follows")
                    raise
                self.stdout.write(f"demo data: {app} ready")
        from gongjiang.accounts.demo import DEMO_PASSWORD, logins
        from gongjiang.audit.services import verify_and_store

        result = verify_and_store(triggered_by="演示数据初始化")
        self.stdout.write(f"audit chain: {'intact' if result.ok else 'BROKEN at #%s' % result.broken_at}, "
                          f"{result.checked} entries")

        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, role, org, display in logins():
            self.stdout.write(f"  {username:<18} {Role(role).label:<10} {org:<12} {display}")
        from gongjiang.rounds.models import Round, RoundStatus

        live = sorted(set(Round.objects.filter(status=RoundStatus.OPEN).values_list("organiser__name", flat=True)))
        self.stdout.write(f"\n正在进行的演示批次只属于有效期内的政策（{'、'.join(live)}），从申报、专家评审、公示到记录批准"
                          "各环节都有；按环节用哪个账号，见 docs/用户指南.md“用演示数据走一遍全过程”。")
        self.stdout.write(f"\n打开 {settings.SITE_URL}/ 并用以上账号登录。")
