"""Request and response schemas of the deeds API (`deeds/api.py`). Request bodies refuse
unknown fields and keep dates to a plausible range; every field has a Chinese title for the
422 message."""

import datetime as dt
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dangjian.core.api import MAX_ID, Input, Paging
from dangjian.deeds import queries
from dangjian.deeds.models import Deed, DeedFile, DeedPart, Milestone, SiteVisit, Supervision

DeedStatus = Literal[tuple(Deed.Status.values)]
Source = Literal[tuple(Deed.Source.values)]
Outcome = Literal[tuple(Deed.Outcome.values)]
Escalation = Literal["red", "orange", "blue", "none"]
STATUSES = " / ".join(f"{value} {label}" for value, label in Deed.Status.choices)
SOURCES = " / ".join(f"{value} {label}" for value, label in Deed.Source.choices)
OUTCOMES = " / ".join(f"{value} {label}" for value, label in Deed.Outcome.choices)
ESCALATIONS = "red 红色（逾期超过7天）/ orange 橙色（已逾期）/ blue 蓝色（3天内到期）/ none 无"
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
TEXT_MAX = 5000
IDS_MAX = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _id(title: str, description: str = "", default=None):
    return Field(default, ge=1, le=MAX_ID, title=title, description=description or None)


class Strict(Input):
    """A JSON body: unknown fields are refused rather than silently ignored; dates are kept
    to a plausible range."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _plausible_date(cls, value):
        return _in_range(value)


class FormInput(Input):
    """Form fields of a multipart request (which also carries files)."""

    @field_validator("*")
    @classmethod
    def _plausible_date(cls, value):
        return _in_range(value)


def _in_range(value):
    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and not EARLIEST <= day <= LATEST:
        raise ValueError(f"日期应在{EARLIEST.year}年至{LATEST.year}年之间")
    return value


# ---------------------------------------------------------------- schemas


class DeedOut(Schema):
    id: int
    title: str
    source: str = Field(description=SOURCES)
    source_label: str
    status: str = Field(description=STATUSES)
    status_label: str
    owner_id: int = Field(description="责任单位编号")
    owner_name: str
    co_department_ids: list[int] = Field(description="协办单位编号")
    leader: str = Field(description="责任领导")
    deadline: dt.date = Field(description="完成时限")
    progress: int = Field(description="综合进度（%）：各单位分工进度的平均值")
    escalation: str = Field(description="督办等级：red / orange / blue；空为无")
    escalation_label: str
    community_ids: list[int] = Field(description="受益社区编号")
    enterprise_ids: list[int] = Field(description="受益企业编号")
    activity_id: int | None = Field(None, description="来源活动编号")
    outcome: str = Field(description=f"{OUTCOMES}；未销号时为空")
    outcome_label: str
    committed_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int = Field(description="版本：修改时原样带回，他人已修改时返回 409")
    updated_at: dt.datetime

    @staticmethod
    def resolve_source_label(deed: Deed) -> str:
        return deed.get_source_display()

    @staticmethod
    def resolve_status_label(deed: Deed) -> str:
        return deed.get_status_display()

    @staticmethod
    def resolve_owner_name(deed: Deed) -> str:
        return deed.owner.short_name or deed.owner.name

    @staticmethod
    def resolve_co_department_ids(deed: Deed) -> list[int]:
        return [p.department_id for p in deed.parts.all() if p.department_id != deed.owner_id]

    @staticmethod
    def resolve_progress(deed: Deed) -> int:
        return round(deed.progress)

    @staticmethod
    def resolve_escalation_label(deed: Deed) -> str:
        return queries.LEVEL_LABELS[deed.escalation]

    @staticmethod
    def resolve_community_ids(deed: Deed) -> list[int]:
        return [c.pk for c in deed.communities.all()]

    @staticmethod
    def resolve_enterprise_ids(deed: Deed) -> list[int]:
        return [e.pk for e in deed.enterprises.all()]

    @staticmethod
    def resolve_outcome_label(deed: Deed) -> str:
        return deed.get_outcome_display() if deed.outcome else ""


class DeedPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DeedOut]


class PartOut(Schema):
    id: int
    department_id: int
    department_name: str
    is_owner: bool = Field(description="是否责任单位的分工")
    task: str = Field(description="承担任务")
    progress: int = Field(description="进度（%）")
    note: str = Field(description="进展情况")
    updated_at: dt.datetime | None
    version: int = Field(description="版本：报送进展时原样带回")
    may_update: bool = Field(description="当前用户能否报送此分工的进展")

    @staticmethod
    def resolve_department_name(part: DeedPart) -> str:
        return part.department.short_name or part.department.name

    @staticmethod
    def resolve_is_owner(part: DeedPart) -> bool:
        return part.department_id == part.deed.owner_id

    @staticmethod
    def resolve_may_update(part: DeedPart) -> bool:
        return getattr(part, "may_update", False)


class MilestoneOut(Schema):
    id: int
    title: str
    planned_on: dt.date = Field(description="计划日期")
    done_on: dt.date | None = Field(None, description="实际完成日期；未完成为 null")
    department_id: int
    department_name: str

    @staticmethod
    def resolve_department_name(milestone: Milestone) -> str:
        return milestone.department.short_name or milestone.department.name


class FileOut(Schema):
    id: int
    kind: str = Field(description="visit_photo 现场照片 / evidence 销号材料")
    kind_label: str
    name: str
    content_type: str
    visit_id: int | None
    uploaded_at: dt.datetime
    url: str = Field(description="下载地址")

    @staticmethod
    def resolve_kind_label(item: DeedFile) -> str:
        return item.get_kind_display()

    @staticmethod
    def resolve_url(item: DeedFile) -> str:
        return reverse("api:get_deed_file", args=[item.deed_id, item.pk])


class VisitOut(Schema):
    id: int
    visited_at: dt.datetime = Field(description="时间")
    place: str = Field(description="地点")
    visitors: str = Field(description="参加人员")
    observed: str = Field(description="现场查看情况")
    decided: str = Field(description="现场议定事项")
    department_id: int
    department_name: str
    recorded_at: dt.datetime
    photos: list[FileOut]

    @staticmethod
    def resolve_department_name(visit: SiteVisit) -> str:
        return visit.department.short_name or visit.department.name

    @staticmethod
    def resolve_photos(visit: SiteVisit) -> list:
        return list(visit.files.all())


class SupervisionOut(Schema):
    id: int
    level: str = Field(description="督办时的等级：red / orange / blue；空为无")
    level_label: str
    message: str = Field(description="督办要求")
    issued_at: dt.datetime
    answer: str = Field(description="办理反馈；未反馈为空")
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_level_label(supervision: Supervision) -> str:
        return queries.LEVEL_LABELS.get(supervision.level, "")


class DeedDetail(DeedOut):
    description: str
    beneficiaries: str = Field(description="受益群体")
    cancel_reason: str
    evidence: str = Field(description="销号材料（办理情况说明）")
    submitted_at: dt.datetime | None = Field(None, description="申请销号时间")
    outcome_reason: str = Field(description="未解决原因")
    created_at: dt.datetime
    parts: list[PartOut]
    milestones: list[MilestoneOut]
    visits: list[VisitOut]
    files: list[FileOut] = Field(description="全部附件：现场照片和销号材料")
    supervisions: list[SupervisionOut]
    may_edit: bool = Field(description="当前用户能否修改项目本身、申请销号、反馈督办")
    may_manage: bool = Field(description="当前用户能否承诺、审核销号、撤销、督办")

    @staticmethod
    def resolve_parts(deed: Deed) -> list:
        return list(deed.parts.all())

    @staticmethod
    def resolve_milestones(deed: Deed) -> list:
        return list(deed.milestones.all())

    @staticmethod
    def resolve_visits(deed: Deed) -> list:
        return list(deed.visits.all())

    @staticmethod
    def resolve_files(deed: Deed) -> list:
        return list(deed.files.all())

    @staticmethod
    def resolve_supervisions(deed: Deed) -> list:
        return list(deed.supervisions.all())


class CountsOut(Schema):
    committed: int = Field(description="列入清单（已承诺、推进中、待销号、已销号）")
    in_progress: int = Field(description="已承诺和推进中")
    awaiting: int = Field(description="待销号")
    closed: int = Field(description="已销号（不论办结情况）")
    done: int = Field(description="办结：已解决和部分解决；未解决的不计入")
    fixed: int
    partly: int
    not_fixed: int
    overdue: int = Field(description="未销号且已过完成时限")
    cancelled: int


class DeedFilters(Paging):
    status: DeedStatus | None = Field(None, title="状态", description=STATUSES)
    escalation: Escalation | None = Field(None, title="督办等级", description=ESCALATIONS)
    department: int | None = _id("单位", "责任单位或协办单位的编号")
    community: int | None = _id("受益社区")


class CountFilters(Input):
    department: int | None = _id("单位", "责任单位或协办单位的编号")
    community: int | None = _id("受益社区")


class CoDepartmentIn(Strict):
    department_id: int = _id("协办单位", default=...)
    task: str = Field("", max_length=200, title="承担任务")


class DeedPatch(Strict):
    """Only the fields sent are changed; `version` is the one the change is based on."""

    version: int = Field(ge=1, le=MAX_ID, title="版本", description="读取项目时得到的 version")
    title: str | None = Field(None, max_length=200, title="实事项目")
    description: str | None = Field(None, max_length=TEXT_MAX, title="具体内容")
    source: Source | None = Field(None, title="来源", description=SOURCES)
    leader: str | None = Field(None, max_length=50, title="责任领导")
    beneficiaries: str | None = Field(None, max_length=200, title="受益群体")
    deadline: dt.date | None = Field(None, title="完成时限")
    activity_id: int | None = _id("来源活动", "null 为不关联")
    community_ids: list[Id] | None = Field(None, max_length=IDS_MAX, title="受益社区")
    enterprise_ids: list[Id] | None = Field(None, max_length=IDS_MAX, title="受益企业")


class DeedIn(Strict):
    title: str = Field(max_length=200, title="实事项目")
    description: str = Field("", max_length=TEXT_MAX, title="具体内容")
    source: Source = Field(title="来源", description=SOURCES)
    owner_id: int = _id("责任单位", default=...)
    owner_task: str = Field("", max_length=200, title="责任单位承担任务")
    co_departments: list[CoDepartmentIn] = Field([], max_length=IDS_MAX, title="协办单位")
    leader: str = Field("", max_length=50, title="责任领导")
    beneficiaries: str = Field("", max_length=200, title="受益群体")
    deadline: dt.date = Field(title="完成时限")
    activity_id: int | None = _id("来源活动")
    community_ids: list[Id] = Field([], max_length=IDS_MAX, title="受益社区")
    enterprise_ids: list[Id] = Field([], max_length=IDS_MAX, title="受益企业")


class ReasonIn(Strict):
    reason: str = Field(max_length=200, title="原因")


class PartPatch(Strict):
    """Omitted fields keep their stored values."""

    version: int = Field(ge=1, le=MAX_ID, title="版本", description="读取分工时得到的 version")
    progress: int | None = Field(None, ge=0, le=100, title="进度（%）")
    note: str | None = Field(None, max_length=TEXT_MAX, title="进展情况")
    task: str | None = Field(None, max_length=200, title="承担任务")


class MilestoneIn(Strict):
    title: str = Field(max_length=100, title="节点")
    planned_on: dt.date = Field(title="计划日期")
    department_id: int | None = _id("负责单位", "默认为当前用户所在单位的分工")


class CompleteIn(Strict):
    done_on: dt.date | None = Field(None, title="实际完成日期", description="默认今天")


class VisitForm(FormInput):
    department_id: int | None = _id("单位", "默认为当前用户所在单位的分工")
    visited_at: dt.datetime | None = Field(
        None, title="时间", description="不带时区时按北京时间；不能晚于现在"
    )
    place: str = Field("", max_length=100, title="地点")
    visitors: str = Field("", max_length=200, title="参加人员")
    observed: str = Field("", max_length=TEXT_MAX, title="现场查看情况")
    decided: str = Field("", max_length=TEXT_MAX, title="现场议定事项")


class CloseOutForm(FormInput):
    evidence: str = Field("", max_length=TEXT_MAX, title="销号材料", description="办理情况说明")


class ReviewIn(Strict):
    outcome: Outcome = Field(title="办结情况", description=OUTCOMES)
    reason: str = Field("", max_length=TEXT_MAX, title="未解决原因", description="未解决时必填")


class ReturnIn(Strict):
    reason: str = Field(max_length=TEXT_MAX, title="退回原因")


class SupervisionIn(Strict):
    message: str = Field(max_length=TEXT_MAX, title="督办要求")


class AnswerIn(Strict):
    answer: str = Field(max_length=TEXT_MAX, title="办理反馈")
