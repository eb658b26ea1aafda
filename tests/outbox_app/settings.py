"""The test settings, with the test context installed: for worker and beat processes."""

from src.settings.test import *  # noqa: F403
from src.settings.test import INSTALLED_APPS

# Before the composition root, which stays last.
INSTALLED_APPS = [
    *INSTALLED_APPS[:-1],
    "tests.outbox_app.apps.OutboxTestConfig",
    INSTALLED_APPS[-1],
]
