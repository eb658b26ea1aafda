"""The transactional outbox: integration events recorded with the change that caused them,
delivered to their handlers after the commit, at least once, each taking effect once.

How an event travels (docs/architecture.md, "Work outside the request"):

1. ``DjangoOutbox.record`` (``recorder.py``) inserts an ``OutboxMessage`` in the unit of work's
   transaction and asks for it to be published once that transaction commits. A rollback
   removes both the row and the request.
2. ``relay.publish`` hands committed messages to the transport the composition root chose:
   Celery on Redis (``CELERY_BROKER_URL``), or, with no broker configured, delivery in this
   process right after the commit. A broker that is down costs the request one failed connect
   attempt and a warning; the row stays pending.
3. ``relay.sweep`` (run by ``celery beat``) publishes again what is still pending a few seconds
   after it was recorded (the process died, or the broker was down), and what was published long
   ago but never finished (the worker was lost).
4. ``delivery.deliver`` (the ``outbox.deliver`` task, in a worker) runs every handler of the
   event's name, each in its own transaction that first claims (event id, handler) in the inbox,
   ``ProcessedEvent``: a redelivered message finds its claims and does nothing twice. A failing
   handler is retried with exponential backoff (``policy.py``); after the last attempt the
   message is ``failed``, visible in the admin, whose "retry" action sends it again.
"""
