import pytest

from dangjian.accounts import services
from dangjian.core.testing import PASSWORD
from dangjian.core.validators import id_check_char
from dangjian.orgs import services as orgs_services


def id_number_ending_in_x() -> str:
    for sequence in range(1000):
        first17 = f"12011619800101{sequence:03d}"
        if id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("unreachable: one sequence in eleven ends in X")


@pytest.fixture
def xie(district, people):
    """A member of bob's branch whose ID number ends in X, with an account and PASSWORD."""
    member = orgs_services.create_member(
        by=None,
        organization=district.branches[0],
        name="谢东",
        id_number=id_number_ending_in_x(),
        phone="13912345678",
    )
    user, _ = services.activate_member_account(member, by=None)
    services.change_own_password(user, PASSWORD, by=user)
    member.refresh_from_db()
    return member
