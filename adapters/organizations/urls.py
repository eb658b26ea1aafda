from django.urls import path

from adapters.organizations import views

urlpatterns = [
    path("orgs", views.OrganizationListView.as_view(), name="orgs"),
    path("orgs/<id:org_id>", views.OrganizationDetailView.as_view(), name="org"),
    path("orgs/<id:org_id>/members", views.MemberListView.as_view(), name="org-members"),
    path(
        "orgs/<id:org_id>/members/<id:user_id>",
        views.MemberDetailView.as_view(),
        name="org-member",
    ),
]
