"""Top-level URLs: the versioned API, its schema and docs, health probes, and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.negotiation import DefaultContentNegotiation

from adapters.platform.contexts import installed_contexts
from adapters.platform.rest import problems

api_v1: list[URLPattern | URLResolver] = [
    # Every installed context's routes (ContextConfig.urls).
    *(path("", include(module)) for c in installed_contexts() if (module := c.url_module())),
    # The schema honours ?format=json / Accept: application/json; YAML by default.
    path(
        "schema/",
        SpectacularAPIView.as_view(content_negotiation_class=DefaultContentNegotiation),
        name="schema",
    ),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Unknown API paths answer with a problem body, also when DEBUG would show its HTML page.
    re_path(r"^.*$", problems.api_not_found),
]

# The admin names the project (src/settings/project.py), not Django.
admin.site.site_header = f"{settings.PROJECT_NAME} administration"
admin.site.site_title = settings.PROJECT_NAME

urlpatterns = [
    path("api/v1/", include(api_v1)),
    # /healthz and /readyz are answered by adapters.platform.http.health.HealthProbeMiddleware.
    path("admin/", admin.site.urls),
    # Anything else is a problem+json 404, also with DEBUG on (no HTML debug page).
    re_path(r"^(?!admin/|static/)", problems.api_not_found),
]

handler400 = "adapters.platform.rest.problems.handler_bad_request"
handler403 = "adapters.platform.rest.problems.handler_permission_denied"
handler404 = "adapters.platform.rest.problems.handler_not_found"
handler500 = "adapters.platform.rest.problems.handler_server_error"
