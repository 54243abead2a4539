"""Staff pages of service requests: the list, review queue, dispatch, handling, follow-up,
the blocklist, the three rates and the export. Under /service-requests/ (the public pages
live under /requests/)."""

from django.urls import path

from dangjian.deeds import request_views as views
from dangjian.deeds import settings_views

P = "service-requests/"

urlpatterns = [
    path(P, views.request_list, name="request_list"),
    path(f"{P}export.xlsx", views.request_export, name="request_export"),
    path(f"{P}rates/", views.request_rates, name="request_rates"),
    path(f"{P}blocklist/", views.request_blocklist, name="request_blocklist"),
    path(f"{P}blocklist/<int:pk>/remove/", views.request_unblock, name="request_unblock"),
    path(f"{P}categories/", settings_views.request_categories, name="request_categories"),
    path(
        f"{P}categories/new/",
        settings_views.request_category_create,
        name="request_category_create",
    ),
    path(
        f"{P}categories/<int:pk>/",
        settings_views.request_category_edit,
        name="request_category_edit",
    ),
    path(f"{P}calendar/", settings_views.request_calendar, name="request_calendar"),
    path(
        f"{P}calendar/<int:pk>/remove/",
        settings_views.request_calendar_remove,
        name="request_calendar_remove",
    ),
    path(f"{P}<int:pk>/", views.request_detail, name="request_detail"),
    path(f"{P}<int:pk>/personal-data/", views.request_personal_data, name="request_personal_data"),
    path(f"{P}<int:pk>/photos/<int:photo_pk>/", views.request_photo, name="request_photo"),
    path(f"{P}<int:pk>/review/", views.request_review, name="request_review"),
    path(f"{P}<int:pk>/dispatch/", views.request_dispatch, name="request_dispatch"),
    path(f"{P}<int:pk>/accept/", views.request_accept, name="request_accept"),
    path(f"{P}<int:pk>/send-back/", views.request_send_back, name="request_send_back"),
    path(f"{P}<int:pk>/reply/", views.request_reply, name="request_reply"),
    path(f"{P}<int:pk>/close/", views.request_close, name="request_close"),
    path(f"{P}<int:pk>/supervisions/new/", views.request_supervise, name="request_supervise"),
    path(
        f"{P}<int:pk>/supervisions/<int:supervision_pk>/answer/",
        views.request_supervision_answer,
        name="request_supervision_answer",
    ),
    path(f"{P}<int:pk>/phone-rating/", views.request_phone_rating, name="request_phone_rating"),
    path(f"{P}<int:pk>/make-deed/", views.request_make_deed, name="request_make_deed"),
    path(f"{P}<int:pk>/text/", views.request_edit_text, name="request_edit_text"),
    path(f"{P}<int:pk>/block-phone/", views.request_block_phone, name="request_block_phone"),
]
