import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import make_user
from dangjian.deeds import services
from dangjian.deeds.models import Deed
from dangjian.orgs import services as orgs


@pytest.fixture
def departments(district):
    """dora's department owns deeds; 建设局 shares them; 人社局 has nothing to do with them."""
    return {
        "owner": district.department,
        "co": orgs.create_department(by=None, name="建设局", short_name="建设局"),
        "other": orgs.create_department(by=None, name="人力资源和社会保障局", short_name="人社局"),
    }


@pytest.fixture
def officers(departments, people):
    """dora works in the owner department; cole in the co-department; olga elsewhere."""
    return {
        "dora": people["dora"],
        "cole": make_user("cole", Role.OFFICER, name="建设局干部", department=departments["co"]),
        "olga": make_user("olga", Role.OFFICER, name="人社局干部", department=departments["other"]),
    }


@pytest.fixture
def make_deed(departments):
    def make(*, commit=True, deadline=None, shared=True, **fields):
        deed = services.create_deed(
            by=None,
            title=fields.pop("title", "雅境园小区停车难问题"),
            source=fields.pop("source", Deed.Source.RESEARCH),
            owner=fields.pop("owner", departments["owner"]),
            deadline=deadline or timezone.localdate() + dt.timedelta(days=30),
            co_departments=[(departments["co"], "新建停车场施工")] if shared else [],
            **fields,
        )
        return services.commit_deed(deed, by=None) if commit else deed

    return make


# ---------------------------------------------------------------- service requests


@pytest.fixture
def categories(departments):
    """停车 goes to dora's department by default (1 working day to respond, 7 to resolve);
    企业政策 to 人社局 (2 and 10)."""
    from dangjian.deeds.models import RequestCategory

    return {
        "parking": RequestCategory.objects.create(
            name="停车", department=departments["owner"], position=1
        ),
        "policy": RequestCategory.objects.create(
            name="企业政策",
            department=departments["other"],
            respond_days=2,
            resolve_days=10,
            for_enterprises=True,
            position=2,
        ),
    }


@pytest.fixture
def community(db):
    from dangjian.orgs.models import Community

    return Community.objects.create(name="雅境园社区")


@pytest.fixture
def submit(categories, community):
    """submit(**fields): a request as a resident would send it (valid unless told otherwise)."""
    from dangjian.deeds import request_services

    def make(**fields):
        values = {
            "category": categories["parking"],
            "text": "小区门口停车难，晚上车辆乱停堵住消防通道",
            "phone": "13912345678",
            "community": community,
            "place": "雅境园北门",
            "name": "王秀英",
            "ip": "203.0.113.7",
        }
        values.update(fields)
        return request_services.submit_request(**values)

    return make
