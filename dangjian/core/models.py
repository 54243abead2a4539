from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditEntry(models.Model):
    """One line of the append-only audit log. Written by services through `core.audit.record`."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome, default=Outcome.SUCCESS)
    details = models.JSONField("详情", default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        # Refuse rewriting history; appending is the only write.
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday on a weekday, or a weekend day
    that is worked (调休上班). The operator keeps the table; deadlines in working days read it."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "节假日"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind)
    name = models.CharField("名称", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
