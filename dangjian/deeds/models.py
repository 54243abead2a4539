"""The practical-deeds ledger (我为群众办实事台账): deeds, each department's part, milestones,
on-site visits, close-out with evidence, and supervision notices (督办)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.models import TimeStampedModel


def _user_fk(label: str):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Deed(TimeStampedModel):
    """A committed practical deed (实事项目). `version` grows with every save of the deed's own
    fields, so two people editing at once cannot overwrite each other (the second gets 409)."""

    class Source(models.TextChoices):
        RESEARCH = "research", "现场调研"
        RESIDENT = "resident", "群众诉求"
        ENTERPRISE = "enterprise", "企业诉求"
        VISIT = "visit", "走访企业"
        TEA = "tea", "政企下午茶"
        PARTY_DAY = "party_day", "主题党日"
        ASSIGNMENT = "assignment", "领导交办"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "拟办"
        COMMITTED = "committed", "已承诺"
        IN_PROGRESS = "in_progress", "推进中"
        AWAITING = "awaiting", "待销号"
        CLOSED = "closed", "已销号"
        CANCELLED = "cancelled", "已撤销"

    class Outcome(models.TextChoices):
        FIXED = "fixed", "已解决"
        PARTLY = "partly", "部分解决"
        NOT_FIXED = "not_fixed", "未解决"

    title = models.CharField("实事项目", max_length=200)
    description = models.TextField("具体内容", blank=True)
    source = models.CharField("来源", max_length=12, choices=Source)
    owner = models.ForeignKey(
        "orgs.Department",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="owned_deeds",
    )
    leader = models.CharField("责任领导", max_length=50, blank=True)
    communities = models.ManyToManyField(
        "orgs.Community", verbose_name="受益社区", blank=True, related_name="deeds"
    )
    enterprises = models.ManyToManyField(
        "orgs.Enterprise", verbose_name="受益企业", blank=True, related_name="deeds"
    )
    beneficiaries = models.CharField("受益群体", max_length=200, blank=True)
    deadline = models.DateField("完成时限", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status, default=Status.PROPOSED, db_index=True
    )
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)
    activity = models.ForeignKey(
        "campaigns.Activity",
        verbose_name="来源活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deeds",
    )
    committed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    evidence = models.TextField("销号材料", blank=True)
    submitted_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    submitted_by = _user_fk("申请销号人")
    outcome = models.CharField("办结情况", max_length=10, choices=Outcome, blank=True)
    outcome_reason = models.TextField("未解决原因", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = _user_fk("销号审核人")
    version = models.PositiveIntegerField("版本", default=1)
    created_by = _user_fk("创建人")

    class Meta:
        verbose_name = "实事项目"
        verbose_name_plural = "实事项目"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="deed_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)


class DeedPart(models.Model):
    """One department's share of a deed: the owner's, and each co-department's. Each department
    updates only its own part; the deed's progress is the mean of its parts."""

    deed = models.ForeignKey(
        Deed, verbose_name="实事项目", on_delete=models.CASCADE, related_name="parts"
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="单位", on_delete=models.PROTECT, related_name="deed_parts"
    )
    task = models.CharField("承担任务", max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    note = models.TextField("进展情况", blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)
    updated_by = _user_fk("更新人")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "分工"
        verbose_name_plural = "分工"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["deed", "department"], name="deed_part_once"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="deed_part_progress_max"),
        ]

    def __str__(self) -> str:
        return f"{self.deed}·{self.department}"


class Milestone(models.Model):
    deed = models.ForeignKey(
        Deed, verbose_name="实事项目", on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField("节点", max_length=100)
    planned_on = models.DateField("计划日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)
    department = models.ForeignKey(
        "orgs.Department", verbose_name="负责单位", on_delete=models.PROTECT, related_name="+"
    )
    created_by = _user_fk("创建人")

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.title


class SiteVisit(models.Model):
    """The on-site method (现场查看、现场办公、现场解决): who went, when, where, what they saw and
    what they decided there."""

    deed = models.ForeignKey(
        Deed, verbose_name="实事项目", on_delete=models.CASCADE, related_name="visits"
    )
    visited_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=100)
    visitors = models.CharField("参加人员", max_length=200)
    observed = models.TextField("现场查看情况")
    decided = models.TextField("现场议定事项", blank=True)
    department = models.ForeignKey(
        "orgs.Department", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = _user_fk("记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "现场办公"
        verbose_name_plural = "现场办公"
        ordering = ["visited_at", "id"]

    def __str__(self) -> str:
        return f"{self.deed}·{self.place}"


def _file_path(item: "DeedFile", filename: str) -> str:
    return f"deed-files/{item.deed_id}/{item.sha256[:32]}{item.extension}"


class DeedFile(models.Model):
    """A photo (of a visit, or evidence) or a document (evidence for close-out), checked by its
    content before it is kept (`core.images`, `core.documents`)."""

    class Kind(models.TextChoices):
        VISIT_PHOTO = "visit_photo", "现场照片"
        EVIDENCE = "evidence", "销号材料"

    deed = models.ForeignKey(
        Deed, verbose_name="实事项目", on_delete=models.CASCADE, related_name="files"
    )
    visit = models.ForeignKey(
        SiteVisit,
        verbose_name="现场办公",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    kind = models.CharField("类别", max_length=12, choices=Kind)
    file = models.FileField("文件", upload_to=_file_path, max_length=200)
    name = models.CharField("文件名", max_length=100)
    content_type = models.CharField("类型", max_length=100)
    extension = models.CharField("扩展名", max_length=8)
    sha256 = models.CharField("校验值", max_length=64)
    uploaded_by = _user_fk("上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deed", "kind", "sha256"], name="deed_file_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class Supervision(models.Model):
    """A supervision notice (督办) the operator issues on a deed or on a service request, and
    the department's answer."""

    deed = models.ForeignKey(
        Deed,
        verbose_name="实事项目",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    request = models.ForeignKey(
        "ServiceRequest",
        verbose_name="群众诉求",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    level = models.CharField("督办等级", max_length=8)
    message = models.TextField("督办要求")
    issued_at = models.DateTimeField("督办时间", auto_now_add=True)
    issued_by = _user_fk("督办人")
    answer = models.TextField("办理反馈", blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    answered_by = _user_fk("反馈人")

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deed__isnull=False, request__isnull=True)
                | Q(deed__isnull=True, request__isnull=False),
                name="supervision_of_deed_or_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deed or self.request}·督办"


# ---------------------------------------------------------------- service requests (群众诉求)


class RequestCategory(models.Model):
    """A kind of request, with the working days a department has to respond and to resolve,
    and the department it usually goes to."""

    name = models.CharField("诉求类别", max_length=30, unique=True)
    respond_days = models.PositiveSmallIntegerField("响应时限（工作日）", default=1)
    resolve_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=7)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="默认承办单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    for_enterprises = models.BooleanField("企业诉求", default=False)
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(respond_days__gte=1, resolve_days__gte=1),
                name="request_category_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceRequest(TimeStampedModel):
    """A resident's or an enterprise's request (群众诉求). The requester follows it with the
    tracking number and the last four digits of their phone; `original_text` is what they wrote
    and never changes, `text` is what the public pages show (the operator may edit it).

    `round` is 1, or 2 after a "不满意" rating reopened it; `rating` is the last rating given.
    `version` grows with every change of state, so two people acting at once cannot both win."""

    class Status(models.TextChoices):
        REVIEW = "review", "待审核"
        PENDING = "pending", "待派单"
        DISPATCHED = "dispatched", "待签收"
        ACCEPTED = "accepted", "办理中"
        CLOSED = "closed", "已办结"
        DISMISSED = "dismissed", "不予受理"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "已解决"
        EXPLAINED = "explained", "已解释说明"
        OUT_OF_REMIT = "out_of_remit", "不属于受理范围"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    tracking_number = models.CharField("受理编号", max_length=16, unique=True)
    category = models.ForeignKey(
        RequestCategory, verbose_name="诉求类别", on_delete=models.PROTECT, related_name="requests"
    )
    community = models.ForeignKey(
        "orgs.Community",
        verbose_name="所属社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    enterprise_name = models.CharField("企业名称", max_length=100, blank=True)
    place = models.CharField("具体地点", max_length=100, blank=True)
    original_text = models.TextField("原始诉求内容")
    text = models.TextField("诉求内容")
    name = models.CharField("诉求人", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=11, db_index=True)
    ip = models.GenericIPAddressField("提交 IP", null=True, blank=True)
    review_reason = models.CharField("审核原因", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status, default=Status.PENDING, db_index=True
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    first_dispatched_at = models.DateTimeField("首次派单时间", null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    respond_by = models.DateTimeField("响应时限", null=True, blank=True)
    resolve_by = models.DateTimeField("办理时限", null=True, blank=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=12, choices=Outcome, blank=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    rating = models.CharField("满意度", max_length=12, choices=Rating, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # The intake form's one-time token: a double tap or a retried upload is one request.
    submission = models.CharField("提交标识", max_length=64, null=True, blank=True)
    deed = models.ForeignKey(
        Deed,
        verbose_name="转为实事项目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="request_closed_has_outcome"
            ),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="request_round_1_or_2"),
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(submission__isnull=False),
                name="request_submission_once",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in (
            self.Status.PENDING,
            self.Status.DISPATCHED,
            self.Status.ACCEPTED,
        )


def _request_photo_path(item: "RequestPhoto", filename: str) -> str:
    return f"request-photos/{item.request_id}/{item.sha256[:32]}{item.extension}"


class RequestPhoto(models.Model):
    """A photo sent with a request, checked by content and stripped of metadata
    (`core.images`). Served only to the staff who handle the request."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name="群众诉求", on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to=_request_photo_path, max_length=200)
    content_type = models.CharField("类型", max_length=100)
    extension = models.CharField("扩展名", max_length=8)
    sha256 = models.CharField("校验值", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "sha256"], name="request_photo_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request}·照片"


class RequestEvent(models.Model):
    """One step of a request's handling, as the requester and the staff see it on its
    timeline. `text` is what was said to the requester (a reply, a result) or the reason of a
    step (why it was sent back); it never holds the requester's personal data."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交诉求"
        HELD = "held", "转入人工审核"
        RELEASED = "released", "审核通过"
        DISMISSED = "dismissed", "不予受理"
        DISPATCHED = "dispatched", "派单"
        SENT_BACK = "sent_back", "退回"
        ACCEPTED = "accepted", "签收"
        REPLIED = "replied", "答复"
        CLOSED = "closed", "办结"
        RATED = "rated", "评价"
        REOPENED = "reopened", "重新办理"
        SUPERVISED = "supervised", "督办"
        LINKED = "linked", "转为实事项目"

    request = models.ForeignKey(
        ServiceRequest, verbose_name="群众诉求", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("环节", max_length=12, choices=Kind)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    at = models.DateTimeField("时间")
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("内容", blank=True)
    by = _user_fk("操作人")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request}·{self.get_kind_display()}"


class RequestRating(models.Model):
    """A rating of one round (回访评价): given by the requester on the tracking page, or recorded
    by the operator from a phone follow-up (marked, with who recorded it). One per round."""

    class Via(models.TextChoices):
        WEB = "web", "网上评价"
        PHONE = "phone", "电话回访"

    request = models.ForeignKey(
        ServiceRequest, verbose_name="群众诉求", on_delete=models.CASCADE, related_name="ratings"
    )
    round = models.PositiveSmallIntegerField("办理轮次")
    value = models.CharField("满意度", max_length=12, choices=ServiceRequest.Rating)
    comment = models.CharField("意见", max_length=200, blank=True)
    via = models.CharField("方式", max_length=6, choices=Via)
    recorded_by = _user_fk("记录人")
    at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "回访评价"
        verbose_name_plural = "回访评价"
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(fields=["request", "round"], name="request_rating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request}·第{self.round}轮·{self.get_value_display()}"


class BlockedPhone(models.Model):
    """A phone whose requests go to the operator's review queue instead of dispatch."""

    phone = models.CharField("手机号", max_length=11, unique=True)
    reason = models.CharField("原因", max_length=100)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)
    created_by = _user_fk("操作人")

    class Meta:
        verbose_name = "诉求黑名单"
        verbose_name_plural = "诉求黑名单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.phone
