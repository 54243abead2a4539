from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.models import TimeStampedModel


class Sector(models.Model):
    """One of the "six intos" (机关, 企业, 社区, 学校, 医院, 警营). Names are data."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "领域"
        verbose_name_plural = "领域"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    """A government unit of the administrative committee (管委会职能部门)."""

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    runs_campaign = models.BooleanField(
        "牵头部门", default=False, help_text="党群工作部等负责组织党史学习教育的部门"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Community(TimeStampedModel):
    name = models.CharField("名称", max_length=50, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.CASCADE, related_name="grids"
    )
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["community", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name}·{self.name}"


class Enterprise(TimeStampedModel):
    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    industry = models.CharField("行业", max_length=50, blank=True)
    community = models.ForeignKey(
        Community,
        verbose_name="所在社区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Institution(TimeStampedModel):
    """A unit other than a department, community or enterprise: a school, a hospital, a police
    station, or a social organization."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "学校"
        HOSPITAL = "hospital", "医院"
        POLICE = "police", "公安派出所"
        SOCIAL = "social", "社会组织"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位（学校、医院、派出所等）"
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user, capability: str = "can_view_orgs"):
        from dangjian.accounts.permissions import scope_for

        return self.filter(scope_for(user, capability).organization_q())


class Organization(TimeStampedModel):
    """A node of the party-organization tree. `path` is the materialised path of primary keys
    ("/1/7/42/") so that a subtree is one indexed prefix query."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind)
    sector = models.ForeignKey(
        Sector,
        verbose_name="领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    is_two_new = models.BooleanField("“两新”组织", default=False)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_ends_on = models.DateField("届满日期", null=True, blank=True)
    secretary = models.ForeignKey(
        "Member",
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    community = models.ForeignKey(
        Community,
        verbose_name="所属社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="所属企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    order = models.PositiveIntegerField("排序", default=0)

    UNIT_FIELDS = ("department", "community", "enterprise", "institution")

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        constraints = [
            # An organization belongs to at most one unit.
            models.CheckConstraint(
                name="organization_single_unit",
                condition=(
                    Q(department__isnull=True, community__isnull=True, enterprise__isnull=True)
                    | Q(department__isnull=True, community__isnull=True, institution__isnull=True)
                    | Q(department__isnull=True, enterprise__isnull=True, institution__isnull=True)
                    | Q(community__isnull=True, enterprise__isnull=True, institution__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["short_name"],
                condition=~Q(short_name=""),
                name="organization_unique_short_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self):
        for field in self.UNIT_FIELDS:
            value = getattr(self, field)
            if value is not None:
                return value
        return None

    def is_ancestor_of(self, other: "Organization") -> bool:
        return other.path.startswith(self.path) and other.pk != self.pk


class DatePrecision(models.TextChoices):
    DAY = "day", "日"
    MONTH = "month", "月"


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Member.ACTIVE_STATUSES)

    def visible_to(self, user, capability: str = "can_view_orgs"):
        """Members in the user's scope for `capability`, plus their own record where the
        capability covers it (a member always sees themselves)."""
        from dangjian.accounts.permissions import scope_for

        scope = scope_for(user, capability)
        if scope.everything:  # Q() | Q(pk=…) would narrow to the own record
            return self.all()
        condition = scope.organization_q("organization__")
        if scope.own_member_id:
            condition |= Q(pk=scope.own_member_id)
        return self.filter(condition)


class Member(TimeStampedModel):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Status(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"
        TRANSFERRED_OUT = "transferred_out", "已转出"
        DECEASED = "deceased", "已去世"

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", "研究生"
        BACHELOR = "bachelor", "大学本科"
        COLLEGE = "college", "大学专科"
        SECONDARY = "secondary", "中专/高中"
        JUNIOR = "junior", "初中及以下"

    ACTIVE_STATUSES = (Status.FULL, Status.PROBATIONARY)

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=50, editable=False, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("学历", max_length=20, choices=Education, blank=True)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=11, null=True, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    # Old rosters often know only the month ("198503"): kept as the 1st plus the precision.
    joined_on_precision = models.CharField(
        "入党日期精度", max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    full_member_on_precision = models.CharField(
        "转正日期精度", max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    status = models.CharField(
        "党员状态", max_length=20, choices=Status, default=Status.FULL, db_index=True
    )
    organization = models.ForeignKey(
        Organization, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    post = models.CharField("职务", max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=Q(phone__isnull=False), name="member_unique_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active_member(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def sector(self):
        return self.organization.sector


class MemberTransfer(models.Model):
    """History of a member moving between organizations (组织关系转接)."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="transfers"
    )
    from_organization = models.ForeignKey(
        Organization, verbose_name="转出党组织", on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(
        Organization, verbose_name="转入党组织", on_delete=models.PROTECT, related_name="+"
    )
    transferred_on = models.DateField("转接日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member}：{self.from_organization} → {self.to_organization}"
