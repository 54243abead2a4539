"""Saved briefings (工作简报) and their versions. `reports` owns no domain data: a briefing is
text the operator edits, with the figures its draft was generated from."""

from django.conf import settings
from django.db import models

from dangjian.reports.registry import Period, Scope


class BriefingQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope):
        """All briefings for the district-wide scope; otherwise only those of exactly the
        user's scope (a secretary's subtree, an officer's departments)."""
        if scope.everything:
            return self.all()
        return self.filter(scope_key=scope_key(scope))


def scope_key(scope: Scope) -> str:
    """The scope without its label, which follows renamings: what makes two scopes equal."""
    if scope.everything:
        return "*"
    paths = ",".join(sorted(scope.paths))
    departments = ",".join(str(pk) for pk in sorted(scope.department_ids))
    return f"paths={paths};departments={departments}"[:500]


class Briefing(models.Model):
    """A briefing for a period and a scope. Its text lives in its versions."""

    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    scope = models.JSONField("范围")
    scope_key = models.CharField("范围标识", max_length=500, db_index=True)
    scope_label = models.CharField("范围名称", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        verbose_name = "工作简报"
        verbose_name_plural = "工作简报"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        latest = self.latest_version()
        return latest.title if latest else f"工作简报{self.pk}"

    @property
    def period(self) -> Period:
        return Period(self.starts_on, self.ends_on)

    @property
    def the_scope(self) -> Scope:
        return Scope.from_dict(self.scope)

    def latest_version(self) -> "BriefingVersion | None":
        cached = getattr(self, "_latest", None)
        if cached is None:
            cached = self._latest = self.versions.order_by("-number").first()
        return cached


class BriefingVersion(models.Model):
    """One saved text of a briefing. `figures` are the figures behind its draft (key, label,
    exact value, unit, url), so the page can tell which have changed since."""

    briefing = models.ForeignKey(
        Briefing, verbose_name="工作简报", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    figures = models.JSONField("数据", default=list)
    note = models.CharField("说明", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="保存人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "简报版本"
        verbose_name_plural = "简报版本"
        ordering = ["briefing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "number"], name="briefing_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"
