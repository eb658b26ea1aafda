"""Tenancy: every view under ``/orgs/{org_id}/`` is scoped to an organization the caller
belongs to, with the 404/403 policy applied before the view's own code runs.

- Not a member (or no such organization) → 404, byte-for-byte the body of a missing id.
- A member whose role is below the view's ``required_roles[method]`` → 403.
- Otherwise the request's actor (``request_actor(request)``) carries the caller's role in the
  organization, resolved with one query per request; the view hands the actor to its
  service, which checks the role again (``Actor.require_role``).

Subclass ``OrganizationScopedView`` and declare ``required_roles`` for every method the view
handles: a handler without a declared role is refused when the class is defined.
"""
