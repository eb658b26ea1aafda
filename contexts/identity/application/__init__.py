"""Identity's use cases and the ports they need."""
