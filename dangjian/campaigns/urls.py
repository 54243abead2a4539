from django.urls import path

from dangjian.campaigns import views

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
]
