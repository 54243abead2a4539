"""Campaigns, their activities, registration and check-in (党史学习教育活动)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.core.models import TimeStampedModel

CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)


class Campaign(TimeStampedModel):
    """A time-boxed learning campaign (党史学习教育). At most one is current."""

    name = models.CharField("名称", max_length=100, unique=True)
    theme = models.CharField("主题", max_length=200, blank=True)
    goals = models.TextField("目标要求", blank=True, help_text="如：学党史、悟思想、办实事、开新局")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    is_current = models.BooleanField("当前活动", default=False)

    class Meta:
        verbose_name = "党史学习教育"
        verbose_name_plural = "党史学习教育"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="campaign_one_current"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityType(models.Model):
    """A configurable kind of activity (启动仪式, 宣讲报告…), seeded by a data migration."""

    name = models.CharField("名称", max_length=30, unique=True)
    code = models.SlugField("代码", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "活动类型"
        verbose_name_plural = "活动类型"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Place(TimeStampedModel):
    """A reusable place; red-resource sites (红色教育基地) such as 张园 are marked."""

    name = models.CharField("名称", max_length=100, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    is_red_resource = models.BooleanField("红色资源", default=False)
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "活动地点"
        verbose_name_plural = "活动地点"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Activities organized by or inviting an organization in the user's scope; a member
        also sees those of their own organization and its ancestors."""
        from dangjian.accounts.permissions import own_member_id, scope_for

        scope = scope_for(user, "can_view_orgs")
        if scope.everything:
            return self.all()
        condition = scope.organization_q("organizers__") | scope.organization_q(
            "invited_organizations__"
        )
        ids = _own_organization_ids(own_member_id(user))
        if ids:
            condition |= Q(organizers__in=ids) | Q(invited_organizations__in=ids)
        return self.filter(pk__in=self.model.objects.filter(condition).values("pk"))


def _own_organization_ids(member_id: int | None) -> list[int]:
    """The member's organization and its ancestors, from its materialised path."""
    from dangjian.orgs.models import Member

    if member_id is None:
        return []
    path = Member.objects.filter(pk=member_id).values_list("organization__path", flat=True)
    return [int(part) for part in (path.first() or "").split("/") if part]


class Activity(TimeStampedModel):
    """Anything held under a campaign. planned / open / cancelled are set; 进行中 and 已结束
    follow from the times (`phase`)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "筹备中"
        OPEN = "open", "报名中"
        CANCELLED = "cancelled", "已取消"

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        FINISHED = "finished", "已结束"
        CANCELLED = "cancelled", "已取消"

    campaign = models.ForeignKey(
        Campaign, verbose_name="所属学习教育", on_delete=models.PROTECT, related_name="activities"
    )
    type = models.ForeignKey(
        ActivityType, verbose_name="活动类型", on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField("活动名称", max_length=200)
    description = models.TextField("活动内容", blank=True)
    organizers = models.ManyToManyField(
        "orgs.Organization", verbose_name="主办党组织", related_name="organized_activities"
    )
    invited_organizations = models.ManyToManyField(
        "orgs.Organization",
        verbose_name="邀请党组织",
        blank=True,
        related_name="invited_activities",
    )
    target_sectors = models.ManyToManyField(
        "orgs.Sector", verbose_name="面向领域", blank=True, related_name="activities"
    )
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    place = models.ForeignKey(
        Place,
        verbose_name="地点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    capacity = models.PositiveIntegerField("名额", null=True, blank=True, help_text="空为不限")
    registration_required = models.BooleanField("需要报名", default=False)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.PLANNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    walk_ins = models.PositiveIntegerField("非党员参加人数", default=0)
    summary = models.TextField("活动总结", blank=True)
    summary_updated_at = models.DateTimeField("总结更新时间", null=True, blank=True)
    summary_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="总结填写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activity_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, now: dt.datetime | None = None) -> str:
        """未开始 / 进行中 / 已结束 / 已取消, as a `Phase` value."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return self.Phase.CANCELLED
        if now < self.starts_at:
            return self.Phase.UPCOMING
        if now < self.ends_at:
            return self.Phase.IN_PROGRESS
        return self.Phase.FINISHED

    def phase_label(self, now: dt.datetime | None = None) -> str:
        return self.Phase(self.phase(now)).label

    def check_in_open(self, at: dt.datetime) -> bool:
        return self.starts_at - CHECK_IN_OPENS_BEFORE <= at <= self.ends_at


class Registration(models.Model):
    """A member's sign-up (报名); beyond capacity it waits and is promoted in sign-up order."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "已报名"
        WAITING = "waiting", "候补"
        CANCELLED = "cancelled", "已取消"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="registrations"
    )
    member = models.ForeignKey(
        "orgs.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.REGISTERED)
    created_at = models.DateTimeField("报名时间", default=timezone.now, db_index=True)
    promoted_at = models.DateTimeField("递补时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}·{self.activity}"


class CheckIn(models.Model):
    """Proof of attendance (签到): one per member per activity."""

    class Method(models.TextChoices):
        ROLL_CALL = "roll_call", "书记点名"
        QR_SCREEN = "qr_screen", "扫现场二维码"
        MEMBER_CODE = "member_code", "扫党员码"
        OFFLINE = "offline", "纸质签到表补录"

    # No index of its own: the (activity, member) constraint's index serves look-ups by
    # activity, and every check-in at the door would otherwise update one more index.
    activity = models.ForeignKey(
        Activity,
        verbose_name="活动",
        on_delete=models.CASCADE,
        related_name="check_ins",
        db_index=False,
    )
    member = models.ForeignKey(
        "orgs.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="check_ins"
    )
    at = models.DateTimeField("签到时间")
    method = models.CharField("签到方式", max_length=12, choices=Method)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nonce = models.CharField("防重码", max_length=64, null=True, blank=True)
    registered = models.BooleanField("已报名", default=False, help_text="否：未报名直接参加")

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="check_in_one_per_member"),
            models.UniqueConstraint(
                fields=["nonce"], condition=Q(nonce__isnull=False), name="check_in_unique_nonce"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}·{self.activity}"


def _photo_path(photo: "ActivityPhoto", filename: str) -> str:
    return f"activity-photos/{photo.activity_id}/{photo.sha256[:32]}.jpg"


class ActivityPhoto(models.Model):
    """A photo of a held activity, re-encoded upright as JPEG without its metadata
    (`core.images.clean_photo`). `sha256` is of the uploaded bytes: the same file sent twice
    is one photo."""

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField("照片", upload_to=_photo_path, max_length=200)
    caption = models.CharField("说明", max_length=100, blank=True)
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    sha256 = models.CharField("校验值", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "sha256"], name="activity_photo_once"),
        ]

    def __str__(self) -> str:
        return self.caption or f"{self.activity}·照片{self.pk}"


class MemberCode(models.Model):
    """The version of a member's personal check-in code (党员码). The code is signed, so only
    the version is stored: re-issuing bumps it and every older code stops working."""

    member = models.OneToOneField(
        "orgs.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="check_in_code"
    )
    version = models.PositiveIntegerField("版本", default=1)
    issued_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "党员码"
        verbose_name_plural = "党员码"

    def __str__(self) -> str:
        return f"{self.member}·第{self.version}版"
