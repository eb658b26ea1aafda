"""A context of the tests only, for worker processes: it handles two integration events from
the outbox, with effects written to files that the test reads (``OUTBOX_TEST_EFFECTS``).

Installed by ``tests.outbox_app.settings`` alone (the settings of the worker and beat processes
that tests/integration/platform/test_outbox_worker.py starts), never in the test process itself
or in production.
"""
