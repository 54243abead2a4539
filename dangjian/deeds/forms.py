"""Forms of the ledger pages. They parse input; `deeds.services` decides."""

from django import forms
from django.conf import settings
from django.db.models import Q

from dangjian.campaigns.models import Activity
from dangjian.deeds.models import Deed
from dangjian.deeds.queries import BLUE, ORANGE, RED
from dangjian.orgs.models import Community, Department, Enterprise

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
PUBLIC_STATUSES = (
    Deed.Status.COMMITTED,
    Deed.Status.IN_PROGRESS,
    Deed.Status.AWAITING,
    Deed.Status.CLOSED,
)


def escalation_choices() -> list[tuple[str, str]]:
    return [
        ("", "全部预警"),
        (RED, f"红色（逾期超过{settings.DEED_RED_AFTER_DAYS}天）"),
        (ORANGE, "橙色（已逾期）"),
        (BLUE, f"蓝色（{settings.DEED_DUE_SOON_DAYS}天内到期）"),
    ]


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.short_name or obj.name


class DepartmentMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.short_name or obj.name


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.starts_at:%Y-%m-%d} {obj.title}"


# ---------------------------------------------------------------- lists


class DeedFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Deed.Status.choices]
    )
    escalation = forms.ChoiceField(label="预警", required=False, choices=escalation_choices)
    department = DepartmentChoiceField(
        label="单位", required=False, empty_label="全部单位", queryset=Department.objects.all()
    )
    community = forms.ModelChoiceField(
        label="社区", required=False, empty_label="全部社区", queryset=Community.objects.all()
    )
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部来源"), *Deed.Source.choices]
    )
    q = forms.CharField(label="搜索实事项目", required=False, max_length=50)


class PublicFilterForm(forms.Form):
    department = DepartmentChoiceField(
        label="责任单位", required=False, empty_label="全部单位", queryset=Department.objects.all()
    )
    community = forms.ModelChoiceField(
        label="社区", required=False, empty_label="全部社区", queryset=Community.objects.all()
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态")] + [(s.value, s.label) for s in PUBLIC_STATUSES],
    )


def filter_deeds(deeds, filters: dict):
    """The deeds matching the filters of either list form."""
    if filters.get("status"):
        deeds = deeds.filter(status=filters["status"])
    if filters.get("escalation"):
        deeds = deeds.filter(escalation=filters["escalation"])
    if filters.get("department"):
        department = filters["department"]
        ids = Deed.objects.filter(Q(owner=department) | Q(parts__department=department))
        deeds = deeds.filter(pk__in=ids.values("pk"))
    if filters.get("community"):
        ids = Deed.objects.filter(communities=filters["community"]).values("pk")
        deeds = deeds.filter(pk__in=ids)
    if filters.get("source"):
        deeds = deeds.filter(source=filters["source"])
    if filters.get("q"):
        deeds = deeds.filter(title__contains=filters["q"].strip())
    return deeds


# ---------------------------------------------------------------- the deed


class DeedForm(forms.Form):
    """Create (with the owner and co-departments) or edit (with the version it is based on)."""

    title = forms.CharField(label="实事项目", max_length=200)
    source = forms.ChoiceField(label="来源", choices=[("", "请选择"), *Deed.Source.choices])
    owner = DepartmentChoiceField(label="责任单位", queryset=Department.objects.none())
    owner_task = forms.CharField(label="责任单位承担任务", required=False, max_length=200)
    co_departments = DepartmentMultipleField(
        label="协办单位",
        required=False,
        queryset=Department.objects.all(),
        help_text="每个协办单位报送自己的分工进展",
    )
    leader = forms.CharField(label="责任领导", required=False, max_length=50)
    deadline = forms.DateField(label="完成时限", widget=DATE)
    communities = forms.ModelMultipleChoiceField(
        label="受益社区", required=False, queryset=Community.objects.all()
    )
    enterprises = forms.ModelMultipleChoiceField(
        label="受益企业", required=False, queryset=Enterprise.objects.order_by("name")
    )
    beneficiaries = forms.CharField(label="受益群体", required=False, max_length=200)
    activity = ActivityChoiceField(
        label="来源活动", required=False, empty_label="（无）", queryset=Activity.objects.none()
    )
    description = forms.CharField(label="具体内容", required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    EDIT_ONLY = ("version",)
    CREATE_ONLY = ("owner", "owner_task", "co_departments")

    def __init__(self, *args, user, owners=None, instance: Deed | None = None, **kwargs):
        if instance is not None:
            initial = {name: getattr(instance, name) for name in ("title", "source", "leader")}
            initial |= {
                "deadline": instance.deadline,
                "beneficiaries": instance.beneficiaries,
                "description": instance.description,
                "activity": instance.activity_id,
                "communities": list(instance.communities.all()),
                "enterprises": list(instance.enterprises.all()),
                "version": instance.version,
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for name in self.CREATE_ONLY if instance is not None else self.EDIT_ONLY:
            del self.fields[name]
        if instance is None:
            self.fields["owner"].queryset = owners
            if owners is not None and len(owners) == 1:
                self.fields["owner"].empty_label = None
        else:
            self.fields["version"].required = True
        activities = Activity.objects.visible_to(user)
        if instance is not None and instance.activity_id:
            activities = activities | Activity.objects.filter(pk=instance.activity_id)
        self.fields["activity"].queryset = activities.order_by("-starts_at", "-id")
        for field in self.fields.values():
            if getattr(field.widget, "input_type", None) in ("text", "number", "datetime-local"):
                field.widget.attrs.setdefault("class", "form-control")

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if "co_departments" in data:
            data["co_departments"] = [(d, "") for d in data["co_departments"]]
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=200, error_messages={"required": "请填写原因"}
    )

    def __init__(self, *args, label: str = "原因", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = f"请填写{label}"
        self.fields["reason"].widget.attrs["class"] = "form-control"


class PartForm(forms.Form):
    progress = forms.IntegerField(
        label="进度（%）",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "请填写进度",
            "invalid": "进度应为0到100之间的整数",
            "min_value": "进度应为0到100之间的整数",
            "max_value": "进度应为0到100之间的整数",
        },
    )
    note = forms.CharField(label="进展情况", required=False, max_length=2000)
    version = forms.IntegerField(min_value=1, error_messages={"required": "页面已过期，请刷新"})


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=100)
    planned_on = forms.DateField(label="计划日期", widget=DATE)
    department = DepartmentChoiceField(label="负责单位", queryset=Department.objects.none())

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None
        self.fields["title"].widget.attrs["class"] = "form-control"


class CompleteMilestoneForm(forms.Form):
    done_on = forms.DateField(
        label="实际完成日期",
        widget=DATE,
        error_messages={"required": "请填写实际完成日期", "invalid": "日期格式不正确"},
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; an empty list when none was chosen."""

    def __init__(self, *args, accept: str, **kwargs):
        kwargs.setdefault("required", False)
        widget = MultipleFileInput(attrs={"accept": accept, "class": "form-control"})
        super().__init__(*args, widget=widget, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class VisitForm(forms.Form):
    department = DepartmentChoiceField(label="单位", queryset=Department.objects.none())
    visited_at = forms.DateTimeField(label="时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    place = forms.CharField(label="地点", max_length=100)
    visitors = forms.CharField(label="参加人员", max_length=200)
    observed = forms.CharField(label="现场查看情况", widget=forms.Textarea)
    decided = forms.CharField(label="现场议定事项", required=False, widget=forms.Textarea)
    photos = MultipleFileField(
        label="现场照片",
        accept="image/jpeg,image/png,image/webp",
        help_text="可选多张；JPG、PNG 或 WebP，每张不超过10 MB；位置等拍摄信息会被去除",
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None
        for field in self.fields.values():
            if getattr(field.widget, "input_type", None) in ("text", "datetime-local"):
                field.widget.attrs.setdefault("class", "form-control")


class CloseOutForm(forms.Form):
    evidence = forms.CharField(
        label="办理情况说明",
        widget=forms.Textarea,
        error_messages={"required": "申请销号须提供销号材料（办理情况说明）"},
        help_text="办了什么、解决到什么程度、群众意见如何",
    )
    files = MultipleFileField(
        label="佐证材料",
        accept="image/jpeg,image/png,image/webp,application/pdf,.pdf,.docx,.xlsx",
        help_text="可选多个：照片（JPG、PNG、WebP），或 PDF、Word、Excel 文件",
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="办结情况",
        choices=[("", "请选择"), *Deed.Outcome.choices],
        error_messages={"required": "请选择办结情况"},
    )
    reason = forms.CharField(
        label="未解决原因",
        required=False,
        widget=forms.Textarea,
        help_text="选择“未解决”时必填；未解决的不计入已办结",
    )


class SupervisionForm(forms.Form):
    message = forms.CharField(
        label="督办要求", widget=forms.Textarea, error_messages={"required": "请填写督办要求"}
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="办理反馈", widget=forms.Textarea, error_messages={"required": "请填写办理反馈"}
    )

    def __init__(self, *args, supervision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].help_text = f"督办要求：{supervision.message}"
