import datetime as dt
import random

import pytest

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members, member_data
from dangjian.core.validators import birth_date_from_id
from dangjian.orgs import services
from dangjian.orgs.models import Member, MemberTransfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return member_data(random.Random(1))


def test_created_member_is_searchable_by_pinyin_and_audited(district, data):
    member = services.create_member(
        by=None, organization=district.branches[0], **{**data, "name": "张三丰"}
    )
    assert member.name_initials == "zsf"
    assert member.name_pinyin == "zhangsanfeng"
    entry = AuditEntry.objects.get(action="orgs.member.created")
    assert entry.object_id == str(member.pk)
    assert entry.outcome == "success"


def test_lower_case_x_in_id_number_is_stored_upper_case(district, data):
    rng = random.Random(3)
    for _ in range(200):  # find generated data whose check character is X
        data = member_data(rng)
        if data["id_number"].endswith("X"):
            break
    lower = data["id_number"][:-1] + "x"
    member = services.create_member(
        by=None, organization=district.branches[0], **{**data, "id_number": lower}
    )
    assert member.id_number.endswith("X")


def test_invalid_id_number_writes_no_member_and_no_audit(district, data):
    before = AuditEntry.objects.count()
    bad = data["id_number"][:5] + str((int(data["id_number"][5]) + 1) % 10) + data["id_number"][6:]
    with pytest.raises(DomainError) as exc:
        services.create_member(
            by=None, organization=district.branches[0], **{**data, "id_number": bad}
        )
    assert exc.value.field == "id_number"
    assert "身份证号" in exc.value.message
    assert not Member.objects.exists()
    assert AuditEntry.objects.count() == before


def test_second_member_with_same_id_number_is_refused(district, data):
    services.create_member(by=None, organization=district.branches[0], **data)
    other = {**data, "name": "李四", "phone": None}
    with pytest.raises(DomainError) as exc:
        services.create_member(by=None, organization=district.branches[1], **other)
    assert exc.value.code == "id_number_taken"
    assert Member.objects.count() == 1


def test_phone_is_unique_where_present_but_may_be_missing(district):
    rng = random.Random(5)
    first = member_data(rng)
    services.create_member(by=None, organization=district.branches[0], **first)
    with pytest.raises(DomainError) as exc:
        services.create_member(
            by=None,
            organization=district.branches[0],
            **{**member_data(rng), "phone": first["phone"]},
        )
    assert exc.value.field == "phone"
    services.create_member(
        by=None, organization=district.branches[0], **{**member_data(rng), "phone": ""}
    )
    services.create_member(
        by=None, organization=district.branches[0], **{**member_data(rng), "phone": None}
    )
    assert Member.objects.filter(phone__isnull=True).count() == 2


def test_gender_that_contradicts_the_id_number_is_refused(district, data):
    wrong = "F" if data["gender"] == "M" else "M"
    with pytest.raises(DomainError) as exc:
        services.create_member(
            by=None, organization=district.branches[0], **{**data, "gender": wrong}
        )
    assert exc.value.field == "gender"
    assert exc.value.message == "性别与身份证号不符"


DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (lambda d: {"joined_on": dt.date.today() + DAY}, "joined_on"),
        (lambda d: {"joined_on": d["id_birth"] + dt.timedelta(days=365 * 10)}, "joined_on"),
        (lambda d: {"full_member_on": d["joined_on"] - DAY}, "full_member_on"),
        (
            lambda d: {"status": "probationary", "full_member_on": d["joined_on"] + DAY},
            "full_member_on",
        ),
        (lambda d: {"name": "  "}, "name"),
        (lambda d: {"education": "phd"}, "education"),
        (lambda d: {"phone": "1381234567"}, "phone"),
    ],
)
def test_inconsistent_member_fields_name_the_field(district, data, changes, field):
    data["id_birth"] = birth_date_from_id(data["id_number"])
    bad = {**data, **changes(data)}
    del bad["id_birth"]
    with pytest.raises(DomainError) as exc:
        services.create_member(by=None, organization=district.branches[0], **bad)
    assert exc.value.field == field
    assert not Member.objects.exists()


def test_batch_with_one_bad_row_writes_nothing_and_names_the_row(district):
    rng = random.Random(11)
    rows = [{**member_data(rng), "organization": district.branches[0]} for _ in range(3)]
    rows[2]["phone"] = "12345"
    with pytest.raises(DomainError) as exc:
        services.create_members(rows, by=None, source="test")
    assert exc.value.message.startswith("第3行：")
    assert exc.value.field == "phone"
    assert not Member.objects.exists()
    assert not AuditEntry.objects.filter(action="orgs.member.batch_created").exists()


def test_batch_refuses_an_id_number_repeated_within_the_file(district):
    rng = random.Random(12)
    row = {**member_data(rng), "organization": district.branches[0]}
    with pytest.raises(DomainError) as exc:
        services.create_members([row, {**row, "phone": None}], by=None, source="test")
    assert exc.value.message.startswith("第2行：")


def test_update_records_changed_fields_with_personal_data_masked(district, people):
    member = add_members(district, 1)[0]
    new_phone = "13900001111"
    services.update_member(member, by=people["alice"], post="科长", phone=new_phone)
    member.refresh_from_db()
    assert (member.post, member.phone) == ("科长", new_phone)
    entry = AuditEntry.objects.get(action="orgs.member.updated")
    assert entry.actor == people["alice"]
    assert entry.details["changed"]["post"] == ["", "科长"]
    assert entry.details["changed"]["phone"][1] == "139****1111"
    assert new_phone not in str(entry.details)


def test_update_cannot_change_organization_behind_the_transfer_history(district):
    member = add_members(district, 1)[0]
    with pytest.raises(DomainError) as exc:
        services.update_member(member, by=None, organization=district.branches[1])
    assert exc.value.code == "use_dedicated_service"


def test_transfer_moves_member_and_keeps_history_and_audit(district, people):
    member = add_members(district, 1)[0]
    source = member.organization
    target = district.branches[2]
    transfer = services.transfer_member(member, target, by=people["alice"], reason="工作调动")
    member.refresh_from_db()
    assert member.organization == target
    assert member.sector == target.sector
    history = MemberTransfer.objects.get(member=member)
    assert (history.from_organization, history.to_organization) == (source, target)
    assert history == transfer
    entry = AuditEntry.objects.get(action="orgs.member.transferred")
    assert entry.details["from"] == source.name and entry.details["to"] == target.name
    assert entry.actor == people["alice"]


def test_transfer_to_the_same_organization_writes_nothing(district):
    member = add_members(district, 1)[0]
    with pytest.raises(DomainError) as exc:
        services.transfer_member(member, member.organization, by=None)
    assert exc.value.code == "same_organization"
    assert not MemberTransfer.objects.exists()
    assert not AuditEntry.objects.filter(action="orgs.member.transferred").exists()


def test_transferring_a_secretary_clears_the_secretary_post(district):
    member = add_members(district, 1)[0]
    org = services.update_organization(member.organization, by=None, secretary=member)
    services.transfer_member(member, district.branches[1], by=None)
    org.refresh_from_db()
    assert org.secretary is None


def test_deceased_member_leaves_the_roster_but_keeps_history(district):
    member = add_members(district, 1)[0]
    services.change_member_status(member, Member.Status.DECEASED, by=None, reason="病故")
    assert not Member.objects.active().filter(pk=member.pk).exists()
    assert Member.objects.filter(pk=member.pk).exists()
    with pytest.raises(DomainError) as exc:
        services.change_member_status(member, Member.Status.FULL, by=None)
    assert exc.value.code == "status_change_invalid"
    with pytest.raises(DomainError):
        services.transfer_member(member, district.branches[1], by=None)


def test_probationary_member_made_full_gets_the_date(district, data):
    member = services.create_member(
        by=None, organization=district.branches[0], **{**data, "status": "probationary"}
    )
    services.change_member_status(member, Member.Status.FULL, by=None, on=dt.date(2021, 3, 1))
    member.refresh_from_db()
    assert member.status == Member.Status.FULL
    assert member.full_member_on == dt.date(2021, 3, 1)


def test_leaving_the_roster_needs_a_reason(district):
    member = add_members(district, 1)[0]
    with pytest.raises(DomainError) as exc:
        services.change_member_status(member, Member.Status.TRANSFERRED_OUT, by=None)
    assert exc.value.field == "reason"


def test_leaving_the_roster_switches_the_account_off(people):
    erin = people["erin"]
    services.change_member_status(
        erin.member, Member.Status.TRANSFERRED_OUT, by=None, reason="调往外省"
    )
    erin.refresh_from_db()
    assert not erin.is_active
