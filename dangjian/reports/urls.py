from django.urls import path

from dangjian.reports import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/screen/", views.dashboard_screen, name="dashboard_screen"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard_data"),
    path("dashboard/export/<str:chart_key>.xlsx", views.dashboard_export, name="dashboard_export"),
]
