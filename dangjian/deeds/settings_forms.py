"""Forms of the dispatcher's settings of service requests: the request categories and the
holiday table. They only parse (a number is a number, a date a date); the ranges and
uniqueness are `request_services.save_category` / `set_calendar_day`'s to decide, so the
page and any other caller get the same Chinese message on the same field."""

import datetime as dt

from django import forms
from django.forms.models import model_to_dict

from dangjian.core.models import CalendarDay
from dangjian.deeds.forms import DATE, DepartmentChoiceField
from dangjian.deeds.models import RequestCategory
from dangjian.deeds.request_services import CATEGORY_FIELDS
from dangjian.orgs.models import Department


def _days(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        error_messages={"required": f"请填写{label}", "invalid": "请填写整数天数"},
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


class CategoryForm(forms.Form):
    name = forms.CharField(
        label="类别名称",
        max_length=30,
        error_messages={"required": "请填写诉求类别名称", "max_length": "类别名称不能超过30字"},
    )
    department = DepartmentChoiceField(
        label="默认承办单位",
        required=False,
        empty_label="（派单时再选）",
        queryset=Department.objects.all(),
        error_messages={"invalid_choice": "请选择默认承办单位"},
    )
    respond_days = _days("响应时限（工作日）")
    resolve_days = _days("办理时限（工作日）")
    position = forms.IntegerField(
        label="排序",
        initial=0,
        error_messages={"required": "请填写排序", "invalid": "排序应为整数"},
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        help_text="数字小的排在受理页面前面",
    )
    for_enterprises = forms.BooleanField(label="企业诉求", required=False)
    is_active = forms.BooleanField(
        label="启用",
        required=False,
        initial=True,
        help_text="停用后受理页面不再显示该类别；已提交的诉求保留原类别",
    )

    def __init__(self, *args, category: RequestCategory | None = None, **kwargs):
        if category is not None:
            kwargs.setdefault("initial", model_to_dict(category, fields=CATEGORY_FIELDS))
        else:
            kwargs.setdefault("initial", {"respond_days": 1, "resolve_days": 7})
        super().__init__(*args, **kwargs)


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label="日期",
        widget=DATE,
        error_messages={"required": "请填写日期", "invalid": "日期格式不正确，如 2021-10-01"},
    )
    kind = forms.ChoiceField(
        label="类型",
        choices=CalendarDay.Kind.choices,
        error_messages={"required": "请选择类型", "invalid_choice": "请选择类型"},
        help_text="节假日不计工作日；调休上班的周六、周日计工作日",
    )
    name = forms.CharField(
        label="名称",
        required=False,
        max_length=30,
        error_messages={"max_length": "名称不能超过30字"},
        help_text="如：国庆节。已有的日期会被改为这里填写的类型",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


YEARS = (2000, 2100)  # the holiday table's pages; the links stop at the ends
_YEAR_INVALID = f"年份应为{YEARS[0]}至{YEARS[1]}之间的整数"


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="年份",
        min_value=YEARS[0],
        max_value=YEARS[1],
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), _YEAR_INVALID
        ),
    )


def year_of(form: YearForm, today: dt.date) -> int:
    """The year asked for, or this year when none (or a bad one) was given."""
    if form.is_bound and form.is_valid():
        return form.cleaned_data["year"]
    return today.year
