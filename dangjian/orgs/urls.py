from django.urls import path

from dangjian.orgs import views

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/", views.organization_tree, name="organization_tree"),
    path("orgs/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
]
