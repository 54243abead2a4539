from django.urls import include, path

from dangjian.deeds import views

urlpatterns = [
    path("deeds/", views.deed_list, name="deed_list"),
    path("deeds/new/", views.deed_create, name="deed_create"),
    path("deeds/export.xlsx", views.deed_export, name="deed_export"),
    path("deeds/<int:pk>/", views.deed_detail, name="deed_detail"),
    path("deeds/<int:pk>/edit/", views.deed_edit, name="deed_edit"),
    path("deeds/<int:pk>/commit/", views.deed_commit, name="deed_commit"),
    path("deeds/<int:pk>/cancel/", views.deed_cancel, name="deed_cancel"),
    path(
        "deeds/<int:pk>/parts/<int:part_pk>/",
        views.deed_part_update,
        name="deed_part_update",
    ),
    path("deeds/<int:pk>/milestones/new/", views.deed_milestone_add, name="deed_milestone_add"),
    path(
        "deeds/<int:pk>/milestones/<int:milestone_pk>/complete/",
        views.deed_milestone_complete,
        name="deed_milestone_complete",
    ),
    path("deeds/<int:pk>/visits/new/", views.deed_visit_add, name="deed_visit_add"),
    path("deeds/<int:pk>/close-out/", views.deed_close_out, name="deed_close_out"),
    path("deeds/<int:pk>/close-out/review/", views.deed_review, name="deed_review"),
    path("deeds/<int:pk>/close-out/return/", views.deed_return, name="deed_return"),
    path("deeds/<int:pk>/supervisions/new/", views.deed_supervise, name="deed_supervise"),
    path(
        "deeds/<int:pk>/supervisions/<int:supervision_pk>/answer/",
        views.deed_supervision_answer,
        name="deed_supervision_answer",
    ),
    path("deeds/<int:pk>/files/<int:file_pk>/", views.deed_file, name="deed_file"),
    # The public ledger (公开台账): no log-in, no personal data.
    path("ledger/", views.public_ledger, name="public_ledger"),
    path("ledger/<int:pk>/", views.public_ledger_detail, name="public_ledger_detail"),
    path("", include("dangjian.deeds.public_urls")),
    path("", include("dangjian.deeds.request_urls")),
]
