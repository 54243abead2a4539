"""Staff pages of service requests: the list, review queue, dispatch, handling, follow-up,
the blocklist, the three rates and the export."""

urlpatterns: list = []
