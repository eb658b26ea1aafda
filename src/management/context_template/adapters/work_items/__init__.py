"""The Django side of work items: models, repositories, admin, HTTP API and DI container."""
