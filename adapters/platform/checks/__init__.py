"""System checks, one module per topic as in ``django.core.checks``.

The creed (``manage.py check``, hence ``make check``): each rule of the creed that code can get
wrong silently has a check with a stable id. The ids keep the template's namespace
(``NAMESPACE``) in every fork, whatever the project is called (src/settings/project.py): they
are documented, searched for and silenced by that id.

- bastion.E101  every first-party model is registered in the admin site          (models.py)
- bastion.E102  every first-party model defines its own ``__str__``               (models.py)
- bastion.E103  no ModelSerializer uses ``fields = "__all__"`` or ``exclude``     (serializers.py)
- bastion.E104  ``AllowAny`` only on views marked ``@public`` (on the class)       (access.py)
- bastion.E105  no view with ``permission_classes = []``                          (access.py)
- bastion.E106  a view's paginator caps the page size                             (pagination.py)
- bastion.E107  a ``ListModelMixin`` view is paginated                            (pagination.py)
- bastion.E108  no GET answers 200 with a bare JSON array                         (pagination.py)
- bastion.E109  admin foreign keys to large tables use raw_id/autocomplete fields (admin.py)
- bastion.E110  every request body (and ``*Input`` serializer) is strict          (serializers.py)
- bastion.E111  the API schema builds, so that E108 and E110 can run              (serializers.py)
- bastion.E112  views do not query the database themselves                        (access.py)
- bastion.E113  a view reaches only repository methods that declare their scope    (scoping.py)
- bastion.E114  a declared scope's parameter reaches the method's query            (scoping.py)

Deployment (``manage.py check --deploy``), in deploy.py:

- bastion.W001  the production database is a SQLite file
- bastion.W002  throttle counters live in each worker's memory (no REDIS_URL)
- bastion.E003  no broker for the outbox's workers (no CELERY_BROKER_URL)
- bastion.W004  the broker and the cache share one Redis database
- bastion.W005  emails are not sent (no EMAIL_URL: console, memory or file backend)
- bastion.E006  FRONTEND_URL is not an absolute URL (email links would be wrong)
- bastion.W007  FRONTEND_URL is plain HTTP (tokens in links would travel unencrypted)

What the checks look at (first-party models, serializers, views, the API schema) is found in
discovery.py. Every check function also takes explicit inputs (models, views, serializers, an
admin site, an inspected API), checked as given, so that tests can feed it a deliberately bad
example without patching the project.
"""

from adapters.platform.checks import (
    access,
    admin,
    deploy,
    models,
    pagination,
    scoping,
    serializers,
)

NAMESPACE = "bastion"  # the system checks' ids: bastion.E101, bastion.W001...

__all__ = [
    "NAMESPACE",
    "access",
    "admin",
    "deploy",
    "models",
    "pagination",
    "scoping",
    "serializers",
]
