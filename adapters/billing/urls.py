from django.urls import path

from adapters.billing import views

org = "orgs/<id:org_id>"

urlpatterns = [
    path("plans", views.PlanListView.as_view(), name="plans"),
    path("me/subscriptions", views.SubscriptionListView.as_view(), name="subscriptions"),
    path(
        "me/subscriptions/<id:subscription_id>",
        views.SubscriptionDetailView.as_view(),
        name="subscription",
    ),
    path(f"{org}/invoices", views.InvoiceListView.as_view(), name="invoices"),
    path(f"{org}/invoices/<id:invoice_id>", views.InvoiceDetailView.as_view(), name="invoice"),
    path(f"{org}/invoices/<id:invoice_id>/pay", views.InvoicePayView.as_view(), name="invoice-pay"),
    path(f"{org}/account", views.AccountView.as_view(), name="account"),
    path(f"{org}/account/entries", views.LedgerEntryListView.as_view(), name="account-entries"),
    path(f"{org}/account/credits", views.CreditView.as_view(), name="account-credits"),
]
