"""A context of the outbox benchmark only (``python -m bench.outbox``): one integration event
handled from the outbox, and one plain Celery task, doing the same trivial work.

Installed by ``bench.outbox_app.settings`` alone (the settings of the benchmark's process and of
the workers it starts), never in the app or its tests.
"""
