"""A policy file as loaded into the database: the rounds and honours of later stages point here.

The YAML file in `policies/` is the source of truth; `services.load_policies()` stores its text,
its sha256 and the parsed document, and bumps `version` when the text changes."""
from django.db import models


class Policy(models.Model):
    code = models.SlugField("代码", max_length=80, unique=True)
    title = models.CharField("名称", max_length=200)
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="实施地区", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="policies")
    version = models.PositiveIntegerField("版本", default=1)
    sha256 = models.CharField(max_length=64)
    source = models.TextField("YAML原文")
    document = models.JSONField("解析结果")
    valid_from = models.DateField("施行日期", null=True, blank=True)
    valid_to = models.DateField("有效期至", null=True, blank=True)
    loaded_at = models.DateTimeField("载入时间")

    class Meta:
        verbose_name = "政策"
        verbose_name_plural = "政策"
        ordering = ["code"]

    def __str__(self):
        return self.title

    def in_force(self, on) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)
