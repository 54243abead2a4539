"""The member roster and the organization tree, imported from the workbooks offices keep.

Each import is two steps on the core framework (core.spreadsheets, core.imports):
- plan: read the file, parse every cell, check every row against the database and the user's
  scope, and classify each good row as create, update (with the changed fields, old → new) or
  unchanged. Reads only, in a fixed number of queries (batches of 500 ID numbers).
- commit: refuse a plan with problems; otherwise write every row in one transaction through the
  services, ending with one audit entry for the import (file name, SHA-256, counts).

Rules of the roster import:
- Members are matched by ID number. A blank cell, or a column the file lacks, keeps the stored
  value: an import fills and corrects, it never erases. A date the file gives to the month only
  (198503) where the stored date to the day lies in that month is no change.
- A new organization is a transfer (services.transfer_member, history kept); a new status goes
  through services.change_member_status with the reason "名册导入". An import never takes a
  member off the roster (已转出 / 已去世 are recorded on the member page, with their reason),
  and never enters a new member who has left.
- A secretary imports only into organizations they manage; an ID number registered outside
  their scope is refused without saying where.

Rules of the organization import: organizations are matched by full name; parents may come
later in the file than their children (rows are written parents first); a parent is named by
full name or unique short name; a cycle or an unknown parent is a row problem.

Both: names and texts that differ only as parsing normalises them (full-width brackets, spaces)
are the same. Every member or organization written keeps its own audit entry from its service
(updated, transferred, status changed, created); the import adds its one `*.imported` entry.

The package: `common` (plans and comparisons), `members`, `organizations`."""

from dangjian.orgs.imports.common import PREVIEW_ROWS, Plan, PlannedRow
from dangjian.orgs.imports.members import (
    IMPORT_REASON,
    MEMBER_COLUMNS,
    OUTSIDE_SCOPE,
    MemberPlan,
    commit_member_import,
    member_texts,
    plan_member_import,
)
from dangjian.orgs.imports.organizations import (
    ORGANIZATION_COLUMNS,
    OrganizationPlan,
    commit_organization_import,
    organization_texts,
    plan_organization_import,
)

__all__ = [
    "IMPORT_REASON",
    "MEMBER_COLUMNS",
    "ORGANIZATION_COLUMNS",
    "OUTSIDE_SCOPE",
    "PREVIEW_ROWS",
    "MemberPlan",
    "OrganizationPlan",
    "Plan",
    "PlannedRow",
    "commit_member_import",
    "commit_organization_import",
    "member_texts",
    "organization_texts",
    "plan_member_import",
    "plan_organization_import",
]
