from dangjian.accounts.permissions import MANAGE_ORGANIZATIONS
from dangjian.orgs import imports
from dangjian.orgs.management.commands import import_roster


class Command(import_roster.Command):
    """Import organizations as the page does (parents may come after their children)."""

    help = "导入党组织（.xlsx 或 .csv）：先检查全部行，有问题则列出并退出，不写入任何数据"
    capability = MANAGE_ORGANIZATIONS
    plan = staticmethod(imports.plan_organization_import)
    commit = staticmethod(imports.commit_organization_import)
