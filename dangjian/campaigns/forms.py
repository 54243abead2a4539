"""Forms of the activity pages. They parse input; the services decide."""

from django import forms

from dangjian.accounts.permissions import MANAGE_ACTIVITIES
from dangjian.campaigns.models import Activity, ActivityType, Campaign, Place
from dangjian.orgs.models import Organization, Sector

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
PHASE_CHOICES = [("", "全部状态"), *Activity.Phase.choices]


class OrganizationMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.short_name or obj.name}"


def organizations_field(label: str, **kwargs) -> OrganizationMultipleField:
    return OrganizationMultipleField(
        label=label,
        queryset=Organization.objects.none(),
        error_messages={
            "invalid_choice": "所选党组织不存在或不在您的管理范围内",
            "invalid_pk_value": "所选党组织不存在",
            "required": "请至少选择一个主办党组织",
        },
        **kwargs,
    )


class ActivityFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="所属学习教育",
        required=False,
        empty_label="全部学习教育",
        queryset=Campaign.objects.all(),
    )
    type = forms.ModelChoiceField(
        label="活动类型",
        required=False,
        empty_label="全部类型",
        queryset=ActivityType.objects.all(),
    )
    sector = forms.ModelChoiceField(
        label="面向领域", required=False, empty_label="全部领域", queryset=Sector.objects.all()
    )
    phase = forms.ChoiceField(label="状态", required=False, choices=PHASE_CHOICES)


class ActivityForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="所属学习教育", queryset=Campaign.objects.all(), empty_label=None
    )
    type = forms.ModelChoiceField(label="活动类型", queryset=ActivityType.objects.all())
    title = forms.CharField(label="活动名称", max_length=200)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=DATETIME_FORMATS)
    place = forms.ModelChoiceField(
        label="地点", queryset=Place.objects.all(), required=False, empty_label="（未定）"
    )
    capacity = forms.IntegerField(
        label="名额", required=False, min_value=1, help_text="空为不限名额"
    )
    registration_required = forms.BooleanField(label="需要报名", required=False)
    organizers = organizations_field("主办党组织")
    invited_organizations = organizations_field("邀请党组织", required=False)
    target_sectors = forms.ModelMultipleChoiceField(
        label="面向领域",
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label="活动内容", required=False, widget=forms.Textarea)

    def __init__(self, *args, user, instance: Activity | None = None, **kwargs):
        if instance is not None:
            initial = {
                f: getattr(instance, f) for f in self.base_fields if hasattr(instance, f)
            } | {
                "organizers": list(instance.organizers.all()),
                "invited_organizations": list(instance.invited_organizations.all()),
                "target_sectors": list(instance.target_sectors.all()),
            }
            kwargs.setdefault("initial", initial)
        else:
            current = Campaign.objects.filter(is_current=True).first()
            kwargs.setdefault("initial", {"campaign": current})
        super().__init__(*args, **kwargs)
        organizers = Organization.objects.visible_to(user, MANAGE_ACTIVITIES)
        if instance is not None:  # current organizers stay selectable
            organizers |= Organization.objects.filter(organized_activities=instance)
            del self.fields["campaign"]
        for field in self.fields.values():
            if getattr(field.widget, "input_type", None) in ("text", "number", "datetime-local"):
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["organizers"].queryset = organizers.distinct().order_by("path")
        self.fields["invited_organizations"].queryset = Organization.objects.visible_to(
            user
        ).order_by("path")

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.fields if f != "campaign"}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="取消原因", max_length=200, error_messages={"required": "请填写取消原因"}
    )


class WalkInsForm(forms.Form):
    walk_ins = forms.IntegerField(
        label="非党员参加人数",
        min_value=0,
        error_messages={"required": "请填写人数", "min_value": "人数不能为负数"},
    )


class CoverageForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="学习教育", required=False, empty_label=None, queryset=Campaign.objects.all()
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="活动总结",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="开展情况、参加人数和成效，供工作简报引用；最多5000字",
        error_messages={"max_length": "活动总结不能超过5000字"},
    )


class PhotoForm(forms.Form):
    image = forms.FileField(
        label="照片",
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "class": "form-control"}
        ),
        help_text="JPG、PNG 或 WebP，不超过10 MB；位置等拍摄信息会被去除",
        error_messages={"required": "请选择照片", "empty": "照片文件是空的"},
    )
    caption = forms.CharField(label="说明", required=False, max_length=100)
