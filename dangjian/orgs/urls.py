from django.urls import path

from dangjian.orgs import export_views, import_views, views

urlpatterns = [
    path("members/export.xlsx", export_views.member_export, name="member_export"),
    path("orgs/export.xlsx", export_views.organization_export, name="organization_export"),
    path(
        "members/import/template.xlsx",
        export_views.member_import_template,
        name="member_import_template",
    ),
    path(
        "orgs/import/template.xlsx",
        export_views.organization_import_template,
        name="organization_import_template",
    ),
    path("members/import/", import_views.member_import, name="member_import"),
    path("orgs/import/", import_views.organization_import, name="organization_import"),
    path("imports/<str:token>/report.xlsx", import_views.import_report, name="import_report"),
    path("", views.home, name="home"),
    path("orgs/", views.organization_tree, name="organization_tree"),
    path("orgs/new/", views.organization_create, name="organization_create"),
    path("orgs/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("orgs/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path(
        "members/<int:pk>/personal-data/", views.member_personal_data, name="member_personal_data"
    ),
]
