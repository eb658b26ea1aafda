"""Cross-cutting Django glue shared by every context's adapters: errors, rendering,
authentication, pagination, request context, health. It knows no bounded context."""
