from django import forms

from dangjian.orgs.models import Member, Organization, Sector


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.short_name or obj.name}"


class MemberSearchForm(forms.Form):
    STATUS_CHOICES = [("", "在册党员"), *Member.Status.choices, ("all", "全部")]

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名、拼音首字母或身份证后4位",
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    organization = OrganizationChoiceField(
        label="党组织",
        required=False,
        empty_label="全部党组织",
        queryset=Organization.objects.order_by("path"),
    )
    sector = forms.ModelChoiceField(
        label="领域", required=False, empty_label="全部领域", queryset=Sector.objects.all()
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
