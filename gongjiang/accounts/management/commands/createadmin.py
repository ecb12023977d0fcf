"""`gongjiang createadmin`: the first system administrator of a production deployment.

Django's `createsuperuser` does not know roles and organisations; this command creates a
`sysadmin` account acting for an organisation of the tree (load it first with `gongjiang seed_orgs`),
asks for the password twice (validated like any other) and writes the audit entry.
"""
import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.services import create_user


class Command(BaseCommand):
    help = "Create a system administrator account for an organisation (asks for the password)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--organisation", required=True, help="name of the organisation, e.g. 广东省")
        parser.add_argument("--display-name", default="系统管理员")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-env", metavar="VAR",
                            help="read the password from this environment variable instead of asking")

    def handle(self, *args, username, organisation, display_name, email, password_env, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"user {username!r} already exists")
        orgs = list(Organisation.objects.filter(name=organisation)[:2])
        if len(orgs) != 1:
            roots = ", ".join(Organisation.objects.filter(parent=None).values_list("name", flat=True)) or "none"
            raise CommandError(f"organisation {organisation!r} {'is ambiguous' if orgs else 'not found'}; "
                               f"top-level organisations: {roots} (load them with `gongjiang seed_orgs`)")
        if password_env:
            password = os.environ.get(password_env, "")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("passwords do not match")
        try:
            validate_password(password, User(username=username, display_name=display_name, email=email))
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from None
        user = create_user(username=username, role="sysadmin", organisation=orgs[0], display_name=display_name,
                           email=email, password=password, reason="createadmin: first system administrator")
        self.stdout.write(f"system administrator {user.username} created for {orgs[0].name}")
