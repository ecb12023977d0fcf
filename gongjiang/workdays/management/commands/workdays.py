"""`gongjiang workdays ...`: seed from the package, import a year's schedule, check a date."""
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongjiang.core.errors import DomainError
from gongjiang.workdays import services


class Command(BaseCommand):
    help = "Working-day calendar: seed | import FILE [--mark-entered] | end START DAYS"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="import the years chinesecalendar covers")
        imp = sub.add_parser("import", help="import a schedule file (see the 工作日历 page for the format)")
        imp.add_argument("file")
        imp.add_argument("--source", default="", help="the State Council notice it comes from")
        imp.add_argument("--mark-entered", action="store_true", help="confirm the year(s) as complete")
        end = sub.add_parser("end", help="print the end of a notice period and an investigation deadline")
        end.add_argument("start")
        end.add_argument("days", type=int)

    def handle(self, *args, action, **opts):
        try:
            if action == "seed":
                years = services.ensure_package_years()
                self.stdout.write(f"imported {len(years)} year(s) from {services.package_version()}")
            elif action == "import":
                text = Path(opts["file"]).read_text(encoding="utf-8-sig")
                cals = services.import_schedule(text, actor=None, source_detail=opts["source"],
                                                mark_complete=opts["mark_entered"], reason="命令行导入")
                for cal in cals:
                    s = services.summarise(cal)
                    self.stdout.write(f"{cal.year}: {s.holidays} holidays, {s.adjusted_workdays} adjusted working days, "
                                      f"{s.working_days} working days, complete={cal.complete}")
            else:
                start = dt.date.fromisoformat(opts["start"])
                self.stdout.write(f"notice end: {services.notice_period_end(start, opts['days'])}")
                self.stdout.write(f"investigation deadline: {services.investigation_deadline(start, opts['days'])}")
        except DomainError as e:
            raise CommandError(e.message) from None
