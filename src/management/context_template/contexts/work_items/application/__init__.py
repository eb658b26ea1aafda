"""The work items use cases and the ports they need."""
