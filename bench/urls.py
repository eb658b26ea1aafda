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
    *__import__("bench.writes_reference", fromlist=["urlpatterns"]).urlpatterns,  # bench/writes.py
    *__import__("bench.fixed_cost_reference", fromlist=["urlpatterns"]).urlpatterns,  # fixed_cost
    *application_urls,
]
