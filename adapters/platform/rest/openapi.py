"""OpenAPI: the shared problem schema, and the error responses every operation can give.

drf-spectacular documents only the success response of each view; this post-processing hook
adds the errors the platform itself produces (validation, authentication, permission, missing
objects, throttling, database down), so that clients and schemathesis see every status code.
Views declare only what is specific to them (409, 422) with ``problem_responses``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiResponse
from rest_framework.serializers import Serializer

from adapters.platform.rest.rendering import PROBLEM_CONTENT_TYPE

PROBLEM_COMPONENT = "Problem"
VALIDATION_PROBLEM_COMPONENT = "ValidationProblem"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem detail.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}
_VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "allOf": [
        {"$ref": f"#/components/schemas/{PROBLEM_COMPONENT}"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "object",
                    "description": "Messages for each offending field.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                }
            },
        },
    ]
}

_DESCRIPTIONS = {
    "400": "Invalid input (malformed JSON, wrong types, unknown or read-only fields).",
    "401": "Missing, invalid or expired token.",
    "403": "Authenticated, but the role is too low.",
    "404": "No such object, or one the caller may not see.",
    "409": "Conflicts with the current state.",
    "415": "The body is not application/json.",
    "422": "The Idempotency-Key was already used with a different request.",
    "429": "Too many requests.",
    "503": "The database is unavailable.",
}


def problem_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Declare view-specific problem responses, e.g. ``problem_responses(409)``."""
    return {
        code: OpenApiResponse(
            response={"$ref": f"#/components/schemas/{PROBLEM_COMPONENT}"},
            description=_DESCRIPTIONS.get(str(code), "Error."),
        )
        for code in status_codes
    }


def _problem(code: str, component: str = PROBLEM_COMPONENT) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(code, "Error."),
        "content": {
            PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{component}"}}
        },
    }


def add_problem_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: add the platform's error responses everywhere."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            # Write serializers are strict (StrictInputSerializer): unknown fields are a 400.
            component["additionalProperties"] = False
    schemas[PROBLEM_COMPONENT] = _PROBLEM_SCHEMA
    schemas[VALIDATION_PROBLEM_COMPONENT] = _VALIDATION_PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code, response in list(responses.items()):
                # Declared problem responses get the problem media type.
                if code[0] in "45" and "content" in response:
                    described = response.get("description") or _DESCRIPTIONS.get(code, "Error.")
                    responses[code] = _problem(code) | {"description": described}
            security = operation.get("security")
            anonymous_allowed = not security or {} in security
            wanted = ["400", "429", "503"]
            if not anonymous_allowed:
                wanted += ["401", "403"]
            if "{" in path:
                wanted.append("404")
            if method in ("post", "put", "patch"):
                wanted.append("415")
            for code in wanted:
                if code not in responses:
                    component = VALIDATION_PROBLEM_COMPONENT if code == "400" else PROBLEM_COMPONENT
                    responses[code] = _problem(code, component)
    return result


class ProjectAutoSchema(AutoSchema):
    """Names components after the view for nested ``InputSerializer``/``OutputSerializer``
    classes (``RegisterView.InputSerializer`` → ``RegisterInput``), so that every view can
    declare its own contract without component name clashes; operation ids likewise come from
    the view and the method (``MemberDetailView.patch`` → ``member_detail_patch``)."""

    def get_operation_id(self) -> str:
        view_name = type(self.view).__name__.removesuffix("View")
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", view_name).lower()
        return f"{snake}_{self.method.lower()}"

    def get_serializer_name(
        self, serializer: Serializer[Any], direction: Literal["request", "response"]
    ) -> str:
        qualname = type(serializer).__qualname__
        if "." not in qualname:
            name: str = super().get_serializer_name(serializer, direction)
            return name
        owner, nested = qualname.rsplit(".", 1)
        return owner.rsplit(".", 1)[-1].removesuffix("View") + nested.removesuffix("Serializer")


# DRF's CharField refuses NUL characters and, when it trims whitespace and blanks are not
# allowed, a value that is only whitespace; JSON Schema can only say so with a pattern. (Both
# patterns refuse "": drf-spectacular adds "" as a `oneOf` alternative where blanks are allowed.)
NO_NUL_PATTERN = r"^[^\x00]+$"
NOT_BLANK_NO_NUL_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"


class StrictCharFieldSchema(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]  # the extension registry's __init_subclass__ is untyped
    """Adds to each ``StrictCharField`` the pattern of what DRF accepts (see above)."""

    target_class = "adapters.platform.rest.serializers.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> Any:
        # What drf-spectacular would generate, as its documentation suggests for augmenting it.
        schema = auto_schema._map_serializer_field(  # type: ignore[no-untyped-call]  # untyped upstream
            self.target, direction, bypass_extensions=True
        )
        field = self.target
        if isinstance(schema, dict) and not {"pattern", "enum", "format"} & schema.keys():
            blank_refused = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_NO_NUL_PATTERN if blank_refused else NO_NUL_PATTERN
        return schema


def lib_doc_excludes() -> list[type[Any]]:
    """SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]: the platform's base classes document the
    code, not the API; their docstrings must not become every subclass's public description."""
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from adapters.platform.rest.serializers import StrictInputSerializer, WholeInputSerializer
    from adapters.platform.tenancy.views import OrganizationScopedView

    excluded: list[type[Any]] = get_lib_doc_excludes()  # type: ignore[no-untyped-call]  # drf-spectacular leaves it unannotated
    return [*excluded, OrganizationScopedView, StrictInputSerializer, WholeInputSerializer]
