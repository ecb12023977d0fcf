from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from gongjiang.core.idnumbers import IdNumberError, validate_uscc
from gongjiang.core.vocab import JURISDICTION_KINDS, OrgKind, Role


class Organisation(models.Model):
    """A node of the organisation tree. `path` is the materialised path of ids ("/1/4/9/")
    so a subtree is one indexed prefix query."""

    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    region_code = models.CharField("行政区划代码", max_length=12, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, null=True, unique=True)
    is_large_enterprise = models.BooleanField("大型企业", default=False)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_under_parent"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except IdNumberError as e:
                raise ValidationError({"uscc": e.message}) from None
        elif self.kind == OrgKind.ENTERPRISE:
            raise ValidationError({"uscc": "企业须填写统一社会信用代码"})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        depth = self.parent.depth + 1 if self.parent_id else 0
        if path != self.path or depth != self.depth:
            self.path, self.depth = path, depth
            type(self).objects.filter(pk=self.pk).update(path=path, depth=depth)

    @property
    def is_jurisdiction(self):
        return self.kind in JURISDICTION_KINDS

    def subtree(self):
        return Organisation.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        return Organisation.objects.filter(pk__in=ids).order_by("depth")

    def jurisdiction(self):
        """The nearest jurisdiction at or above this node (an enterprise's district)."""
        for org in reversed(list(self.ancestors())):
            if org.is_jurisdiction:
                return org
        return None

    def contains(self, other):
        return bool(other) and other.path.startswith(self.path)


class User(AbstractUser):
    """A person who logs in. Officers act for one organisation; applicants for themselves."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.APPLICANT)
    organisation = models.ForeignKey(Organisation, verbose_name="所属组织", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    display_name = models.CharField("姓名", max_length=60, blank=True)
    password_change_required = models.BooleanField(
        "须修改密码", default=False,
        help_text="管理员设置或重置的临时密码：登录后须先修改密码才能办理业务")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="applicant") | models.Q(organisation__isnull=False),
                name="officer_has_organisation",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self):
        return Role(self.role).label
