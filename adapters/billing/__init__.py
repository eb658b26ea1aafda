"""Billing's Django side: models, repositories, admin, HTTP API and DI container."""
