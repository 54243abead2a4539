"""Forms of the organization and member pages. They parse input; the services decide."""

from django import forms

from dangjian.accounts.permissions import MANAGE_MEMBERS, MANAGE_ORGANIZATIONS
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.orgs.models import (
    Community,
    Department,
    Enterprise,
    Institution,
    Member,
    Organization,
    Sector,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.short_name or obj.name}"


def organization_field(label: str, queryset, **kwargs) -> OrganizationChoiceField:
    return OrganizationChoiceField(
        label=label,
        queryset=queryset.order_by("path"),
        error_messages={"invalid_choice": "所选党组织不存在或不在您的管理范围内"},
        **kwargs,
    )


class MemberSearchForm(forms.Form):
    STATUS_CHOICES = [("", "在册党员"), *Member.Status.choices, ("all", "全部")]

    q = forms.CharField(label="搜索", required=False, max_length=50)
    organization = OrganizationChoiceField(
        label="党组织",
        required=False,
        empty_label="全部党组织",
        queryset=Organization.objects.none(),
    )
    sector = forms.ModelChoiceField(
        label="领域", required=False, empty_label="全部领域", queryset=Sector.objects.all()
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.visible_to(user).order_by(
            "path"
        )


class OrganizationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    kind = forms.ChoiceField(label="类型", choices=Organization.Kind.choices)
    parent = organization_field(
        "上级党组织",
        Organization.objects.none(),
        required=False,
        empty_label="（无，作为顶级党组织）",
    )
    sector = forms.ModelChoiceField(
        label="领域",
        queryset=Sector.objects.all(),
        required=False,
        empty_label="（不限，党委可跨领域）",
    )
    is_two_new = forms.BooleanField(label="“两新”组织", required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=DATE)
    term_ends_on = forms.DateField(label="届满日期", required=False, widget=DATE)
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.all(), required=False
    )
    community = forms.ModelChoiceField(
        label="所属社区", queryset=Community.objects.all(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label="所属企业", queryset=Enterprise.objects.all(), required=False
    )
    institution = forms.ModelChoiceField(
        label="所属单位（学校、医院、派出所等）", queryset=Institution.objects.all(), required=False
    )
    secretary = forms.ModelChoiceField(
        label="书记", queryset=Member.objects.none(), required=False, empty_label="（未设）"
    )

    def __init__(self, *args, user, instance: Organization | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {f: getattr(instance, f) for f in self.base_fields if hasattr(instance, f)},
            )
        super().__init__(*args, **kwargs)
        # The current parent stays selectable even when it lies above the user's subtree.
        parents = Organization.objects.visible_to(user, MANAGE_ORGANIZATIONS)
        if instance is not None and instance.parent_id:
            parents |= Organization.objects.filter(pk=instance.parent_id)
        self.fields["parent"].queryset = parents
        if instance is None:
            del self.fields["secretary"]
        else:
            self.fields["secretary"].queryset = instance.members.active()


class MemberForm(forms.Form):
    """ID number and phone are write-only: the stored values are never put into the form."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "按身份证号确定"), *Member.Gender.choices]
    )
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    education = forms.ChoiceField(
        label="学历", required=False, choices=[("", "—"), *Member.Education.choices]
    )
    joined_on = forms.DateField(label="入党日期", required=False, widget=DATE)
    full_member_on = forms.DateField(label="转正日期", required=False, widget=DATE)
    post = forms.CharField(label="职务", max_length=100, required=False)
    organization = organization_field("所在党组织", Organization.objects.none())
    status = forms.ChoiceField(
        label="党员状态",
        choices=[(Member.Status.FULL, "正式党员"), (Member.Status.PROBATIONARY, "预备党员")],
    )

    PERSONAL = ("id_number", "phone")

    def __init__(self, *args, user, instance: Member | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    f: getattr(instance, f)
                    for f in self.base_fields
                    if f not in self.PERSONAL and hasattr(instance, f)
                },
            )
        super().__init__(*args, **kwargs)
        if instance is None:
            self.fields["id_number"].required = True
            self.fields["organization"].queryset = Organization.objects.visible_to(
                user, MANAGE_MEMBERS
            )
        else:
            del self.fields["organization"], self.fields["status"]
            masked_id = mask_id_number(instance.id_number)
            masked_phone = mask_phone(instance.phone) or "（无）"
            self.fields[
                "id_number"
            ].help_text = f"已登记 {masked_id}。如需更正请填写完整新号码，留空则不变。"
            self.fields[
                "phone"
            ].help_text = f"已登记 {masked_phone}。如需更改请填写新号码，留空则不变。"

    def changes(self) -> dict:
        """Cleaned data for the service, without the write-only fields left blank."""
        data = dict(self.cleaned_data)
        if self.instance is not None:
            for field in self.PERSONAL:
                if not data.get(field):
                    data.pop(field, None)
        return data


class TransferForm(forms.Form):
    to_organization = organization_field("转入党组织", Organization.objects.none())
    transferred_on = forms.DateField(label="转接日期", required=False, widget=DATE)
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = Organization.objects.visible_to(
            user, MANAGE_MEMBERS
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="变更为", choices=Member.Status.choices)
    on = forms.DateField(
        label="日期", required=False, widget=DATE, help_text="转为正式党员时的转正日期，默认今天"
    )
    reason = forms.CharField(label="原因", max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text="Excel（.xlsx）或 CSV（UTF-8 或 GBK）文件；第一个工作表，表头可在标题行下方",
        error_messages={"required": "请选择要导入的文件", "empty": "文件是空的"},
    )
