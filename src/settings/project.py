"""The project's name: the one place it is written. Everything that names the project (the
problem type URNs, the API's title, the admin's header, the sender of emails, the service name
in the logs and of the Celery app) reads it from here through the settings.

``copier copy`` renders this file from ``project.py.jinja`` beside it (docs/forking.md).
"""

PROJECT_NAME = "Bastion"
# Lower case letters, digits and hyphens: it goes into URNs (urn:<slug>:problem:...), token
# salts and the logs' ``service`` field.
PROJECT_SLUG = "bastion"
