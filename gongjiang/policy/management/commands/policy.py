"""`gongjiang policy check FILE...` · `gongjiang policy show NAME` · `gongjiang policy explain NAME
--person ID_NUMBER --on DATE`. Thin: the work is in gongjiang.policy (loader, cases, render, engine)."""
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongjiang.core.errors import DomainError
from gongjiang.policy import services
from gongjiang.policy.cases import coverage_gaps, run_file
from gongjiang.policy.explain import explain
from gongjiang.policy.loader import CASES_SUFFIX, VOCABULARY_FILE, PolicyFileError, read_policy, read_vocabulary
from gongjiang.policy.render import summary_lines


class Command(BaseCommand):
    help = "Policy files: check (validate files and run their cases), show (summary in Chinese), explain (a registry person)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="validate policy files; *.cases.yaml files are run and checked for coverage")
        check.add_argument("files", nargs="+")
        show = sub.add_parser("show", help="print a readable summary of a policy in Chinese")
        show.add_argument("name")
        show.add_argument("--on", help="date for dated amounts and quotas (YYYY-MM-DD), default today")
        exp = sub.add_parser("explain", help="explain a registry person's result clause by clause")
        exp.add_argument("name")
        exp.add_argument("--person", required=True, help="resident ID number")
        exp.add_argument("--on", required=True, help="reference date YYYY-MM-DD")
        exp.add_argument("--honour", help="honour code (default: the policy's first)")
        exp.add_argument("--renewal", action="store_true", help="evaluate the renewal criteria instead")

    def handle(self, *args, action, **opts):
        return getattr(self, f"do_{action}")(**opts)

    def do_check(self, files, **_):
        bad = 0
        for name in files:
            path = Path(name)
            try:
                if path.name.endswith(CASES_SUFFIX):
                    results = run_file(path)
                    failures = [r for r in results if not r.ok]
                    gaps = coverage_gaps(path)
                    for r in failures:
                        self.stderr.write(str(r))
                    for g in gaps:
                        self.stderr.write(f"{path}: {g}")
                    bad += bool(failures or gaps)
                    if not failures and not gaps:
                        self.stdout.write(f"OK {path}: {len(results)} expectations")
                elif path.name == VOCABULARY_FILE:  # canonical names, not a policy: checked as such
                    vocab = read_vocabulary(path)
                    counts = "，".join(f"{kind} {len(names)}" for kind, names in vocab.names.items())
                    self.stdout.write(f"OK {path}: vocabulary ({counts})")
                else:
                    loaded = read_policy(path)
                    self.stdout.write(f"OK {path}: {loaded.policy.short_title} ({loaded.code})")
            except PolicyFileError as e:
                bad += 1
                for err in e.errors:
                    self.stderr.write(str(err))
            except (OSError, ValueError) as e:
                bad += 1
                self.stderr.write(f"{path}: {e}")
        if bad:
            raise CommandError(f"{bad} file(s) with errors")

    def do_show(self, name, on=None, **_):
        policy = self._policy(name)
        when = dt.date.fromisoformat(on) if on else dt.date.today()
        self.stdout.write("\n".join(summary_lines(policy, on=when)))

    def do_explain(self, name, person, on, honour=None, renewal=False, **_):
        policy = self._policy(name)
        when = dt.date.fromisoformat(on)
        try:
            from gongjiang.registry.facts import facts_for_person
            from gongjiang.registry.services import find_person_by_id_number
        except ImportError as e:  # the registry app is another engineer's; say so plainly
            raise CommandError(f"registry facts are not available: {e}") from None
        found = find_person_by_id_number(person.strip())
        if found is None:
            raise CommandError("登记库中没有该身份证号码的人员")
        facts = facts_for_person(found)
        try:
            result = services.evaluate_people(policy, facts, on=when, honour=honour,
                                               tree="renewal" if renewal else "eligibility")
        except (KeyError, ValueError) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(explain(result, 0).as_text())

    def _policy(self, name):
        try:
            return services.policy_by_code(name)
        except DomainError as e:
            raise CommandError(e.message) from None
