from django.urls import path

from bench import reference
from src.urls import handler404, handler500  # noqa: F401
from src.urls import urlpatterns as application_urls

urlpatterns = [
    path(
        "bench/drf/orgs/<int:org_id>/invoices",
        reference.PlainDRFInvoiceList.as_view(),
        name="bench-drf-invoices",
    ),
    path("bench/floor", reference.floor, name="bench-floor"),
    *application_urls,
]
