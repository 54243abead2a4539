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
