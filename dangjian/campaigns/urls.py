from django.urls import path

from dangjian.campaigns import checkin_views, manage_views, views

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/coverage/", views.coverage_matrix, name="coverage_matrix"),
    path("activities/mine/", views.my_activities, name="my_activities"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/open/", views.activity_open, name="activity_open"),
    path("activities/<int:pk>/register/", views.activity_register, name="activity_register"),
    path("activities/<int:pk>/unregister/", views.activity_unregister, name="activity_unregister"),
    path("activities/<int:pk>/check-in/", views.activity_check_in, name="activity_check_in"),
    path("activities/<int:pk>/walk-ins/", views.activity_walk_ins, name="activity_walk_ins"),
    path(
        "activities/<int:pk>/attendance-sheet.pdf",
        views.activity_attendance_sheet,
        name="activity_attendance_sheet",
    ),
    path("activities/<int:pk>/invitation/", views.activity_invitation, name="activity_invitation"),
    path("activities/<int:pk>/summary/", views.activity_summary, name="activity_summary"),
    path("activities/<int:pk>/photos/new/", views.activity_photo_add, name="activity_photo_add"),
    path(
        "activities/<int:pk>/photos/<int:photo_pk>.jpg",
        views.activity_photo,
        name="activity_photo",
    ),
    path(
        "activities/<int:pk>/photos/<int:photo_pk>/remove/",
        views.activity_photo_remove,
        name="activity_photo_remove",
    ),
    # QR check-in (checkin_views)
    path("activities/<int:pk>/screen/", checkin_views.activity_screen, name="activity_screen"),
    path(
        "activities/<int:pk>/screen/code/",
        checkin_views.activity_screen_code,
        name="activity_screen_code",
    ),
    path("activities/<int:pk>/scan/", checkin_views.activity_scan, name="activity_scan"),
    path("activities/<int:pk>/scanner/", checkin_views.activity_scanner, name="activity_scanner"),
    path("me/code/", checkin_views.my_member_code, name="my_member_code"),
    path(
        "me/code/reissue/",
        checkin_views.my_member_code_reissue,
        name="my_member_code_reissue",
    ),
    path("scanner-sw.js", checkin_views.scanner_service_worker, name="scanner_service_worker"),
    path("campaigns/", manage_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", manage_views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/edit/", manage_views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/set-current/",
        manage_views.campaign_set_current,
        name="campaign_set_current",
    ),
    path("places/", manage_views.place_list, name="place_list"),
    path("places/new/", manage_views.place_create, name="place_create"),
    path("places/<int:pk>/edit/", manage_views.place_edit, name="place_edit"),
]
