from dangjian.accounts.permissions import granted_capabilities


def user_capabilities(request):
    """`caps`: what the logged-in user's grants allow somewhere, for showing menu entries."""
    user = getattr(request, "user", None)
    return {"caps": granted_capabilities(user) if user is not None else frozenset()}
