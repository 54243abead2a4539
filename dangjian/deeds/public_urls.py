"""Pages of service requests that need no account: intake, tracking, rating (群众诉求)."""

from django.urls import path

from dangjian.deeds import public_views as views

urlpatterns: list = [
    path("requests/new/", views.request_intake, name="request_intake"),
    path("requests/new/done/", views.request_submitted, name="request_submitted"),
    path("requests/track/", views.request_track, name="request_track"),
    path("requests/track/<str:tracking_number>/", views.request_status, name="request_status"),
    path("requests/track/<str:tracking_number>/rate/", views.request_rate, name="request_rate"),
    # For the dispatchers (log-in): the community's printable QR poster.
    path("requests/poster/<int:community_id>.pdf", views.request_poster, name="request_poster"),
]
