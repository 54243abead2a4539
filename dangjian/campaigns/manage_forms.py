"""Forms of the campaign and place management pages. They parse input; the services decide."""

from django import forms

from dangjian.campaigns.models import Campaign, Place
from dangjian.orgs.models import Department

RED_CHOICES = [("", "全部地点"), ("1", "红色资源"), ("0", "其他地点")]


def _initial(instance, fields) -> dict:
    return {f: getattr(instance, f) for f in fields if hasattr(instance, f)}


class CampaignForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, help_text="如：2021年党史学习教育")
    theme = forms.CharField(label="主题", max_length=200, required=False)
    starts_on = forms.DateField(label="开始日期")
    ends_on = forms.DateField(label="结束日期")
    department = forms.ModelChoiceField(
        label="牵头部门",
        queryset=Department.objects.all(),
        required=False,
        empty_label="（不指定）",
        error_messages={"invalid_choice": "所选部门不存在"},
    )
    is_current = forms.BooleanField(label="设为当前学习教育", required=False)
    goals = forms.CharField(
        label="目标要求",
        required=False,
        widget=forms.Textarea,
        help_text="如：学党史、悟思想、办实事、开新局",
    )

    def __init__(self, *args, instance: Campaign | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", _initial(instance, self.base_fields))
        super().__init__(*args, **kwargs)
        if instance is not None:  # which campaign is current is set from the list
            del self.fields["is_current"]

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.fields if f != "is_current"}


class PlaceForm(forms.Form):
    name = forms.CharField(label="地点名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    is_red_resource = forms.BooleanField(
        label="红色资源（红色教育基地）",
        required=False,
    )
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea)

    def __init__(self, *args, instance: Place | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", _initial(instance, self.base_fields))
        super().__init__(*args, **kwargs)


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label="名称或地址", required=False, max_length=100)
    red = forms.ChoiceField(label="类别", required=False, choices=RED_CHOICES)
