from dangjian.accounts.permissions import granted_capabilities, own_member_id


def user_capabilities(request):
    """`caps`: what the logged-in user's grants allow somewhere, and `is_member`: whether the
    user is a party member (has their own record); both for showing menu entries."""
    user = getattr(request, "user", None)
    if user is None:
        return {"caps": frozenset(), "is_member": False}
    return {"caps": granted_capabilities(user), "is_member": own_member_id(user) is not None}
