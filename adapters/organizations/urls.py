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
    path(
        "orgs/<id:org_id>/invitations",
        views.InvitationListView.as_view(),
        name="org-invitations",
    ),
    path(
        "orgs/<id:org_id>/invitations/<id:invitation_id>",
        views.InvitationDetailView.as_view(),
        name="org-invitation",
    ),
    path("invitations/accept", views.InvitationAcceptView.as_view(), name="invitations-accept"),
]
