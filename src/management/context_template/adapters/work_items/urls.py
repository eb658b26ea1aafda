from django.urls import path

from adapters.work_items import views

org = "orgs/<id:org_id>"

urlpatterns = [
    path(f"{org}/work-items", views.WorkItemListView.as_view(), name="work-items"),
    path(
        f"{org}/work-items/<id:work_item_id>",
        views.WorkItemDetailView.as_view(),
        name="work-item",
    ),
]
