"""Create, list and revoke API tokens from the shell (the same services as the 接口令牌 page).

    gongjiang api_token create --name 财政发放系统 --role finance --organisation 惠阳区 --actor it_admin
    gongjiang api_token list
    gongjiang api_token revoke gj_AbCdEfGh --reason 系统下线 --actor it_admin
"""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.errors import DomainError

from ... import tokens
from ...models import ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)
        create.add_argument("--role", required=True, choices=[r.value for r in tokens.TOKEN_ROLES])
        create.add_argument("--organisation", required=True, help="organisation name")
        create.add_argument("--expires", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        create.add_argument("--actor", required=True, help="username of the system administrator")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")
        revoke.add_argument("--reason", required=True)
        revoke.add_argument("--actor", required=True)

    def _actor(self, username):
        actor = User.objects.filter(username=username, role="sysadmin", is_active=True).first()
        if actor is None:
            raise CommandError(f"no active system administrator {username!r}")
        return actor

    def handle(self, *args, action, **opts):
        try:
            if action == "create":
                orgs = list(Organisation.objects.filter(name=opts["organisation"], is_active=True)[:2])
                if len(orgs) != 1:
                    raise CommandError(f"organisation {opts['organisation']!r} not found or ambiguous")
                token, key = tokens.create_token(name=opts["name"], role=opts["role"], organisation=orgs[0],
                                                 expires_on=opts["expires"], actor=self._actor(opts["actor"]))
                self.stdout.write(f"created token {token.prefix}… for {token.name}; the key (shown once):\n{key}")
            elif action == "list":
                for t in ApiToken.objects.select_related("user__organisation"):
                    state = "revoked" if t.revoked_at else ("active" if t.is_active else "expired")
                    self.stdout.write(f"{t.prefix}\t{state}\t{t.user.role}\t{t.user.organisation}\t{t.name}")
            else:
                token = ApiToken.objects.filter(prefix=opts["prefix"]).first()
                if token is None:
                    raise CommandError(f"no token with prefix {opts['prefix']!r}")
                tokens.revoke_token(token, actor=self._actor(opts["actor"]), reason=opts["reason"])
                self.stdout.write(f"revoked {token.prefix}")
        except DomainError as e:
            raise CommandError(e.log) from e
