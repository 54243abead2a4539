"""Request and response schemas of the service-request API (`deeds/request_api.py`).

Two views of a request: `RequestPublic`, what the requester reads with the tracking number
(built by the router from public fields only: never the name, phone, IP or raw text), and
`RequestOut` / `RequestDetail` for the staff who handle it."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from dangjian.core.api import MAX_ID, Paging
from dangjian.deeds import queries
from dangjian.deeds.api_schemas import TEXT_MAX, FormInput, Strict
from dangjian.deeds.models import RequestEvent, RequestRating, ServiceRequest

RequestStatus = Literal[tuple(ServiceRequest.Status.values)]
Outcome = Literal[tuple(ServiceRequest.Outcome.values)]
Rating = Literal[tuple(ServiceRequest.Rating.values)]
Grouping = Literal["department", "category"]
STATUSES = " / ".join(f"{value} {label}" for value, label in ServiceRequest.Status.choices)
OUTCOMES = " / ".join(f"{value} {label}" for value, label in ServiceRequest.Outcome.choices)
RATINGS = " / ".join(f"{value} {label}" for value, label in ServiceRequest.Rating.choices)


def _id(title: str, description: str = "", default=None):
    return Field(default, ge=1, le=MAX_ID, title=title, description=description or None)


# ---------------------------------------------------------------- public (no account)


class IntakeForm(FormInput):
    """Form fields of the multipart intake (photos travel as files beside them)."""

    category: int = _id("诉求类别", default=...)
    community: int | None = _id("所属社区", "居民诉求填写；企业诉求可改填企业名称")
    enterprise_name: str = Field("", max_length=100, title="企业名称")
    place: str = Field("", max_length=100, title="具体地点")
    text: str = Field(max_length=TEXT_MAX, title="诉求内容")
    name: str = Field("", max_length=30, title="姓名", description="可不填")
    phone: str = Field(max_length=20, title="手机号", description="用于回访和查询，不公开")
    submission: str = Field(
        "",
        max_length=64,
        title="提交标识",
        description="客户端为每次提交生成的一次性标识；重试时带上同一标识，不会重复受理",
    )

    @field_validator("community", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if value == "" else value  # a form's unselected <select>


class IntakeOut(Schema):
    tracking_number: str = Field(description="受理编号：凭它和手机号后四位查询办理进度")
    status: str = Field(description=STATUSES)
    status_label: str


class TrackIn(Strict):
    tracking_number: str = Field(max_length=32, title="受理编号")
    digits: str = Field(max_length=10, title="手机号后四位")


class RateIn(TrackIn):
    rating: Rating = Field(title="满意度", description=RATINGS)
    comment: str = Field("", max_length=200, title="意见")


class PublicEvent(Schema):
    kind: str
    label: str
    at: dt.datetime
    department_name: str | None = Field(None, description="承办单位")
    text: str = Field(description="答复或办理情况；电话、身份证号和诉求人姓名已隐去")


class LinkedDeed(Schema):
    id: int
    title: str
    status: str
    status_label: str
    progress: int = Field(description="综合进度（%）")


class RequestPublic(Schema):
    tracking_number: str
    category_name: str
    community_name: str | None
    status: str = Field(description=STATUSES)
    status_label: str
    public_text: str = Field(description="诉求内容；电话、身份证号和诉求人姓名已隐去")
    submitted_at: dt.datetime
    respond_by: dt.datetime | None = Field(None, description="响应时限")
    resolve_by: dt.datetime | None = Field(None, description="办理时限")
    closed_at: dt.datetime | None
    outcome: str = Field(description=f"{OUTCOMES}；未办结时为空")
    outcome_label: str
    rating: str = Field(description=f"{RATINGS}；未评价时为空（不视为满意）")
    rating_label: str
    round: int = Field(description="办理轮次：1，或“不满意”后重新办理的 2")
    may_rate: bool = Field(description="现在能否评价（已办结且本轮未评价）")
    events: list[PublicEvent]
    deed: LinkedDeed | None = Field(None, description="转为实事项目时的项目及其进度")


# ---------------------------------------------------------------- staff


class RequestOut(Schema):
    id: int
    tracking_number: str
    category_id: int
    category_name: str
    community_id: int | None
    community_name: str | None
    enterprise_name: str
    place: str
    text: str = Field(description="诉求内容（管理员可为公开而修改；原文见详情）")
    name: str = Field(description="诉求人")
    phone: str = Field(description="联系电话；无查看个人信息权限时脱敏")
    status: str = Field(description=STATUSES)
    status_label: str
    review_reason: str = Field(description="转入人工审核的原因")
    department_id: int | None = Field(None, description="承办单位编号")
    department_name: str | None
    dispatched_at: dt.datetime | None
    respond_by: dt.datetime | None = Field(None, description="响应时限")
    resolve_by: dt.datetime | None = Field(None, description="办理时限")
    responded_at: dt.datetime | None = Field(None, description="首次签收或答复时间")
    closed_at: dt.datetime | None
    outcome: str = Field(description=f"{OUTCOMES}；未办结时为空")
    outcome_label: str
    round: int
    rating: str = Field(description=f"{RATINGS}；未评价时为空")
    rating_label: str
    escalation: str = Field(description="督办等级：red / orange / blue；空为无")
    escalation_label: str
    deed_id: int | None = Field(None, description="转为的实事项目编号")
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_category_name(item: ServiceRequest) -> str:
        return item.category.name

    @staticmethod
    def resolve_community_name(item: ServiceRequest) -> str | None:
        return item.community.name if item.community_id else None

    @staticmethod
    def resolve_phone(item: ServiceRequest) -> str:
        return item.shown_phone  # set by the router: full or masked

    @staticmethod
    def resolve_status_label(item: ServiceRequest) -> str:
        return item.get_status_display()

    @staticmethod
    def resolve_department_name(item: ServiceRequest) -> str | None:
        department = item.department
        return (department.short_name or department.name) if department else None

    @staticmethod
    def resolve_outcome_label(item: ServiceRequest) -> str:
        return item.get_outcome_display() if item.outcome else ""

    @staticmethod
    def resolve_rating_label(item: ServiceRequest) -> str:
        return item.get_rating_display() if item.rating else ""

    @staticmethod
    def resolve_escalation_label(item: ServiceRequest) -> str:
        return queries.LEVEL_LABELS[item.escalation]


class RequestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


class EventOut(Schema):
    kind: str
    label: str
    round: int
    at: dt.datetime
    department_name: str | None
    text: str
    by_name: str | None = Field(None, description="操作人")

    @staticmethod
    def resolve_label(event: RequestEvent) -> str:
        return event.get_kind_display()

    @staticmethod
    def resolve_department_name(event: RequestEvent) -> str | None:
        department = event.department
        return (department.short_name or department.name) if department else None

    @staticmethod
    def resolve_by_name(event: RequestEvent) -> str | None:
        return (event.by.name or event.by.username) if event.by else None


class RatingOut(Schema):
    round: int
    value: str = Field(description=RATINGS)
    label: str
    comment: str
    via: str = Field(description="web 网上评价 / phone 电话回访")
    via_label: str
    recorded_by_name: str | None = Field(None, description="电话回访的记录人")
    at: dt.datetime

    @staticmethod
    def resolve_label(rating: RequestRating) -> str:
        return rating.get_value_display()

    @staticmethod
    def resolve_via_label(rating: RequestRating) -> str:
        return rating.get_via_display()

    @staticmethod
    def resolve_recorded_by_name(rating: RequestRating) -> str | None:
        user = rating.recorded_by
        return (user.name or user.username) if user else None


class RequestDetail(RequestOut):
    original_text: str = Field(description="诉求人提交的原文（修改公开内容时保留）")
    photo_count: int
    events: list[EventOut]
    ratings: list[RatingOut]
    may_dispatch: bool = Field(description="当前用户能否审核、派单、记录电话回访")
    may_handle: bool = Field(description="当前用户能否签收、退回、答复、办结")

    @staticmethod
    def resolve_photo_count(item: ServiceRequest) -> int:
        return len(item.photos.all())

    @staticmethod
    def resolve_events(item: ServiceRequest) -> list:
        return list(item.events.all())

    @staticmethod
    def resolve_ratings(item: ServiceRequest) -> list:
        return list(item.ratings.all())


class RequestFilters(Paging):
    status: RequestStatus | None = Field(None, title="状态", description=STATUSES)
    category: int | None = _id("诉求类别")
    department: int | None = _id("承办单位")


class RatesFilters(FormInput):
    start: dt.date | None = Field(
        None, title="开始日期", description="按首次派单日期；默认今年1月1日"
    )
    end: dt.date | None = Field(None, title="结束日期", description="含当天；默认今天")
    by: Grouping | None = Field(
        None, title="分组", description="department 按承办单位 / category 按诉求类别；不填为合计"
    )


class RatesRow(Schema):
    key: int | None = Field(None, description="承办单位或诉求类别的编号；合计为 null")
    label: str
    dispatched: int = Field(description="期内首次派单的诉求数（响应率的分母）")
    responded_in_time: int = Field(description="在响应时限内签收或答复的")
    closed: int = Field(description="已办结（不含不属于受理范围；解决率的分母）")
    resolved: int
    explained: int
    out_of_remit: int
    rated: int = Field(description="已评价（满意率的分母）")
    satisfied: int
    basically: int
    unsatisfied: int
    unrated: int = Field(description="已办结未评价：不计为满意")
    response_rate: float | None = Field(description="响应率（0–1）；分母为 0 时为 null")
    resolution_rate: float | None = Field(description="解决率（0–1）；分母为 0 时为 null")
    satisfaction_rate: float | None = Field(description="满意率（0–1）；分母为 0 时为 null")


class RatesOut(Schema):
    start: dt.date
    end: dt.date
    by: str | None
    rows: list[RatesRow]


# ---------------------------------------------------------------- handling


class ReviewIn(Strict):
    release: bool = Field(title="审核结果", description="true 通过（待派单）/ false 不予受理")
    reason: str = Field("", max_length=200, title="原因", description="不予受理时必填")


class DispatchIn(Strict):
    department: int = _id("承办单位", default=...)
    respond_days: int | None = Field(
        None, ge=1, le=365, title="响应时限（工作日）", description="默认为诉求类别的设置"
    )
    resolve_days: int | None = Field(
        None, ge=1, le=365, title="办理时限（工作日）", description="默认为诉求类别的设置"
    )


class ReasonIn(Strict):
    reason: str = Field(max_length=200, title="退回原因")


class ReplyIn(Strict):
    text: str = Field(max_length=TEXT_MAX, title="答复内容")


class CloseIn(Strict):
    outcome: Outcome = Field(title="办理结果", description=OUTCOMES)
    text: str = Field(max_length=TEXT_MAX, title="办理情况")


class PhoneRatingIn(Strict):
    rating: Rating = Field(title="满意度", description=RATINGS)
    comment: str = Field("", max_length=200, title="意见")
