from dependency_injector import containers, providers

from bench.outbox_app.handlers import Receive


class BenchOutboxContainer(containers.DeclarativeContainer):
    receive = providers.Factory(Receive)
