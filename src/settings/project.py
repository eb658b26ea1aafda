"""What makes this project this one: its name and its bounded contexts, the one place each is
written. Everything that names the project (the problem type URNs, the API's title, the admin's
header, the sender of emails, the service name in the logs and of the Celery app) reads it from
here through the settings; INSTALLED_APPS takes the contexts from here.

``copier copy`` renders this file from ``project.py.jinja`` beside it (docs/forking.md).
"""

PROJECT_NAME = "Bastion"
# Lower case letters, digits and hyphens: it goes into URNs (urn:<slug>:problem:...), token
# salts and the logs' ``service`` field.
PROJECT_SLUG = "bastion"

# The bounded contexts, each an ``adapters.<context>`` Django app whose AppConfig declares the
# rest (adapters.platform.contexts). A context comes after those it uses; removing one is its
# folders and its line here (docs/adding-a-context.md).
CONTEXTS = [
    "adapters.identity",
    "adapters.organizations",
    "adapters.billing",
]
