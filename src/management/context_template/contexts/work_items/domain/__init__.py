"""The work items domain: the work item entity, its rules and its errors. Pure Python."""
