"""API tokens for system-to-system use (finance, talent-card and archive systems).

A token acts as a service account: its own user with a role and an organisation, so every API
operation applies the same capability and data scope as for a person with that role there. Only
a hash of the key is stored; the key is shown once, when the token is created.
"""
from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    name = models.CharField("用途", max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="服务账号", on_delete=models.PROTECT,
                                related_name="api_token")
    prefix = models.CharField("令牌前缀", max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吊销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.TextField("吊销理由", blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True) | (models.Q(revoked_by__isnull=False)
                                                                                 & ~models.Q(revoke_reason="")),
                                   name="api_token_revoked_has_actor_and_reason"),
        ]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= timezone.localdate())
