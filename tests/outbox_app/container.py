from dependency_injector import containers, providers

from tests.outbox_app.handlers import FailSomeTimes, Note


class OutboxTestContainer(containers.DeclarativeContainer):
    note = providers.Factory(Note)
    fail_some_times = providers.Factory(FailSomeTimes)
