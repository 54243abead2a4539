import datetime as dt

import pytest
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import ActivityType
from dangjian.core import testing


@pytest.fixture
def campaign(district):
    return services.create_campaign(
        by=None,
        name="2021年党史学习教育",
        theme="学史明理、学史增信、学史崇德、学史力行",
        goals="学党史、悟思想、办实事、开新局",
        starts_on=dt.date(2021, 2, 20),
        ends_on=dt.date(2021, 12, 31),
        department=district.department,
        is_current=True,
    )


@pytest.fixture
def make_activity(district, campaign):
    """An activity organized by bob's branch, tomorrow for two hours unless told otherwise."""

    def make(*, open=True, starts_at=None, hours=2, type="lecture", **fields):
        starts_at = starts_at or timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
        activity = services.create_activity(
            by=None,
            campaign=campaign,
            type=ActivityType.objects.get(code=type),
            title=fields.pop("title", "党史专题宣讲"),
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            organizers=fields.pop("organizers", [district.branches[0]]),
            **fields,
        )
        if open:
            activity = services.open_registration(activity, by=None)
        return activity

    return make


@pytest.fixture
def members(district):
    return testing.add_members(district, 12)
