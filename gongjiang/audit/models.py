from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One state change. Append-only (database triggers refuse UPDATE and DELETE) and chained:
    `hash` is an HMAC, under a key the database does not hold (`key_id` names it), of every field and
    `prev_hash`, the hash of the entry before it."""

    created_at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    organisation_name = models.CharField("组织", max_length=200, blank=True)
    organisation_id_snapshot = models.BigIntegerField(null=True, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField("密钥标识", max_length=12, default="")

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["id"]
        # A person's latest entries (the home page's 已办) without sorting all of theirs.
        indexes = [models.Index(fields=["actor", "created_at"], name="audit_actor_created")]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The newest entry's id and hash, so that deleting the tail of the chain is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class ChainCheck(models.Model):
    """The result of one verification of the chain (`gongjiang audit verify`, e.g. from cron, or
    the check button of the log viewer), so the viewer can show when the chain was last proven intact."""

    checked_at = models.DateTimeField("校验时间", auto_now_add=True)
    ok = models.BooleanField("完整")
    checked = models.PositiveIntegerField("已校验条数")
    broken_at = models.BigIntegerField("首个断点", null=True, blank=True)
    problem = models.CharField("问题", max_length=255, blank=True)
    triggered_by = models.CharField("发起", max_length=150, blank=True)

    class Meta:
        verbose_name = "链校验记录"
        verbose_name_plural = "链校验记录"
        ordering = ["-checked_at", "-id"]
