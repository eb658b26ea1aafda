"""Cross-cutting Django glue shared by every context's adapters, one subpackage per concern:
http/ (middleware, health probes), rest/ (DRF plumbing: problems, rendering, pagination,
permissions, throttling), persistence/ (unit of work, cache), tenancy/, checks/ (the creed's
system checks), idempotency/ (its own app), and contexts.py (the base of every context's
AppConfig). It knows no bounded context."""
