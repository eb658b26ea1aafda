"""Production settings with the benchmark's context installed: for ``python -m bench.outbox``
and the workers it starts (127.0.0.1 only)."""

from src.settings.prod import *  # noqa: F403
from src.settings.prod import INSTALLED_APPS

# Before the composition root, which stays last.
INSTALLED_APPS = [
    *INSTALLED_APPS[:-1],
    "bench.outbox_app.apps.BenchOutboxConfig",
    INSTALLED_APPS[-1],
]
