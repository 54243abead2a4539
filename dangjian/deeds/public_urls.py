"""Pages of service requests that need no account: intake, tracking, rating (群众诉求)."""

urlpatterns: list = []
