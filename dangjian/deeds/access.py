"""Who may do what with a deed. A district-wide deeds manager (the operator) does everything;
a department officer edits the deeds their department owns and, on deeds it shares, only its
own part, milestones and visits. Whoever cannot see a deed gets 404 (`queries.visible_deeds`)."""

from dangjian.accounts.permissions import MANAGE_DEEDS, WORK_DEEDS, has_perm, scope_for
from dangjian.deeds.models import Deed, DeedPart


def may_manage(user) -> bool:
    """Commit, review close-out, supervise, cancel: the district's deeds managers."""
    return scope_for(user, MANAGE_DEEDS).everything


def may_edit_deed(user, deed: Deed) -> bool:
    """The deed's own fields, and asking for close-out: its manager or its owner department."""
    return may_manage(user) or has_perm(user, WORK_DEEDS, deed.owner)


def may_work_on(user, part: DeedPart) -> bool:
    """A part, and the milestones and visits of that part's department."""
    return may_manage(user) or has_perm(user, WORK_DEEDS, part.department)


def own_parts(user, deed: Deed) -> list[DeedPart]:
    """The parts of `deed` the user may update (all of them for a manager)."""
    return [part for part in deed.parts.all() if may_work_on(user, part)]
