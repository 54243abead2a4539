from django.urls import path

from dangjian.reports import briefing_views as views

urlpatterns = [
    path("briefings/", views.briefing_list, name="briefing_list"),
    path("briefings/new/", views.briefing_create, name="briefing_create"),
    path("briefings/<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("briefings/<int:pk>/download.docx", views.briefing_docx, name="briefing_docx"),
    path("briefings/<int:pk>/download.pdf", views.briefing_pdf, name="briefing_pdf"),
]
