"""Forms of the staff pages of service requests (群众诉求). They parse input;
`deeds.request_services` decides."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from dangjian.deeds.forms import DATE, DepartmentChoiceField
from dangjian.deeds.models import RequestCategory, ServiceRequest
from dangjian.deeds.queries import ORANGE, RED
from dangjian.orgs.models import Community, Department

S = ServiceRequest.Status


def _styled(form: forms.Form) -> None:
    """Bootstrap classes on every visible widget, so the shared snippet renders them plainly."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


# ---------------------------------------------------------------- the list


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *S.choices])
    category = forms.ModelChoiceField(
        label="诉求类别",
        required=False,
        empty_label="全部类别",
        queryset=RequestCategory.objects.all(),
    )
    department = DepartmentChoiceField(
        label="承办单位", required=False, empty_label="全部单位", queryset=Department.objects.all()
    )
    community = forms.ModelChoiceField(
        label="社区", required=False, empty_label="全部社区", queryset=Community.objects.all()
    )
    overdue = forms.BooleanField(label="只看超期", required=False)
    q = forms.CharField(label="搜索受理编号或诉求内容", required=False, max_length=50)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments


def filter_requests(requests, filters: dict):
    """The requests matching the list's filters (`requests` carries `escalation`)."""
    for name in ("status", "category", "department", "community"):
        if filters.get(name):
            requests = requests.filter(**{name: filters[name]})
    if filters.get("overdue"):
        requests = requests.filter(escalation__in=[ORANGE, RED])
    q = (filters.get("q") or "").strip()
    if q:
        requests = requests.filter(Q(tracking_number__contains=q) | Q(text__contains=q))
    return requests


# ---------------------------------------------------------------- actions on one request


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("release", "审核通过，转入待派单"), ("dismiss", "不予受理")],
        error_messages={"required": "请选择审核结果"},
    )
    reason = forms.CharField(
        label="原因", required=False, max_length=200, help_text="不予受理时必填，将告知诉求人"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class DispatchForm(forms.Form):
    department = DepartmentChoiceField(
        label="承办单位",
        queryset=Department.objects.all(),
        error_messages={"required": "请选择承办单位"},
    )
    respond_days = forms.IntegerField(
        label="响应时限（工作日）",
        min_value=1,
        max_value=365,
        error_messages={"required": "请填写响应时限", "invalid": "请填写整数天数"},
    )
    resolve_days = forms.IntegerField(
        label="办理时限（工作日）",
        min_value=1,
        max_value=365,
        error_messages={"required": "请填写办理时限", "invalid": "请填写整数天数"},
    )

    def __init__(self, *args, request: ServiceRequest | None = None, **kwargs):
        if request is not None:
            category = request.category
            kwargs.setdefault(
                "initial",
                {
                    "department": category.department_id,
                    "respond_days": category.respond_days,
                    "resolve_days": category.resolve_days,
                },
            )
        super().__init__(*args, **kwargs)
        _styled(self)


class TextForm(forms.Form):
    """One required text: a send-back reason, a reply, a supervision message, an answer."""

    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, label: str = "内容", initial_text: str = "", **kwargs):
        if initial_text:
            kwargs.setdefault("initial", {"text": initial_text})
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = f"请填写{label}"
        _styled(self)
        self.fields["text"].widget.attrs["rows"] = 3


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="办理结果",
        choices=[("", "请选择"), *ServiceRequest.Outcome.choices],
        error_messages={"required": "请选择办理结果"},
    )
    text = forms.CharField(
        label="办理情况",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写办理情况"},
        help_text="告知诉求人办了什么；“已解释说明”指未解决但已向诉求人说明原因",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PhoneRatingForm(forms.Form):
    value = forms.ChoiceField(
        label="满意度",
        choices=[("", "请选择"), *ServiceRequest.Rating.choices],
        error_messages={"required": "请选择满意度"},
    )
    comment = forms.CharField(label="诉求人意见", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class MakeDeedForm(forms.Form):
    title = forms.CharField(
        label="实事项目", max_length=200, error_messages={"required": "请填写实事项目名称"}
    )
    owner = DepartmentChoiceField(
        label="责任单位",
        queryset=Department.objects.all(),
        error_messages={"required": "请选择责任单位"},
    )
    deadline = forms.DateField(
        label="完成时限",
        widget=DATE,
        error_messages={"required": "请填写完成时限", "invalid": "日期格式不正确"},
    )

    def __init__(self, *args, request: ServiceRequest | None = None, **kwargs):
        if request is not None:
            department = request.department_id or request.category.department_id
            kwargs.setdefault(
                "initial",
                {
                    "title": f"{request.place}{request.category.name}问题"
                    if request.place
                    else f"{request.category.name}问题",
                    "owner": department,
                    "deadline": timezone.localdate() + dt.timedelta(days=30),
                },
            )
        super().__init__(*args, **kwargs)
        _styled(self)


class BlockForm(forms.Form):
    phone = forms.CharField(
        label="手机号", max_length=20, error_messages={"required": "请填写手机号"}
    )
    reason = forms.CharField(
        label="原因", max_length=100, error_messages={"required": "请填写加入黑名单的原因"}
    )

    def __init__(self, *args, with_phone: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_phone:  # the request's own phone, which the dispatcher may not see
            del self.fields["phone"]
        _styled(self)


# ---------------------------------------------------------------- the rates page


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="起始日期",
        required=False,
        widget=DATE,
        error_messages={"invalid": "起始日期格式不正确"},
    )
    end = forms.DateField(
        label="截止日期",
        required=False,
        widget=DATE,
        error_messages={"invalid": "截止日期格式不正确"},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "截止日期不能早于起始日期")
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


def default_period() -> dict:
    """This year so far."""
    today = timezone.localdate()
    return {"start": today.replace(month=1, day=1), "end": today}
