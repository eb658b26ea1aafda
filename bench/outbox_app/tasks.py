"""Side (b): the plain Celery task, found by the worker's task autodiscovery (src/celery.py).

On a queue of its own, so that each side's worker takes only its own side's tasks (the outbox's
``outbox.deliver`` goes to the default queue).
"""

from __future__ import annotations

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from bench.outbox_app.handlers import PLAIN, note_receipt

PLAIN_TASK = "bench_outbox.plain_ping"
PLAIN_QUEUE = "bench_plain"


@shared_task(base=DjangoTask, name=PLAIN_TASK, queue=PLAIN_QUEUE, ignore_result=True)
def plain_ping(key: str) -> None:
    note_receipt(PLAIN, key)
