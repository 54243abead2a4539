"""Forms of the public request pages (no account): intake, tracking look-up, rating.

They only parse; `deeds.request_services` decides (phone format, limits, states) and its
DomainError lands on the field it names."""

from django import forms
from django.conf import settings

from dangjian.deeds.forms import MultipleFileField
from dangjian.deeds.models import RequestCategory, ServiceRequest
from dangjian.orgs.models import Community


def _text(label: str, *, required: bool = False, max_length: int = 100, **attrs) -> forms.Field:
    messages = {"required": f"请填写{label}", "max_length": f"{label}不能超过{max_length}字"}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages=messages,
        widget=forms.TextInput(attrs={"class": "form-control", **attrs}),
    )


class IntakeForm(forms.Form):
    category = forms.ModelChoiceField(
        label="诉求类别",
        queryset=RequestCategory.objects.filter(is_active=True),
        empty_label="请选择诉求类别",
        error_messages={"required": "请选择诉求类别", "invalid_choice": "请选择诉求类别"},
    )
    community = forms.ModelChoiceField(
        label="所属社区",
        queryset=Community.objects.all(),
        required=False,
        empty_label="请选择社区（企业诉求可不选）",
        error_messages={"invalid_choice": "请选择所属社区"},
    )
    enterprise_name = _text("企业名称")
    place = _text("具体地点", placeholder="如：某小区3号楼北侧")
    text = forms.CharField(
        label="诉求内容",
        max_length=2000,
        error_messages={"required": "请填写诉求内容", "max_length": "诉求内容不能超过2000字"},
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
    )
    photos = MultipleFileField(
        label="现场照片",
        accept="image/jpeg,image/png,image/webp",
        help_text=f"可选，最多{settings.REQUEST_PHOTOS_MAX}张；位置等拍摄信息会被去除",
    )
    name = _text("姓名", max_length=30, autocomplete="name")
    phone = _text(
        "手机号",
        required=True,
        max_length=20,
        inputmode="tel",
        autocomplete="tel",
    )

    # One token per form shown: submitting twice (a double tap, a reload) makes one request.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = "必填，仅用于办理回访；查询进度时需要输入后四位"
        self.fields["name"].help_text = "可不填"
        self.fields["enterprise_name"].help_text = "企业反映诉求时填写，可不选社区"
        for name in ("category", "community"):
            self.fields[name].widget.attrs["class"] = "form-select"


class TrackForm(forms.Form):
    tracking_number = _text("受理编号", required=True, max_length=16, inputmode="numeric")
    # Never echoed back into the page after a refused look-up.
    digits = forms.CharField(
        label="手机号后四位",
        max_length=4,
        error_messages={
            "required": "请填写手机号后四位",
            "max_length": "请填写手机号后四位（4位数字）",
        },
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label="满意度",
        choices=ServiceRequest.Rating.choices,
        required=False,  # the service refuses a missing rating with its own message
        widget=forms.RadioSelect,
    )
    comment = _text("意见建议", max_length=200)
