import datetime as dt

import pytest
from django.db import IntegrityError

from dangjian.accounts.models import Role
from dangjian.campaigns import services
from dangjian.campaigns.audit_actions import AUDIT_ACTIONS
from dangjian.campaigns.models import Activity, ActivityType, Campaign, Place
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_activity_types_are_seeded_with_the_glossary_types():
    codes = dict(ActivityType.objects.values_list("code", "name"))
    assert codes["launch_ceremony"] == "启动仪式"
    assert codes["exhibition_visit"] == "参观/主题展览"
    assert codes["enterprise_tea"] == "政企下午茶"
    assert len(codes) == 10
    assert list(ActivityType.objects.values_list("code", flat=True))[0] == "launch_ceremony"


def test_new_current_campaign_replaces_the_previous_one(campaign):
    second = services.create_campaign(
        by=None,
        name="2022年学习教育",
        starts_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2022, 6, 30),
        is_current=True,
    )
    assert list(Campaign.objects.filter(is_current=True)) == [second]
    services.set_current_campaign(campaign, by=None)
    assert list(Campaign.objects.filter(is_current=True)) == [campaign]
    assert AuditEntry.objects.filter(action="campaigns.campaign.set_current").count() == 3


def test_database_allows_only_one_current_campaign(campaign):
    with pytest.raises(IntegrityError):
        Campaign.objects.create(
            name="另一个",
            starts_on=dt.date(2022, 1, 1),
            ends_on=dt.date(2022, 2, 1),
            is_current=True,
        )


@pytest.mark.parametrize(
    "name, ends_on, field",
    [("", dt.date(2021, 12, 31), "name"), ("活动", dt.date(2020, 1, 1), "ends_on")],
)
def test_campaign_refuses_bad_input(db, name, ends_on, field):
    with pytest.raises(DomainError) as exc:
        services.create_campaign(
            by=None, name=name, starts_on=dt.date(2021, 2, 20), ends_on=ends_on
        )
    assert exc.value.field == field
    assert not Campaign.objects.exists()


def test_create_activity_stores_relations_and_audits(make_activity, district):
    place = Place.objects.create(name="张园", address="天津市和平区", is_red_resource=True)
    activity = make_activity(
        open=False,
        place=place,
        capacity=30,
        invited_organizations=district.branches[1:3],
        target_sectors=[district.branches[1].sector],
        organizers=district.branches[:2],
    )
    assert activity.status == Activity.Status.PLANNED
    assert set(activity.organizers.all()) == set(district.branches[:2])
    assert set(activity.invited_organizations.all()) == set(district.branches[1:3])
    assert activity.place.is_red_resource
    assert AuditEntry.objects.filter(
        action="campaigns.activity.created", object_id=str(activity.pk)
    ).exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"hours": 0}, "ends_at", "结束时间必须晚于开始时间"),
        ({"hours": -1}, "ends_at", "结束时间必须晚于开始时间"),
        ({"organizers": []}, "organizers", "请至少选择一个主办党组织"),
        ({"capacity": 0}, "capacity", "名额至少为1人，不限名额请留空"),
        ({"title": "  "}, "title", "请填写活动名称"),
    ],
)
def test_create_activity_refuses_bad_input_and_writes_nothing(
    make_activity, changes, field, message
):
    with pytest.raises(DomainError) as exc:
        make_activity(open=False, **changes)
    assert (exc.value.field, exc.value.message) == (field, message)
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.filter(action="campaigns.activity.created").exists()


def test_create_activity_refuses_naive_datetimes(make_activity):
    with pytest.raises(DomainError) as exc:
        make_activity(starts_at=dt.datetime(2021, 3, 3, 9, 0))
    assert exc.value.field == "starts_at"


def test_phase_follows_from_the_times_and_status(make_activity):
    activity = make_activity()
    start, end = activity.starts_at, activity.ends_at
    assert activity.phase_label(start - dt.timedelta(seconds=1)) == "未开始"
    assert activity.phase_label(start) == "进行中"
    assert activity.phase_label(end - dt.timedelta(seconds=1)) == "进行中"
    assert activity.phase_label(end) == "已结束"
    services.cancel_activity(activity, by=None, reason="天气原因")
    activity.refresh_from_db()
    assert activity.phase_label(start) == "已取消"


def test_cancel_activity_requires_a_reason(make_activity):
    activity = make_activity()
    with pytest.raises(DomainError) as exc:
        services.cancel_activity(activity, by=None, reason=" ")
    assert exc.value.field == "reason"
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN


def test_cancelled_activity_cannot_be_cancelled_or_edited_again(make_activity):
    activity = services.cancel_activity(make_activity(), by=None, reason="场地冲突")
    assert activity.cancel_reason == "场地冲突"
    with pytest.raises(DomainError, match="活动已取消"):
        services.cancel_activity(activity, by=None, reason="again")
    with pytest.raises(DomainError, match="活动已取消"):
        services.update_activity(activity, by=None, title="新名称")
    with pytest.raises(DomainError, match="活动已取消"):
        services.open_registration(activity, by=None)


def test_update_activity_changes_fields_and_relations(make_activity, district):
    activity = make_activity()
    services.update_activity(
        activity, by=None, title="新名称", target_sectors=[district.branches[2].sector]
    )
    activity.refresh_from_db()
    assert activity.title == "新名称"
    assert list(activity.target_sectors.all()) == [district.branches[2].sector]
    entry = AuditEntry.objects.get(action="campaigns.activity.updated")
    assert entry.details["fields"] == ["title", "target_sectors"]


def test_update_activity_refuses_an_end_before_the_start(make_activity):
    activity = make_activity()
    with pytest.raises(DomainError) as exc:
        services.update_activity(activity, by=None, ends_at=activity.starts_at)
    assert exc.value.field == "ends_at"


def test_walk_ins_are_recorded_as_a_number(make_activity):
    activity = services.record_walk_ins(make_activity(), 35, by=None)
    activity.refresh_from_db()
    assert activity.walk_ins == 35
    with pytest.raises(DomainError) as exc:
        services.record_walk_ins(activity, -1, by=None)
    assert exc.value.field == "walk_ins"


def test_visible_to_scopes_activities(make_activity, district, people):
    own = make_activity(title="机关支部活动")
    invited = make_activity(
        title="区级活动", organizers=[district.root], invited_organizations=[district.branches[0]]
    )
    other = make_activity(title="企业支部活动", organizers=[district.branches[1]])
    outside = make_activity(title="外区活动", organizers=[district.other_root])
    visible = lambda name: set(Activity.objects.visible_to(people[name]))  # noqa: E731
    assert visible("alice") == {own, invited, other, outside}
    assert visible("bob") == {own, invited}
    assert visible("charlie") == {outside}
    # erin, a member of branch 0, sees her branch's activities and those of its ancestors.
    assert visible("erin") == {own, invited}


def test_member_sees_activities_of_ancestor_organizations(make_activity, district, people):
    root_activity = make_activity(organizers=[district.root])
    make_activity(organizers=[district.branches[2]])
    assert list(Activity.objects.visible_to(people["erin"])) == [root_activity]
    nobody = make_user("nobody", Role.MEMBER)
    assert list(Activity.objects.visible_to(nobody)) == []


def test_every_audit_action_the_campaigns_app_writes_has_a_chinese_name():
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "services.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', source))
    assert len(codes) >= 10
    assert sorted(codes - set(AUDIT_ACTIONS)) == []
