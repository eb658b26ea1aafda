"""Identity's Django side: the user model, repositories, admin, HTTP API and DI container."""
