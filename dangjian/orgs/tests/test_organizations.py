import pytest

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members
from dangjian.orgs import services
from dangjian.orgs.models import Organization, Sector

pytestmark = pytest.mark.django_db
BRANCH = Organization.Kind.BRANCH
COMMITTEE = Organization.Kind.COMMITTEE
GENERAL = Organization.Kind.GENERAL_BRANCH


def test_branch_cannot_have_children(district):
    with pytest.raises(DomainError) as exc:
        services.create_organization(
            by=None, name="子支部", kind=BRANCH, parent=district.branches[0]
        )
    assert exc.value.field == "parent"
    assert not Organization.objects.filter(name="子支部").exists()


def test_branch_inherits_its_parents_sector_and_needs_one(district):
    general = services.create_organization(
        by=None,
        name="园区党总支",
        kind=GENERAL,
        parent=district.root,
        sector=Sector.objects.get(code="enterprise"),
    )
    branch = services.create_organization(by=None, name="园区一支部", kind=BRANCH, parent=general)
    assert branch.sector.code == "enterprise"
    with pytest.raises(DomainError) as exc:
        services.create_organization(by=None, name="无领域支部", kind=BRANCH, parent=district.root)
    assert exc.value.field == "sector"


def test_moving_an_organization_under_its_own_descendant_is_refused(district):
    general = services.create_organization(by=None, name="总支", kind=GENERAL, parent=district.root)
    child = services.create_organization(by=None, name="总支下属总支", kind=GENERAL, parent=general)
    with pytest.raises(DomainError) as exc:
        services.update_organization(general, by=None, parent=child)
    assert exc.value.code == "parent_cycle"
    with pytest.raises(DomainError):
        services.update_organization(general, by=None, parent=general)


def test_moving_a_subtree_moves_its_members_with_it(district):
    general = services.create_organization(by=None, name="总支", kind=GENERAL, parent=district.root)
    branch = services.create_organization(
        by=None,
        name="总支一支部",
        kind=BRANCH,
        parent=general,
        sector=Sector.objects.get(code="community"),
    )
    services.update_organization(general, by=None, parent=district.other_root)
    branch.refresh_from_db()
    assert branch.path.startswith(district.other_root.path)
    assert branch.depth == 2
    assert district.other_root.is_ancestor_of(branch)
    assert not district.root.is_ancestor_of(branch)


def test_organization_belongs_to_one_unit_at_most(district):
    community = services.create_community(by=None, name="和风社区", grids=["第一网格"])
    with pytest.raises(DomainError) as exc:
        services.update_organization(
            district.branches[0], by=None, community=community
        )  # branches[0] already belongs to a department
    assert exc.value.code == "multiple_units"


def test_secretary_must_be_a_member_of_the_organization(district):
    member = add_members(district, 2)[1]  # lives in branches[1]
    with pytest.raises(DomainError) as exc:
        services.update_organization(district.branches[0], by=None, secretary=member)
    assert exc.value.field == "secretary"


def test_duplicate_names_and_short_names_are_refused(district):
    with pytest.raises(DomainError) as exc:
        services.create_organization(by=None, name=district.root.name, kind=COMMITTEE)
    assert exc.value.field == "name"
    with pytest.raises(DomainError) as exc:
        services.create_organization(by=None, name="新党委", short_name="区党工委", kind=COMMITTEE)
    assert exc.value.field == "short_name"


def test_organization_changes_are_audited(district, people):
    services.update_organization(district.root, by=people["alice"], short_name="党工委")
    entry = AuditEntry.objects.get(action="orgs.organization.updated", actor=people["alice"])
    assert entry.details["changed"]["short_name"] == ["区党工委", "党工委"]


def test_enterprise_needs_a_valid_credit_code(db):
    with pytest.raises(DomainError) as exc:
        services.create_enterprise(by=None, name="某公司", credit_code="91350100M000100Y44")
    assert exc.value.field == "credit_code"
    enterprise = services.create_enterprise(
        by=None, name="某公司", credit_code="91350100m000100y43"
    )
    assert enterprise.credit_code == "91350100M000100Y43"
    with pytest.raises(DomainError) as exc:
        services.create_enterprise(by=None, name="另一公司", credit_code="91350100M000100Y43")
    assert exc.value.code == "credit_code_taken"


def test_community_is_created_with_its_grids(db):
    community = services.create_community(by=None, name="和韵社区", grids=["第一网格", "第二网格"])
    assert [g.name for g in community.grids.all()] == ["第一网格", "第二网格"]
    with pytest.raises(DomainError):
        services.create_community(by=None, name="宜禾社区", grids=["一", "一"])
